// The plugin ABI: what a plugin shared object exports, what the kernel offers it, and the
// life cycle every plugin follows.
//
// A plugin exports exactly one entry point, `tern_plugin_entry` (declare it with
// TERN_PLUGIN_ENTRY), which returns a pointer to a static TernPluginDescriptor. The loader
// reads the descriptor's stable prefix (ABI version, size, build fingerprint) first and
// refuses the plugin, naming both sides, if any of them differs from the kernel's. Only then
// does it read the rest and call `create`.
//
// Life cycle: create (once, with the plugin's context) -> start (once, after every plugin is
// created; order: store, filter, ha, protocol) -> stop (once, reverse order) -> destroy.
// No exception may leave create, start or stop; failures are returned as Status (a throw is
// caught by the loader and reported, but the plugin is then not used).
//
// Thread-safety: create/start/stop are called from the kernel's main thread; the
// KernelServices methods are safe to call from any thread after start.
//
// Threads: a plugin that uses Boost.Asio runs it on threads it owns (the broker key
// ioThreads says how many), never on another module's io_context. Asio keeps per-thread
// state in header templates; a plugin's hidden symbols give it its own copy of that
// state, so its handlers run on a kernel thread would find the state empty and fail.
#pragma once

#include <cstdint>
#include <string_view>

#include <boost/config.hpp>
#include <boost/dll/alias.hpp>

#include "tern/config.h"
#include "tern/logger.h"
#include "tern/status.h"

namespace tern {

// Bumped whenever a public header changes in a way that breaks built plugins: a class
// layout, a virtual method, the descriptor. The loader refuses any other version.
// 2: KernelServices::broker(). 3: BrokerServices::writer() / queue_locks() / retry(),
// ClientRegistry::consumer_channels(), ClientChannel::reset_consumer_offsets(). 4:
// BrokerServices::transactions(), ClientChannel::check_transaction_state().
inline constexpr uint32_t kPluginAbiVersion = 4;

// What else must match for C++ types to cross the boundary: the standard library and its
// ABI flavour. Tells the loader that a plugin was built with a compatible toolchain.
#if defined(_LIBCPP_VERSION)
#define TERN_STDLIB_ID "libc++"
#elif defined(__GLIBCXX__)
#if _GLIBCXX_USE_CXX11_ABI
#define TERN_STDLIB_ID "libstdc++/cxx11abi"
#else
#define TERN_STDLIB_ID "libstdc++/oldabi"
#endif
#else
#define TERN_STDLIB_ID "unknown-stdlib"
#endif
#if defined(_GLIBCXX_DEBUG)
#define TERN_DEBUG_CONTAINERS "/debug-containers"
#else
#define TERN_DEBUG_CONTAINERS ""
#endif
#define TERN_BUILD_FINGERPRINT TERN_STDLIB_ID TERN_DEBUG_CONTAINERS

enum class PluginKind : uint32_t { kProtocol = 1, kFilter = 2, kStore = 3, kHa = 4 };

inline const char* plugin_kind_name(PluginKind kind) {
  switch (kind) {
    case PluginKind::kProtocol: return "protocol";
    case PluginKind::kFilter: return "filter";
    case PluginKind::kStore: return "store";
    case PluginKind::kHa: return "ha";
  }
  return "unknown";
}

class MessageStore;
class FilterFactory;
class ReplicationService;
class BrokerServices;

// What the kernel offers every plugin.
class KernelServices {
 public:
  virtual ~KernelServices() = default;
  // The broker-wide keys (brokerName, storePathRootDir, flushDiskType, ...).
  virtual const ConfigView& broker_config() const = 0;
  // The store plugin's store, or null when none is loaded.
  virtual MessageStore* store() = 0;
  // The filter for an expression type ("TAG", "SQL92"), or null when no plugin provides it.
  virtual const FilterFactory* filter_factory(std::string_view expression_type) const = 0;
  // The replication service, or null when no ha plugin is loaded.
  virtual ReplicationService* replication() = 0;
  // Topics, groups, offsets, clients and long polls (broker.h), shared by all protocols.
  virtual BrokerServices& broker() = 0;
};

// Handed to a plugin's create(); the references stay valid until the plugin is destroyed.
struct PluginContext {
  const ConfigView& config;  // the plugin's own keys, named without the prefix
  Logger& logger;            // named after the plugin
  KernelServices& kernel;
};

// The base of every plugin object. Each kind has its own interface derived from this one:
// ProtocolServer (protocol.h), FilterFactory (filter.h), MessageStore (store.h),
// ReplicationService (ha.h).
class Plugin {
 public:
  virtual ~Plugin() = default;
  // Acquires the plugin's resources (files, listeners, threads). On failure the broker
  // does not start and prints the Status.
  virtual Status start() = 0;
  // Releases them; returns when the plugin's threads have stopped. Called once, also when
  // start() failed.
  virtual void stop() = 0;
};

}  // namespace tern

extern "C" {

// The descriptor a plugin exports. The first three fields are the stable prefix: they keep
// their offsets in every ABI version so that any loader can read and compare them.
struct TernPluginDescriptor {
  uint32_t abi_version;           // tern::kPluginAbiVersion the plugin was built with
  uint32_t descriptor_size;       // sizeof(TernPluginDescriptor) the plugin was built with
  const char* build_fingerprint;  // TERN_BUILD_FINGERPRINT the plugin was built with
  // --- the rest is read only when the prefix matches ---
  tern::PluginKind kind;
  const char* name;           // "filter-tag"; the shared object is <name>.so
  const char* version;        // the plugin's own version, e.g. "1.0.0"
  const char* description;    // one line
  const char* config_prefix;  // its keys are written "<prefix>.<key>"; "" if it has none
  const tern::ConfigKeySpec* config_keys;
  uint32_t config_key_count;
  // Makes the plugin object; the kernel owns it and destroys it with delete. Returns null
  // with nothing thrown on failure (after logging why through context.logger).
  tern::Plugin* (*create)(tern::PluginContext& context);
};

}  // extern "C"

// Exports `descriptor` (a TernPluginDescriptor with static storage) as the plugin's one
// entry point. Use once per plugin, at namespace scope.
#define TERN_PLUGIN_ENTRY(descriptor)                                                 \
  namespace tern_plugin_entry_detail {                                                \
  const ::TernPluginDescriptor* entry() { return &(descriptor); }                     \
  }                                                                                   \
  BOOST_DLL_ALIAS(tern_plugin_entry_detail::entry, tern_plugin_entry)

// The descriptor's stable prefix, filled for the kernel the plugin is built against.
#define TERN_PLUGIN_ABI_PREFIX ::tern::kPluginAbiVersion, sizeof(::TernPluginDescriptor), TERN_BUILD_FINGERPRINT
