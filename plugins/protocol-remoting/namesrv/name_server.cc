// NameServer (contract in name_server.h).
#include "name_server.h"

#include <chrono>

#include <boost/asio/post.hpp>

namespace tern::remoting {

NameServer::NameServer(NameServerOptions options, NextIoContext next_io, Logger& logger)
    : options_(std::move(options)),
      logger_(logger),
      routes_(logger, options_.broker_expired_ms),
      kv_(options_.kv_config_path, logger),
      processor_(routes_, kv_, logger,
                 NameServerProcessorOptions{options_.order_message_enable, options_.config_properties}),
      server_(RemotingServerOptions{options_.bind_ip, options_.listen_port, options_.max_frame, "name server"},
              next_io, logger,
              [this](const std::shared_ptr<RemotingConnection>& conn, RemotingCommand request) {
                conn->respond(request, processor_.process(request, conn.get(), conn->peer()));
              },
              [this](RemotingConnection* conn) { routes_.on_connection_closed(conn); }) {
  scan_timer_ = std::make_unique<boost::asio::steady_timer>(next_io());
}

NameServer::~NameServer() { stop(); }

Status NameServer::start() {
  if (Status s = kv_.load(); !s.is_ok()) return s;
  if (Status s = server_.start(); !s.is_ok()) return s;
  started_ = true;
  boost::asio::post(scan_timer_->get_executor(), [this] { schedule_scan(); });
  logger_.info("name server listening on ", server_.address(), ", brokerExpiredTime ", options_.broker_expired_ms,
               " ms, scan every ", options_.scan_interval_ms, " ms, KV config ",
               options_.kv_config_path.empty() ? "in memory" : options_.kv_config_path);
  return Status::ok();
}

void NameServer::schedule_scan() {
  if (scan_stopping_) return;
  scan_pending_ = true;
  scan_timer_->expires_after(std::chrono::milliseconds(options_.scan_interval_ms));
  scan_timer_->async_wait([this](const boost::system::error_code& ec) {
    scan_pending_ = false;
    if (scan_stopping_) {
      if (scan_stopped_) std::exchange(scan_stopped_, nullptr)->set_value();
      return;
    }
    if (!ec) routes_.scan_not_active_brokers();
    schedule_scan();
  });
}

void NameServer::stop() {
  if (!started_) return;
  started_ = false;
  server_.stop();
  // Stop the scan on its own thread and wait until its last handler has run, so none
  // touches this object afterwards.
  std::promise<void> stopped;
  auto done = stopped.get_future();
  boost::asio::post(scan_timer_->get_executor(), [this, &stopped] {
    scan_stopping_ = true;
    if (!scan_pending_) {
      stopped.set_value();
      return;
    }
    scan_stopped_ = &stopped;
    scan_timer_->cancel();
  });
  done.wait();
  if (Status s = kv_.flush(); !s.is_ok()) logger_.error("KV config not saved at stop: ", s.message());
  logger_.info("name server on ", server_.address(), " stopped");
}

}  // namespace tern::remoting
