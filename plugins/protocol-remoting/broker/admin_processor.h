// AdminProcessor: the requests mqadmin and client admin APIs send to a broker: topics
// (UPDATE_AND_CREATE_TOPIC, DELETE_TOPIC_IN_BROKER, GET_ALL_TOPIC_CONFIG), subscription
// groups (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
// DELETE_SUBSCRIPTIONGROUP), GET_BROKER_RUNTIME_INFO, VIEW_MESSAGE_BY_ID and QUERY_MESSAGE.
//
// Thread-safety: handle() from any io thread.
#pragma once

#include <memory>

#include "broker_context.h"
#include "remoting_connection.h"

namespace tern::remoting {

class AdminProcessor {
 public:
  explicit AdminProcessor(const BrokerContext& context) : ctx_(context) {}
  // False when `request.code` is not one of this processor's.
  bool handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);

 private:
  RemotingCommand update_topic(const RemotingCommand& request);
  RemotingCommand delete_topic(const RemotingCommand& request);
  RemotingCommand all_topics(const RemotingCommand& request);
  RemotingCommand update_group(const RemotingCommand& request);
  RemotingCommand all_groups(const RemotingCommand& request);
  RemotingCommand delete_group(const RemotingCommand& request);
  RemotingCommand runtime_info(const RemotingCommand& request);
  void view_message(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);
  void query_message(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);

  const BrokerContext& ctx_;
};

}  // namespace tern::remoting
