// mqnamesrv: the RocketMQ name server process, with RocketMQ's command-line habits.
//   mqnamesrv [-c namesrv.properties]     (listens on 9876 unless listenPort says otherwise)
//   mqnamesrv -c FILE -p                  (print the effective config and exit)
// Keys: docs/configuration.md ("mqnamesrv"). Exit codes (docs/errors.md): 0 clean stop
// (SIGINT or SIGTERM), 1 start failure (port taken, KV config unreadable, log directory
// not writable), 2 bad config or arguments.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "config/effective_config.h"
#include "config/properties_file.h"
#include "name_server.h"
#include "namesrv_config.h"
#include "runtime/io_context_pool.h"
#include "runtime/logging.h"
#include "tern/version.h"

namespace {

constexpr int kExitStartFailure = 1;
constexpr int kExitBadConfig = 2;

using tern::ConfigKeySpec;
using tern::ConfigType;

// Tern's runtime keys of the process (the name server's own are in namesrv_config.cc).
const ConfigKeySpec kRuntimeKeys[] = {
    {"logDir", ConfigType::kString, "${env:HOME}/logs/tern", "", "directory of namesrv.log (rotated)",
     tern::config_flag::kImportant},
    {"logLevel", ConfigType::kEnum, "INFO", "TRACE|DEBUG|INFO|WARN|ERROR", "least severe level logged", 0},
    {"logFileMaxSize", ConfigType::kLong, "134217728", "1048576..", "size at which namesrv.log rotates (bytes)", 0},
    {"logFileMaxCount", ConfigType::kInt, "10", "1..1000", "rotated log files kept", 0},
    {"ioThreads", ConfigType::kInt, "0", "0..256", "io threads serving the listener; 0: one per core", 0},
};

void print_usage(std::ostream& out) {
  out << "usage: mqnamesrv [-c <file>] [-p]\n"
         "  -c, --configFile <file>   namesrv.properties to read (RocketMQ's keys)\n"
         "  -p, --printConfigItem     print the effective config and exit\n"
         "  -h, --help                print this help and exit\n"
         "      --version             print the version and exit\n";
}

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// "key=value" pairs of the effective config, for GET_NAMESRV_CONFIG.
std::vector<std::pair<std::string, std::string>> effective_properties(const tern::kernel::EffectiveConfig& config) {
  std::ostringstream text;
  config.print(text, false);
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream lines(text.str());
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq != std::string::npos) out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread starts, so that every thread inherits the mask and sigwait gets them.
  sigset_t signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::string config_file;
  bool print_config = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-c" || arg == "--configFile") {
      if (i + 1 >= argc) {
        std::cerr << "mqnamesrv: option " << arg << " needs a value\n";
        print_usage(std::cerr);
        return kExitBadConfig;
      }
      config_file = argv[++i];
    } else if (arg == "-p" || arg == "--printConfigItem") {
      print_config = true;
    } else if (arg == "-h" || arg == "--help") {
      print_usage(std::cout);
      return 0;
    } else if (arg == "--version") {
      std::cout << "mqnamesrv (Tern) " << tern::kTernVersion << "\n";
      return 0;
    } else {
      std::cerr << "mqnamesrv: unknown option '" << arg << "'\n";
      print_usage(std::cerr);
      return kExitBadConfig;
    }
  }

  tern::kernel::EffectiveConfig config;
  config.declare(tern::remoting::namesrv_config_keys(), "", "name server");
  config.declare(kRuntimeKeys, "", "tern runtime");
  for (const auto& alias : tern::remoting::namesrv_config_aliases()) config.add_alias(alias.alias, alias.key);
  if (!config_file.empty()) {
    auto entries = tern::kernel::read_properties_file(config_file);
    if (!entries) {
      std::cerr << "mqnamesrv: bad configuration:\n" << entries.status().message() << "\n";
      return kExitBadConfig;
    }
    for (auto& e : *entries) config.set(e.key, std::move(e.value), config_file + ":" + std::to_string(e.line));
  }
  // A name server has no plugins: a dotted key is as unknown as any other.
  auto problems = config.problems(tern::kernel::EffectiveConfig::Scope::kBrokerKeys);
  for (std::string p : config.problems(tern::kernel::EffectiveConfig::Scope::kPluginKeys)) {
    // The broker's hint about plugin prefixes means nothing here.
    constexpr std::string_view kHint = ": no loaded plugin has the config prefix '";
    if (size_t at = p.find(kHint); at != std::string::npos) {
      size_t end = p.find('\'', at + kHint.size());
      p.erase(at, end == std::string::npos ? std::string::npos : end + 1 - at);
    }
    problems.push_back(std::move(p));
  }
  if (!problems.empty()) {
    std::cerr << "mqnamesrv: bad configuration:\n";
    for (const auto& p : problems) std::cerr << p << "\n";
    return kExitBadConfig;
  }
  if (print_config) {
    config.print(std::cout, false);
    return 0;
  }

  tern::kernel::LogSinks sinks;
  auto logger = sinks.make_logger("namesrv");
  sinks.set_level(tern::kernel::parse_log_level(config.get_string("logLevel")));
  if (auto s = sinks.add_rotating_file(config.get_string("logDir"), "namesrv.log",
                                       static_cast<size_t>(config.get_int("logFileMaxSize")),
                                       static_cast<size_t>(config.get_int("logFileMaxCount")));
      !s.is_ok()) {
    logger->critical("start failed: ", s.to_string());
    return kExitStartFailure;
  }
  if (!config_file.empty()) logger->info("load config properties file OK, ", config_file);
  for (const std::string& w : config.warnings()) logger->warn(w);

  auto options = tern::remoting::name_server_options_from(config);
  options.config_properties = effective_properties(config);
  tern::kernel::IoContextPool pool(static_cast<size_t>(config.get_int("ioThreads")));
  int exit_code = 0;
  {
    tern::remoting::NameServer server(std::move(options), [&pool]() -> boost::asio::io_context& { return pool.next(); },
                                      *logger);
    pool.start();
    if (auto s = server.start(); !s.is_ok()) {
      logger->critical("start failed: ", s.to_string());
      exit_code = kExitStartFailure;
    } else {
      std::string tip = "The Name Server boot success. serializeType=JSON, address " + server.address();
      logger->info(tip);
      std::cout << tip << std::endl;
      int signo = 0;
      while (sigwait(&signals, &signo) != 0) {
      }
      logger->info("received signal ", signo, " (", signo == SIGINT ? "SIGINT" : "SIGTERM", "), shutting down");
      server.stop();
    }
  }
  pool.stop();
  if (exit_code == 0) logger->info("shutdown complete");
  sinks.flush();
  return exit_code;
}
