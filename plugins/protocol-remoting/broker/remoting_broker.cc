// RemotingBroker (contract in remoting_broker.h).
#include "remoting_broker.h"

#include <exception>

#include "codes.h"

namespace tern::remoting {

RemotingBroker::RemotingBroker(BrokerContext context, RemotingBrokerOptions options)
    : ctx_(std::move(context)),
      options_(std::move(options)),
      send_(ctx_),
      send_back_(ctx_),
      end_transaction_(ctx_),
      pull_(ctx_),
      clients_(ctx_, channels_),
      admin_(ctx_),
      locks_(ctx_) {}

RemotingBroker::~RemotingBroker() { stop(); }

Status RemotingBroker::listen() {
  auto next_io = ctx_.next_io;
  server_ = std::make_unique<RemotingServer>(
      RemotingServerOptions{options_.bind_ip, options_.listen_port, options_.max_frame, "broker"}, next_io, ctx_.logger,
      [this](const std::shared_ptr<RemotingConnection>& conn, RemotingCommand request) {
        on_request(conn, std::move(request));
      },
      [this](RemotingConnection* conn) { on_close(conn); });
  TERN_RETURN_IF_ERROR(server_->start());
  client_ = std::make_unique<RemotingClient>(next_io, ctx_.logger, options_.max_frame);
  return Status::ok();
}

void RemotingBroker::start_registration() {
  registrar_ = std::make_unique<BrokerRegistrar>(ctx_, options_.registrar, *client_);
  // The registry keeps listeners for its whole life, longer than this object: the
  // listener reaches the registrar through a pointer that stop() clears.
  {
    std::lock_guard lock(registrar_link_->mu);
    registrar_link_->registrar = registrar_.get();
  }
  ctx_.broker().topics().add_change_listener([link = registrar_link_] {
    std::lock_guard lock(link->mu);
    if (link->registrar != nullptr) link->registrar->trigger();
  });
  registrar_->start();
}

void RemotingBroker::on_request(const std::shared_ptr<RemotingConnection>& conn, RemotingCommand request) {
  try {
    switch (request.code) {
      case request_code::kSendMessage:
      case request_code::kSendMessageV2:
      case request_code::kSendBatchMessage: send_.handle(conn, std::move(request)); return;
      case request_code::kPullMessage: pull_.handle(conn, request); return;
      case request_code::kConsumerSendMsgBack: send_back_.handle(conn, request); return;
      case request_code::kEndTransaction: end_transaction_.handle(conn, request); return;
      default: break;
    }
    if (clients_.handle(conn, request) || locks_.handle(conn, request) || admin_.handle(conn, request)) return;
    ctx_.logger.debug("request code ", request.code, " from ", conn->peer(), " is not supported");
    conn->respond(request, make_response(request, response_code::kRequestCodeNotSupported,
                                         " request type " + std::to_string(request.code) + " not supported"));
  } catch (const std::exception& e) {
    ctx_.logger.error("request code ", request.code, " from ", conn->peer(), " failed: ", e.what());
    conn->respond(request, make_response(request, response_code::kSystemError, e.what()));
  }
}

void RemotingBroker::on_close(RemotingConnection* conn) {
  if (auto channel = channels_.remove(conn)) ctx_.broker().clients().channel_closed(channel.get());
}

void RemotingBroker::stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lock(registrar_link_->mu);
    registrar_link_->registrar = nullptr;
  }
  if (registrar_) registrar_->stop();  // unregisters while the client still works
  if (server_) server_->stop();
  if (client_) client_->close_all();
}

}  // namespace tern::remoting
