// The filter-sql92 plugin's entry point: its descriptor and create(). The loader reads the
// descriptor through `tern_plugin_entry`, the only symbol this shared object exports.
#include <exception>

#include "sql92_filter_factory.h"
#include "tern/plugin.h"

namespace tern::filter_sql92 {
namespace {

// No exception may leave create() (plugin.h); the factory's constructor allocates nothing,
// so only operator new can fail here.
Plugin* create(PluginContext& context) noexcept {
  try {
    return new Sql92FilterFactory();
  } catch (const std::exception& e) {
    try {
      context.logger.error("cannot create the SQL92 filter factory: ", e.what());
    } catch (...) {  // logging failed too: the null return still reports the failure
    }
    return nullptr;
  }
}

}  // namespace

const TernPluginDescriptor kDescriptor = {
    TERN_PLUGIN_ABI_PREFIX,
    PluginKind::kFilter,
    "filter-sql92",
    "1.0.0",
    "RocketMQ SQL92 subscriptions (MessageSelector.bySql) evaluated on the broker over message properties",
    "",       // config_prefix: no keys (the broker's enablePropertyFilter gates its use)
    nullptr,  // config_keys
    0,        // config_key_count
    &create,
};

}  // namespace tern::filter_sql92

TERN_PLUGIN_ENTRY(tern::filter_sql92::kDescriptor)
