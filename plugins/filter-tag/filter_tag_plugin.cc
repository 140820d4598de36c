// The filter-tag plugin's entry point: its descriptor and create(). The loader reads the
// descriptor through `tern_plugin_entry`, the only symbol this shared object exports.
#include <exception>

#include "tag_filter_factory.h"
#include "tern/plugin.h"

namespace tern::filter_tag {
namespace {

// No exception may leave create() (plugin.h); the factory's constructor allocates nothing,
// so only operator new can fail here.
Plugin* create(PluginContext& context) noexcept {
  try {
    return new TagFilterFactory();
  } catch (const std::exception& e) {
    try {
      context.logger.error("cannot create the TAG filter factory: ", e.what());
    } catch (...) {  // logging failed too: the null return still reports the failure
    }
    return nullptr;
  }
}

}  // namespace

const TernPluginDescriptor kDescriptor = {
    TERN_PLUGIN_ABI_PREFIX,
    PluginKind::kFilter,
    "filter-tag",
    "1.0.0",
    "RocketMQ TAG subscriptions (\"TagA || TagB\", \"*\") matched by tag hash, then by tag",
    "",       // config_prefix: no keys
    nullptr,  // config_keys
    0,        // config_key_count
    &create,
};

}  // namespace tern::filter_tag

TERN_PLUGIN_ENTRY(tern::filter_tag::kDescriptor)
