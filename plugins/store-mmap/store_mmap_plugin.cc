// The store-mmap plugin's entry point: its descriptor and create(). The store reads the
// broker's own store keys (storePathRootDir, flushDiskType, ...), so it declares none.
#include <exception>

#include "mmap_message_store.h"
#include "tern/plugin.h"

namespace tern::store_mmap {
namespace {

Plugin* create(PluginContext& context) noexcept {
  try {
    return new MmapMessageStore(StoreConfig::from(context.kernel.broker_config()), context.logger);
  } catch (const std::exception& e) {
    context.logger.error("cannot create the store: ", e.what());
    return nullptr;
  }
}

}  // namespace

const TernPluginDescriptor kDescriptor = {
    TERN_PLUGIN_ABI_PREFIX,
    PluginKind::kStore,
    "store-mmap",
    "1.0.0",
    "RocketMQ 4.x commit log, consume queues and index files on mapped segments",
    "",
    nullptr,
    0,
    &create,
};

}  // namespace tern::store_mmap

TERN_PLUGIN_ENTRY(tern::store_mmap::kDescriptor)
