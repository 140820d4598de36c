// BrokerController: the broker process from configuration to shutdown. Each step returns
// a Status so that mqbroker can map failures to exit codes (docs/errors.md):
//   load_config   -> bad or unknown keys           (exit 2)
//   load_plugins  -> missing or refused plugins    (exit 3), bad plugin keys (exit 2)
//   start         -> a plugin failed to start      (exit 1)
//
// Thread-safety: all methods from the main thread.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/effective_config.h"
#include "plugin/plugin_host.h"
#include "runtime/io_context_pool.h"
#include "runtime/logging.h"

namespace tern::kernel {

struct BrokerOptions {
  std::string config_file;                 // -c; empty: defaults only
  std::optional<std::string> namesrv_addr; // -n
  bool standalone = false;                 // --standalone: store and logs under the working directory
  std::string exe_dir;                     // for the default pluginDir
};

class BrokerController {
 public:
  explicit BrokerController(BrokerOptions options);
  ~BrokerController();

  // Reads defaults, the file, NAMESRV_ADDR and -n; checks every broker key. The Status
  // message lists every problem, one per line.
  Status load_config();
  // Loads the plugins named by `plugins` from `pluginDir` and checks their keys.
  Status load_plugins();
  // Prints the effective configuration (-p), or only the important keys (-m).
  void print_config(std::ostream& out, bool important_only) const { config_.print(out, important_only); }
  // Opens the log file, starts the io pool and the plugins.
  Status start();
  // Blocks SIGINT and SIGTERM in the calling thread and every thread it starts later. Call
  // first in main(): a signal that arrives during start-up then waits for
  // wait_for_signal() instead of killing the process before plugins can stop.
  static void block_shutdown_signals();
  // Blocks until SIGINT or SIGTERM (pending ones included).
  void wait_for_signal();
  // Stops plugins (reverse order) and the io pool. Idempotent.
  void shutdown();

  const EffectiveConfig& config() const { return config_; }
  Logger& logger() { return *logger_; }

 private:
  BrokerOptions options_;
  EffectiveConfig config_;
  LogSinks log_sinks_;
  std::shared_ptr<Logger> logger_;
  std::unique_ptr<IoContextPool> io_pool_;
  std::unique_ptr<PluginHost> plugins_;
  bool started_ = false;
};

}  // namespace tern::kernel
