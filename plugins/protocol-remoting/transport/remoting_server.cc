// RemotingServer (contract in remoting_server.h).
#include "remoting_server.h"

#include <chrono>
#include <future>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace tern::remoting {

RemotingServer::RemotingServer(RemotingServerOptions options, NextIoContext next_io, Logger& logger,
                               RemotingConnection::RequestHandler on_request, CloseHandler on_close)
    : options_(std::move(options)),
      next_io_(std::move(next_io)),
      logger_(logger),
      on_request_(std::move(on_request)),
      on_close_(std::move(on_close)),
      tracker_(std::make_shared<ConnectionTracker>()) {}

RemotingServer::~RemotingServer() { stop(); }

Status RemotingServer::start() {
  namespace ip = boost::asio::ip;
  boost::system::error_code ec;
  auto address = ip::make_address(options_.bind_ip, ec);
  if (ec) return Status::invalid_argument("bad listen address '" + options_.bind_ip + "': " + ec.message());
  ip::tcp::endpoint endpoint(address, options_.port);
  acceptor_ = std::make_unique<ip::tcp::acceptor>(next_io_());
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor_.reset();
    return Status::io_error(options_.name + " cannot listen on " + options_.bind_ip + ":" +
                            std::to_string(options_.port) + ": " + ec.message());
  }
  port_ = acceptor_->local_endpoint().port();
  accept_next();
  return Status::ok();
}

void RemotingServer::accept_next() {
  tracker_->add();
  acceptor_->async_accept(next_io_(), [this, tracker = tracker_](const boost::system::error_code& ec,
                                                                boost::asio::ip::tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_->is_open()) {
      tracker->done();
      return;
    }
    if (!ec) {
      auto conn = ConnectionTracker::make_connection(tracker, std::move(socket), logger_, options_.max_frame);
      logger_.debug(options_.name, " accepted connection from ", conn->peer());
      conn->start(on_request_, [tracker, on_close = on_close_](RemotingConnection* c) {
        tracker->closed(c);
        if (on_close) on_close(c);
      });
    } else {
      // Out of descriptors and the like: say so, and try again after a breath rather
      // than spinning on the same error.
      logger_.warn(options_.name, " accept failed: ", ec.message());
      auto timer = std::make_shared<boost::asio::steady_timer>(acceptor_->get_executor(), std::chrono::milliseconds(100));
      timer->async_wait([this, timer, tracker](const boost::system::error_code& wait_ec) {
        if (!wait_ec && acceptor_->is_open()) accept_next();
        tracker->done();
      });
      return;
    }
    accept_next();
    tracker->done();
  });
}

void RemotingServer::stop() {
  if (stopped_ || !acceptor_) {
    stopped_ = true;
    return;
  }
  stopped_ = true;
  // Close the acceptor on its own thread and wait for it, so no connection is accepted
  // after the open ones were listed below.
  std::promise<void> closed;
  boost::asio::post(acceptor_->get_executor(), [this, &closed] {
    boost::system::error_code ec;
    acceptor_->close(ec);
    closed.set_value();
  });
  closed.get_future().wait();
  if (!tracker_->close_all_and_wait(std::chrono::seconds(10))) {
    logger_.warn(options_.name, " stopped with ", tracker_->outstanding(),
                 " connection(s) still referenced after 10 s");
  }
}

size_t RemotingServer::connection_count() const { return tracker_->open_count(); }

}  // namespace tern::remoting
