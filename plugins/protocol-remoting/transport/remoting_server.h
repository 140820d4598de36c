// RemotingServer: accepts RocketMQ remoting connections on one address and hands every
// request to one handler. Each accepted connection is placed on an io_context of the
// caller's pool (round-robin), so a connection's handlers run on one thread.
//
// Thread-safety: start/stop from one owner thread; the handler runs on io threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "connection_tracker.h"
#include "remoting_connection.h"
#include "tern/logger.h"
#include "tern/status.h"

namespace tern::remoting {

struct RemotingServerOptions {
  std::string bind_ip = "0.0.0.0";  // the interface to listen on
  uint16_t port = 0;                // 0: any free port (tests)
  size_t max_frame = kDefaultMaxFrame;
  std::string name = "remoting";    // for log lines: "name server", "broker"
};

class RemotingServer {
 public:
  using NextIoContext = std::function<boost::asio::io_context&()>;
  // Runs on the connection's thread right after it closed (before it is destroyed).
  using CloseHandler = std::function<void(RemotingConnection*)>;

  RemotingServer(RemotingServerOptions options, NextIoContext next_io, Logger& logger,
                 RemotingConnection::RequestHandler on_request, CloseHandler on_close = nullptr);
  ~RemotingServer();  // stops
  RemotingServer(const RemotingServer&) = delete;
  RemotingServer& operator=(const RemotingServer&) = delete;

  // Binds and listens. IoError naming the address when the port is taken or the address
  // is not local.
  Status start();
  // Stops accepting, closes every connection and returns once none is left (callbacks
  // elsewhere that still hold a connection are waited for, up to a few seconds). Idempotent.
  void stop();

  // The bound port (the chosen one when options.port was 0).
  uint16_t port() const { return port_; }
  std::string address() const { return options_.bind_ip + ":" + std::to_string(port_); }
  size_t connection_count() const;

 private:
  void accept_next();

  RemotingServerOptions options_;
  NextIoContext next_io_;
  Logger& logger_;
  RemotingConnection::RequestHandler on_request_;
  CloseHandler on_close_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  uint16_t port_ = 0;
  std::shared_ptr<ConnectionTracker> tracker_;
  bool stopped_ = false;
};

}  // namespace tern::remoting
