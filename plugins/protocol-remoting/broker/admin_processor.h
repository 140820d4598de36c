// AdminProcessor: the requests mqadmin and client admin APIs send to a broker: topics
// (UPDATE_AND_CREATE_TOPIC, DELETE_TOPIC_IN_BROKER, GET_ALL_TOPIC_CONFIG), subscription
// groups (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
// DELETE_SUBSCRIPTIONGROUP), GET_BROKER_RUNTIME_INFO, VIEW_MESSAGE_BY_ID and QUERY_MESSAGE;
// and mqadmin's views of queues and groups: GET_TOPIC_STATS_INFO (topicStatus),
// GET_CONSUME_STATS (consumerProgress), QUERY_TOPIC_CONSUME_BY_WHO,
// GET_CONSUMER_CONNECTION_LIST and INVOKE_BROKER_TO_RESET_OFFSET (resetOffsetByTime).
// TopicStatsTable, ConsumeStats and ResetOffsetBody are written as fastjson writes them,
// with MessageQueue objects as map keys (not standard JSON; PROTOCOL.md §5), so RocketMQ's
// own mqadmin reads them; Tern's mqadmin reads that shape too (sdk/tools).
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
  RemotingCommand topic_stats(const RemotingCommand& request);
  RemotingCommand consume_stats(const RemotingCommand& request);
  RemotingCommand consumed_by_who(const RemotingCommand& request);
  RemotingCommand consumer_connections(const RemotingCommand& request);
  RemotingCommand reset_offset(const RemotingCommand& request);
  // Store time of the message at a queue offset; 0 when there is none (or no store).
  int64_t store_time_at(const std::string& topic, int32_t queue_id, int64_t offset);

  const BrokerContext& ctx_;
};

}  // namespace tern::remoting
