// NameServer: a whole RocketMQ name server as a library object, run on io_contexts its
// owner gives it. `mqnamesrv` runs one alone; `mqbroker --standalone` embeds one beside
// the broker (the protocol-remoting plugin owns it there).
//
// It owns the remoting listener (RemotingServer), the route tables (RouteInfoManager),
// the KV config (KvConfigManager, its file written on its own thread), the request
// processor, and the expiry scan: every scan_interval_ms a timer on one of the given
// io_contexts removes the brokers not heard from for broker_expired_ms. A broker whose
// registering connection closes is removed at once, as RocketMQ's name server does.
//
// Threads: requests are served on the connections' io threads (all quick: table lookups
// under a shared_mutex); the scan runs on the io thread its timer got.
//
// Thread-safety: start/stop from one owner thread, not from an io thread of its pool
// (stop waits for work on them), and while the io_contexts run. routes()/kv_config()
// may be used from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kv_config_manager.h"
#include "name_server_processor.h"
#include "remoting_server.h"
#include "route_info_manager.h"
#include "tern/logger.h"
#include "tern/status.h"

namespace tern::remoting {

struct NameServerOptions {
  std::string bind_ip = "0.0.0.0";
  uint16_t listen_port = 9876;  // 0: any free port (tests)
  int64_t broker_expired_ms = 120000;  // drop a broker not heard from for this long
  int64_t scan_interval_ms = 5000;     // how often to look for such brokers
  std::string kv_config_path;          // kvConfig.json; empty: KV config in memory only
  bool order_message_enable = false;   // route answers carry orderTopicConf
  // What GET_NAMESRV_CONFIG answers (the effective config, "key=value" per line).
  std::vector<std::pair<std::string, std::string>> config_properties;
  size_t max_frame = kDefaultMaxFrame;
};

class NameServer {
 public:
  using NextIoContext = std::function<boost::asio::io_context&()>;

  NameServer(NameServerOptions options, NextIoContext next_io, Logger& logger);
  ~NameServer();  // stop()
  NameServer(const NameServer&) = delete;
  NameServer& operator=(const NameServer&) = delete;

  // Loads the KV config, listens and starts the expiry scan. Corruption naming the file
  // when the KV config cannot be read; IoError naming the address when the port is taken.
  // After a failure the object is stopped.
  [[nodiscard]] Status start();
  // Stops listening, closes connections, stops the scan and writes pending KV changes.
  // Idempotent.
  void stop();

  // The bound port (the chosen one when listen_port was 0); valid after start().
  uint16_t port() const { return server_.port(); }
  // "bind_ip:port".
  std::string address() const { return server_.address(); }

  RouteInfoManager& routes() { return routes_; }
  KvConfigManager& kv_config() { return kv_; }
  NameServerProcessor& processor() { return processor_; }

 private:
  void schedule_scan();  // on scan_timer_'s thread

  NameServerOptions options_;
  Logger& logger_;
  RouteInfoManager routes_;
  KvConfigManager kv_;
  NameServerProcessor processor_;
  RemotingServer server_;

  std::unique_ptr<boost::asio::steady_timer> scan_timer_;
  // Touched only on scan_timer_'s thread:
  bool scan_stopping_ = false;
  bool scan_pending_ = false;
  std::promise<void>* scan_stopped_ = nullptr;
  bool started_ = false;
};

}  // namespace tern::remoting
