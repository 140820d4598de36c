// RemotingBroker: the broker side of RocketMQ remoting. It listens on listenPort (bindIP),
// routes each request to its processor by request code, answers unknown codes with
// REQUEST_CODE_NOT_SUPPORTED, tells the kernel when a client's connection closes, and
// keeps the broker registered with its name servers.
//
// Thread-safety: start/stop from the plugin's owner thread; requests on io threads.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "admin_processor.h"
#include "broker_context.h"
#include "broker_registrar.h"
#include "client_channels.h"
#include "client_processor.h"
#include "pull_processor.h"
#include "queue_lock_processor.h"
#include "remoting_client.h"
#include "remoting_server.h"
#include "end_transaction_processor.h"
#include "send_back_processor.h"
#include "send_processor.h"

namespace tern::remoting {

struct RemotingBrokerOptions {
  std::string bind_ip = "0.0.0.0";
  uint16_t listen_port = 10911;
  size_t max_frame = kDefaultMaxFrame;
  RegistrarOptions registrar;
};

class RemotingBroker {
 public:
  RemotingBroker(BrokerContext context, RemotingBrokerOptions options);
  ~RemotingBroker();  // stop()

  // Listens, then registers with the name servers. The listener's port is known after
  // listen() (tests use port 0), so the advertised address can be completed in between.
  Status listen();
  void start_registration();
  void stop();

  uint16_t port() const { return server_ ? server_->port() : 0; }
  BrokerContext& context() { return ctx_; }

 private:
  void on_request(const std::shared_ptr<RemotingConnection>& conn, RemotingCommand request);
  void on_close(RemotingConnection* conn);

  BrokerContext ctx_;
  RemotingBrokerOptions options_;
  ClientChannels channels_;
  SendProcessor send_;
  SendBackProcessor send_back_;
  EndTransactionProcessor end_transaction_;
  PullProcessor pull_;
  ClientProcessor clients_;
  AdminProcessor admin_;
  QueueLockProcessor locks_;
  std::unique_ptr<RemotingServer> server_;
  std::unique_ptr<RemotingClient> client_;
  std::unique_ptr<BrokerRegistrar> registrar_;
  struct RegistrarLink {
    std::mutex mu;
    BrokerRegistrar* registrar = nullptr;  // null once stopped
  };
  std::shared_ptr<RegistrarLink> registrar_link_ = std::make_shared<RegistrarLink>();
  bool stopped_ = false;
};

}  // namespace tern::remoting
