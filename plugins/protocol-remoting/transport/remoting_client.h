// RemotingClient: sends RocketMQ remoting requests to servers by address ("host:port"),
// keeping one connection per address, made on first use and again after it closes. Used
// by the broker to register with name servers and by the SDK to reach brokers.
//
// Thread-safety: every method from any thread, except invoke_sync, which blocks and so
// must not run on one of the client's io threads.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "connection_tracker.h"
#include "remoting_connection.h"

namespace tern::remoting {

class RemotingClient {
 public:
  using NextIoContext = std::function<boost::asio::io_context&()>;

  // `on_request` serves requests the servers send back (broker to client); may be null.
  RemotingClient(NextIoContext next_io, Logger& logger, size_t max_frame = kDefaultMaxFrame,
                 RemotingConnection::RequestHandler on_request = nullptr);
  ~RemotingClient();  // close_all()
  RemotingClient(const RemotingClient&) = delete;
  RemotingClient& operator=(const RemotingClient&) = delete;

  // Calls `done` once with the response, or Unavailable naming the address when it cannot
  // connect, or Timeout when connecting and answering take longer than `timeout`.
  void invoke(const std::string& address, RemotingCommand request, std::chrono::milliseconds timeout,
              RemotingConnection::ResponseCallback done);
  Result<RemotingCommand> invoke_sync(const std::string& address, RemotingCommand request,
                                      std::chrono::milliseconds timeout);
  // Fire and forget; dropped (with a debug log) when the address cannot be reached.
  void invoke_oneway(const std::string& address, RemotingCommand request, std::chrono::milliseconds connect_timeout);

  // Closes every connection and waits for them to be gone. Later invokes fail.
  void close_all();

 private:
  using Ready = std::function<void(Result<std::shared_ptr<RemotingConnection>>)>;
  struct Entry {
    std::shared_ptr<RemotingConnection> connection;  // null while connecting
    std::vector<Ready> waiters;
  };

  // Calls `ready` with an open connection to `address`, connecting if needed.
  void with_connection(const std::string& address, std::chrono::milliseconds timeout, Ready ready);
  void connect(const std::string& address, std::chrono::milliseconds timeout);
  void connected(const std::string& address, Result<std::shared_ptr<RemotingConnection>> result);

  NextIoContext next_io_;
  Logger& logger_;
  const size_t max_frame_;
  RemotingConnection::RequestHandler on_request_;
  std::shared_ptr<ConnectionTracker> tracker_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // by address; guarded by mu_
  bool closed_ = false;                   // guarded by mu_
};

// Splits "host:port"; InvalidArgument naming the address when malformed.
Status split_address(const std::string& address, std::string* host, uint16_t* port);

}  // namespace tern::remoting
