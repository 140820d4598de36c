// mqbroker: the broker process, with RocketMQ's command-line habits.
//   mqbroker -c conf/broker.properties [-n host:9876;host2:9876]
//   mqbroker --standalone        (name server and broker in one process, store under ./store)
//   mqbroker -c FILE -p | -m     (print the effective config, or its important keys, and exit)
// Exit codes (docs/errors.md): 0 clean stop, 1 start failure, 2 bad config or arguments,
// 3 a plugin missing or refused.
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include <boost/dll/runtime_symbol_info.hpp>

#include "broker/broker_controller.h"
#include "tern/plugin.h"
#include "tern/version.h"

namespace {

constexpr int kExitStartFailure = 1;
constexpr int kExitBadConfig = 2;
constexpr int kExitPluginRefused = 3;

void print_usage(std::ostream& out) {
  out << "usage: mqbroker [-c <file>] [-n <namesrvAddr>] [-p | -m] [--standalone]\n"
         "  -c, --configFile <file>   broker.properties to read (RocketMQ's keys)\n"
         "  -n, --namesrvAddr <addr>  name servers, host:port;host:port (overrides the file and NAMESRV_ADDR)\n"
         "  -p, --printConfigItem     print the effective config and exit\n"
         "  -m, --printImportantConfig print the important config keys and exit\n"
         "      --standalone          name server and broker in one process, store under ./store\n"
         "  -h, --help                print this help and exit\n"
         "      --version             print the version and exit\n";
}

}  // namespace

int main(int argc, char** argv) {
  tern::kernel::BrokerController::block_shutdown_signals();  // before any thread starts
  tern::kernel::BrokerOptions options;
  bool print_all = false, print_important = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "mqbroker: option " << flag << " needs a value\n";
        print_usage(std::cerr);
        std::exit(kExitBadConfig);
      }
      return argv[++i];
    };
    if (arg == "-c" || arg == "--configFile") {
      options.config_file = value(arg);
    } else if (arg == "-n" || arg == "--namesrvAddr") {
      options.namesrv_addr = value(arg);
    } else if (arg == "-p" || arg == "--printConfigItem") {
      print_all = true;
    } else if (arg == "-m" || arg == "--printImportantConfig") {
      print_important = true;
    } else if (arg == "--standalone") {
      options.standalone = true;
    } else if (arg == "-h" || arg == "--help") {
      print_usage(std::cout);
      return 0;
    } else if (arg == "--version") {
      std::cout << "mqbroker (Tern) " << tern::kTernVersion << ", plugin ABI version " << tern::kPluginAbiVersion
                << ", " << TERN_BUILD_FINGERPRINT << "\n";
      return 0;
    } else {
      std::cerr << "mqbroker: unknown option '" << arg << "'\n";
      print_usage(std::cerr);
      return kExitBadConfig;
    }
  }
  options.exe_dir = boost::dll::program_location().parent_path().string();

  tern::kernel::BrokerController broker(options);
  if (auto s = broker.load_config(); !s.is_ok()) {
    std::cerr << "mqbroker: bad configuration:\n" << s.message() << "\n";
    return kExitBadConfig;
  }
  if (auto s = broker.load_plugins(); !s.is_ok()) {
    bool bad_keys = s.is_invalid_argument();
    std::cerr << "mqbroker: " << (bad_keys ? "bad configuration:\n" : "cannot load plugins:\n") << s.message() << "\n";
    return bad_keys ? kExitBadConfig : kExitPluginRefused;
  }
  if (print_all || print_important) {
    broker.print_config(std::cout, print_important && !print_all);
    return 0;
  }
  if (auto s = broker.start(); !s.is_ok()) {
    broker.logger().critical("start failed: ", s.to_string());
    broker.shutdown();
    return kExitStartFailure;
  }
  broker.wait_for_signal();
  broker.shutdown();
  return 0;
}
