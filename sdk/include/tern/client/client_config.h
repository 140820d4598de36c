// ClientConfig: what every RocketMQ client of the SDK shares (RocketMQ's ClientConfig): the
// name servers, the instance name that with the client IP makes the client id, the
// intervals of the route refresh and the broker heartbeat, and the logger.
//
// Clients with the same client id ("ip@instanceName") in one process share one client
// instance: one set of broker connections, one route cache, one heartbeat. The default
// instance name "DEFAULT" becomes the process id, as in RocketMQ.
//
// Thread-safety: the setters are not synchronised; configure a client before start().
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tern/logger.h"

namespace tern::client {

class ClientConfig {
 public:
  // "host:port" or several joined by ';'. Empty (the default): the NAMESRV_ADDR
  // environment variable at start().
  void set_namesrv_addr(std::string addr) { namesrv_addr_ = std::move(addr); }
  const std::string& namesrv_addr() const { return namesrv_addr_; }

  void set_instance_name(std::string name) { instance_name_ = std::move(name); }
  const std::string& instance_name() const { return instance_name_; }

  // The IPv4 address in the client id and in message ids; default: the first non-loopback
  // address of the host, else 127.0.0.1.
  void set_client_ip(std::string ip) { client_ip_ = std::move(ip); }
  const std::string& client_ip() const { return client_ip_; }

  // Route refresh from the name server (pollNameServerInterval, 30 s).
  void set_poll_name_server_interval(std::chrono::milliseconds ms) { poll_name_server_interval_ = ms; }
  std::chrono::milliseconds poll_name_server_interval() const { return poll_name_server_interval_; }
  // Heartbeat to every known broker (heartbeatBrokerInterval, 30 s).
  void set_heartbeat_broker_interval(std::chrono::milliseconds ms) { heartbeat_broker_interval_ = ms; }
  std::chrono::milliseconds heartbeat_broker_interval() const { return heartbeat_broker_interval_; }

  // Where the client logs; default: stderr, level from TERN_CLIENT_LOG_LEVEL (WARN).
  void set_logger(std::shared_ptr<Logger> logger) { logger_ = std::move(logger); }
  const std::shared_ptr<Logger>& logger() const { return logger_; }

  // "ip@instanceName" with the defaults resolved (DEFAULT -> pid).
  std::string build_client_id() const;
  // namesrv_addr(), or NAMESRV_ADDR when it is empty.
  std::string resolved_namesrv_addr() const;

 private:
  std::string namesrv_addr_;
  std::string instance_name_ = "DEFAULT";
  std::string client_ip_;
  std::chrono::milliseconds poll_name_server_interval_{30000};
  std::chrono::milliseconds heartbeat_broker_interval_{30000};
  std::shared_ptr<Logger> logger_;
};

}  // namespace tern::client
