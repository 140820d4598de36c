// RemotingClient (contract in remoting_client.h).
#include "remoting_client.h"

#include <charconv>
#include <future>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace tern::remoting {

Status split_address(const std::string& address, std::string* host, uint16_t* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return Status::invalid_argument("bad address '" + address + "': expected host:port");
  }
  unsigned value = 0;
  const char* begin = address.data() + colon + 1;
  const char* end = address.data() + address.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || value == 0 || value > 65535) {
    return Status::invalid_argument("bad port in address '" + address + "'");
  }
  *host = address.substr(0, colon);
  *port = static_cast<uint16_t>(value);
  return Status::ok();
}

RemotingClient::RemotingClient(NextIoContext next_io, Logger& logger, size_t max_frame,
                               RemotingConnection::RequestHandler on_request)
    : next_io_(std::move(next_io)),
      logger_(logger),
      max_frame_(max_frame),
      on_request_(std::move(on_request)),
      tracker_(std::make_shared<ConnectionTracker>()) {}

RemotingClient::~RemotingClient() { close_all(); }

void RemotingClient::invoke(const std::string& address, RemotingCommand request, std::chrono::milliseconds timeout,
                            RemotingConnection::ResponseCallback done) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  with_connection(address, timeout,
                  [request = std::move(request), deadline, done = std::move(done)](
                      Result<std::shared_ptr<RemotingConnection>> conn) mutable {
                    if (!conn.is_ok()) {
                      done(conn.status());
                      return;
                    }
                    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now());
                    (*conn)->invoke(std::move(request), std::max(left, std::chrono::milliseconds(1)), std::move(done));
                  });
}

Result<RemotingCommand> RemotingClient::invoke_sync(const std::string& address, RemotingCommand request,
                                                    std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<Result<RemotingCommand>>>();
  auto future = promise->get_future();
  invoke(address, std::move(request), timeout,
         [promise](Result<RemotingCommand> response) { promise->set_value(std::move(response)); });
  return future.get();
}

void RemotingClient::invoke_oneway(const std::string& address, RemotingCommand request,
                                   std::chrono::milliseconds connect_timeout) {
  with_connection(address, connect_timeout,
                  [this, address, request = std::move(request)](Result<std::shared_ptr<RemotingConnection>> conn) mutable {
                    if (!conn.is_ok()) {
                      logger_.debug("oneway request to ", address, " dropped: ", conn.status().message());
                      return;
                    }
                    (*conn)->invoke_oneway(std::move(request));
                  });
}

void RemotingClient::with_connection(const std::string& address, std::chrono::milliseconds timeout, Ready ready) {
  std::shared_ptr<RemotingConnection> conn;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      ready(Status::unavailable("client is closed; not sending to " + address));
      return;
    }
    Entry& entry = entries_[address];
    if (entry.connection && entry.connection->is_open()) {
      conn = entry.connection;
    } else {
      bool connecting = !entry.waiters.empty();
      entry.connection.reset();
      entry.waiters.push_back(std::move(ready));
      if (connecting) return;
    }
  }
  if (conn) {
    ready(std::move(conn));
    return;
  }
  connect(address, timeout);
}

void RemotingClient::connect(const std::string& address, std::chrono::milliseconds timeout) {
  namespace ip = boost::asio::ip;
  std::string host;
  uint16_t port = 0;
  if (Status s = split_address(address, &host, &port); !s.is_ok()) {
    connected(address, s);
    return;
  }
  // The resolver, socket and timer live in one shared state until the connect ends.
  struct Attempt {
    explicit Attempt(boost::asio::io_context& io) : resolver(io), socket(io), timer(io) {}
    ip::tcp::resolver resolver;
    ip::tcp::socket socket;
    boost::asio::steady_timer timer;
    bool finished = false;
  };
  auto attempt = std::make_shared<Attempt>(next_io_());
  tracker_->add();
  auto finish = [this, address, attempt, tracker = tracker_](Result<std::shared_ptr<RemotingConnection>> result) {
    if (attempt->finished) return;
    attempt->finished = true;
    attempt->timer.cancel();
    attempt->resolver.cancel();
    connected(address, std::move(result));
    tracker->done();
  };
  attempt->timer.expires_after(timeout);
  attempt->timer.async_wait([attempt, address, timeout, finish](const boost::system::error_code& ec) {
    if (ec) return;
    boost::system::error_code ignored;
    attempt->socket.close(ignored);
    finish(Status::timeout("cannot connect to " + address + " within " + std::to_string(timeout.count()) + " ms"));
  });
  attempt->resolver.async_resolve(
      host, std::to_string(port),
      [this, attempt, address, finish](const boost::system::error_code& ec, ip::tcp::resolver::results_type results) {
        if (attempt->finished) return;
        if (ec) {
          finish(Status::unavailable("cannot resolve " + address + ": " + ec.message()));
          return;
        }
        boost::asio::async_connect(
            attempt->socket, results,
            [this, attempt, address, finish](const boost::system::error_code& cec, const ip::tcp::endpoint&) {
              if (attempt->finished) return;
              if (cec) {
                finish(Status::unavailable("cannot connect to " + address + ": " + cec.message()));
                return;
              }
              auto conn = ConnectionTracker::make_connection(tracker_, std::move(attempt->socket), logger_, max_frame_);
              conn->start(on_request_, [this, tracker = tracker_, address](RemotingConnection* c) {
                tracker->closed(c);
                std::lock_guard lock(mu_);
                auto it = entries_.find(address);
                if (it != entries_.end() && it->second.connection.get() == c && it->second.waiters.empty()) {
                  entries_.erase(it);
                }
              });
              finish(std::move(conn));
            });
      });
}

void RemotingClient::connected(const std::string& address, Result<std::shared_ptr<RemotingConnection>> result) {
  std::vector<Ready> waiters;
  bool client_closed = false;
  {
    std::lock_guard lock(mu_);
    client_closed = closed_;
    Entry& entry = entries_[address];
    waiters = std::move(entry.waiters);
    entry.waiters.clear();
    if (result.is_ok() && !closed_) {
      entry.connection = *result;
    } else {
      entries_.erase(address);
    }
  }
  if (result.is_ok() && client_closed) {
    (*result)->close("client closed while connecting");
    result = Status::unavailable("client is closed; not sending to " + address);
  }
  for (auto& w : waiters) w(result);
}

void RemotingClient::close_all() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  if (!tracker_->close_all_and_wait(std::chrono::seconds(10))) {
    logger_.warn("remoting client closed with ", tracker_->outstanding(), " connection(s) still referenced after 10 s");
  }
  std::lock_guard lock(mu_);
  entries_.clear();
}

}  // namespace tern::remoting
