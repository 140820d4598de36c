// SendProcessor: SEND_MESSAGE (10), SEND_MESSAGE_V2 (310, the same fields with one-letter
// names) and SEND_BATCH_MESSAGE (320, or 310 with m=true). Checks the topic (auto-created
// when allowed), the queue, the size and the properties, appends through the store and
// answers once the store says the message is as durable as flushDiskType demands.
//
// Thread-safety: handle() from any io thread; answers are sent from store threads.
#pragma once

#include <memory>

#include "broker_context.h"
#include "remoting_connection.h"

namespace tern::remoting {

class SendProcessor {
 public:
  explicit SendProcessor(const BrokerContext& context) : ctx_(context) {}
  // Takes the request by value: its body moves into the stored message.
  void handle(const std::shared_ptr<RemotingConnection>& conn, RemotingCommand request);

 private:
  const BrokerContext& ctx_;
};

// The address of an endpoint as a stored message records it (IPv4, or IPv6 unless it is
// an IPv4-mapped one).
SocketAddress to_socket_address(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace tern::remoting
