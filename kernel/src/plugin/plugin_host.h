// PluginHost: makes, starts and stops the loaded plugins, and offers them the kernel
// (it is the KernelServices every plugin is handed).
//
// Start order is store, filter, ha, protocol (each kind needs the ones before it); stop
// order is the reverse. A plugin library stays loaded until every object made from it is
// gone: plugin objects and the matchers filter plugins compile hold a reference to it.
//
// The host also owns the broker services (KernelServices::broker()). They exist from the
// host's construction, so plugins may take references in create(); they start (load the
// metadata files, attach long polling to the store) right after the store plugins have
// started and before any other plugin starts, and stop (answer held pulls, write the
// files, drop client channels) after the other plugins have stopped and before the store
// plugins stop:
//   store.start, broker.start, filter/ha/protocol.start ... protocol/ha/filter.stop,
//   broker.stop, store.stop
//
// Thread-safety: add/start_all/stop_all on the main thread; the KernelServices methods
// from any thread once started.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker_services_impl.h"
#include "config/effective_config.h"
#include "plugin/plugin_loader.h"
#include "runtime/io_context_pool.h"
#include "runtime/logging.h"
#include "tern/filter.h"
#include "tern/plugin.h"
#include "tern/store.h"

namespace tern::kernel {

class PluginHost final : public KernelServices {
 public:
  PluginHost(EffectiveConfig& config, IoContextPool& io_pool, LogSinks& log_sinks);
  ~PluginHost() override;

  // Declares the plugin's config keys with the effective config. Call for every plugin
  // before validating plugin keys and before create_all().
  void add(LoadedPlugin plugin);
  // Creates every added plugin; fails if one cannot be created or two conflict (two
  // stores, two filters of one expression type, two ha services).
  Status create_all();
  // Starts them in kind order; on a failure stops those already started and returns it.
  Status start_all();
  // Stops started plugins in reverse order and destroys them. Idempotent.
  void stop_all();

  struct Info {
    std::string name, version, kind, path;
  };
  std::vector<Info> plugins() const;

  // KernelServices
  const ConfigView& broker_config() const override { return config_; }
  MessageStore* store() override { return store_; }
  const FilterFactory* filter_factory(std::string_view expression_type) const override;
  ReplicationService* replication() override { return replication_; }
  BrokerServicesImpl& broker() override { return *broker_; }

 private:
  struct Instance;

  // Starts the broker services once; names them in the Status on failure.
  Status start_broker_services();

  EffectiveConfig& config_;
  IoContextPool& io_pool_;
  LogSinks& log_sinks_;
  // Declared before the plugins: destroyed after them, since plugins may use it until then.
  std::unique_ptr<BrokerServicesImpl> broker_;
  bool broker_started_ = false;
  std::vector<std::unique_ptr<Instance>> instances_;  // in start order once created
  MessageStore* store_ = nullptr;
  ReplicationService* replication_ = nullptr;
  std::map<std::string, std::unique_ptr<FilterFactory>, std::less<>> filters_;  // keep-alive wrappers
  // Libraries of destroyed plugins, unloaded only with the host: values a plugin returned
  // (a callback, a Status's message) may still be in flight when stop_all() returns.
  std::vector<std::shared_ptr<boost::dll::shared_library>> retired_libraries_;
};

}  // namespace tern::kernel
