// ClientProcessor: the requests that keep clients and their offsets: HEART_BEAT,
// UNREGISTER_CLIENT, GET_CONSUMER_LIST_BY_GROUP, QUERY/UPDATE_CONSUMER_OFFSET, and the
// queue lookups clients use to choose where to start: GET_MAX_OFFSET, GET_MIN_OFFSET,
// SEARCH_OFFSET_BY_TIMESTAMP, GET_EARLIEST_MSG_STORETIME; and CHECK_CLIENT_CONFIG, which a
// Java consumer sends before it subscribes with SQL92.
//
// Thread-safety: handle() from any io thread.
#pragma once

#include <memory>

#include "broker_context.h"
#include "client_channels.h"
#include "remoting_connection.h"

namespace tern::remoting {

class ClientProcessor {
 public:
  ClientProcessor(const BrokerContext& context, ClientChannels& channels) : ctx_(context), channels_(channels) {}
  // False when `request.code` is not one of this processor's.
  bool handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);

 private:
  void heartbeat(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);
  void unregister(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);
  void consumer_list(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);
  void query_offset(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);
  void update_offset(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);
  void queue_lookup(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);
  void check_client_config(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);

  const BrokerContext& ctx_;
  ClientChannels& channels_;
};

}  // namespace tern::remoting
