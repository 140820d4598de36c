// BrokerController: start-up and shutdown sequencing of the broker process.
#include "broker/broker_controller.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <pthread.h>
#include <signal.h>

#include "config/broker_config_keys.h"
#include "config/properties_file.h"
#include "tern/version.h"

namespace tern::kernel {
namespace {

std::string hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

Status problems_status(const std::vector<std::string>& problems) {
  std::string all;
  for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
  return Status::invalid_argument(all);
}

}  // namespace

BrokerController::BrokerController(BrokerOptions options)
    : options_(std::move(options)),
      config_({{"exeDir", options_.exe_dir}, {"hostname", hostname()}}),
      logger_(log_sinks_.make_logger("broker")) {
  config_.declare(broker_config_keys(), "", "broker");
  for (const auto& alias : broker_config_aliases()) config_.add_alias(alias.alias, alias.key);
}

BrokerController::~BrokerController() { shutdown(); }

Status BrokerController::load_config() {
  if (options_.standalone) {
    // The embedded default: everything under the working directory, one command to try it.
    std::string cwd = std::filesystem::current_path().string();
    config_.override_default("storePathRootDir", cwd + "/store");
    config_.override_default("logDir", cwd + "/logs");
    config_.override_default("embeddedNamesrv", "true");
  }
  if (!options_.config_file.empty()) {
    auto entries = read_properties_file(options_.config_file);
    if (!entries) return entries.status();
    for (auto& e : *entries) {
      config_.set(e.key, std::move(e.value), options_.config_file + ":" + std::to_string(e.line));
    }
  }
  if (options_.namesrv_addr) config_.set("namesrvAddr", *options_.namesrv_addr, "command line -n");
  auto problems = config_.problems(EffectiveConfig::Scope::kBrokerKeys);
  if (!problems.empty()) return problems_status(problems);
  return Status::ok();
}

Status BrokerController::load_plugins() {
  io_pool_ = std::make_unique<IoContextPool>(static_cast<size_t>(config_.get_int("ioThreads")));
  plugins_ = std::make_unique<PluginHost>(config_, *io_pool_, log_sinks_);
  PluginLoader loader(config_.get_string("pluginDir"));
  std::vector<std::string> failures;
  for (const std::string& name : config_.get_list("plugins", ',')) {
    auto loaded = loader.load(name);
    if (!loaded) {
      failures.push_back(loaded.status().message());
      continue;
    }
    plugins_->add(std::move(*loaded));
  }
  if (!failures.empty()) {
    std::string all;
    for (const auto& f : failures) all += (all.empty() ? "" : "\n") + f;
    return Status::not_supported(all);
  }
  auto problems = config_.problems(EffectiveConfig::Scope::kPluginKeys);
  if (!problems.empty()) return problems_status(problems);
  return Status::ok();
}

Status BrokerController::start() {
  auto started_at = std::chrono::steady_clock::now();
  log_sinks_.set_level(parse_log_level(config_.get_string("logLevel")));
  TERN_RETURN_IF_ERROR(log_sinks_.add_rotating_file(config_.get_string("logDir"), "broker.log",
                                                    static_cast<size_t>(config_.get_int("logFileMaxSize")),
                                                    static_cast<size_t>(config_.get_int("logFileMaxCount"))));
  for (const std::string& w : config_.warnings()) logger_->warn(w);
  logger_->info("Tern ", kTernVersion, " starting: brokerName=", config_.get_string("brokerName"),
                " cluster=", config_.get_string("brokerClusterName"), " io threads=", io_pool_->size(),
                " store=", config_.get_string("storePathRootDir"));
  io_pool_->start();
  started_ = true;
  TERN_RETURN_IF_ERROR(plugins_->create_all());
  TERN_RETURN_IF_ERROR(plugins_->start_all());
  std::string names;
  for (const auto& p : plugins_->plugins()) names += (names.empty() ? "" : ", ") + p.name + " " + p.version;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_at);
  logger_->info("The broker[", config_.get_string("brokerName"), "] boot success in ", ms.count(),
                " ms; plugins: ", names.empty() ? "none" : names);
  return Status::ok();
}

namespace {
sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void BrokerController::block_shutdown_signals() {
  sigset_t set = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void BrokerController::wait_for_signal() {
  sigset_t set = shutdown_signals();
  int signo = 0;
  while (sigwait(&set, &signo) != 0) {
  }
  logger_->info("received signal ", signo, " (", signo == SIGINT ? "SIGINT" : "SIGTERM", "), shutting down");
}

void BrokerController::shutdown() {
  if (plugins_) {
    plugins_->stop_all();
    plugins_.reset();
  }
  if (io_pool_) {
    io_pool_->stop();
    io_pool_.reset();
  }
  if (started_) {
    started_ = false;
    logger_->info("shutdown complete");
  }
  log_sinks_.flush();
}

}  // namespace tern::kernel
