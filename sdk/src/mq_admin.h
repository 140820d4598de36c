// The broker and name-server queries consumers make besides pulling (RocketMQ's
// MQAdminImpl and MQClientInstance.findConsumerIdList): a queue's min and max offsets, the
// offset of a time, a topic's readable queues, and the live members of a group.
//
// Errors are Status values whose message names the request, the queue or topic, the broker
// ("brokerName@host:port") and the cause; the public classes turn them into exceptions.
//
// Thread-safety: every function from any thread but the instance's io thread (they block).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "client_instance.h"
#include "tern/client/message.h"

namespace tern::client::internal {

// `request` to the master of `broker_name`, waiting for the answer (whatever its code).
// NotFound when the route cache knows no master of that broker; else the connection's
// Unavailable or Timeout. `*broker` (when not null) is set to "brokerName@host:port", or
// the broker name when there is no address, for error messages.
[[nodiscard]] Result<remoting::RemotingCommand> invoke_broker_master(MQClientInstance& instance,
                                                                     const std::string& broker_name,
                                                                     remoting::RemotingCommand request,
                                                                     std::chrono::milliseconds timeout,
                                                                     std::string* broker = nullptr);

// GET_MAX_OFFSET (30), GET_MIN_OFFSET (31) and SEARCH_OFFSET_BY_TIMESTAMP (29) of `mq`.
remoting::RemotingCommand max_offset_request(const MessageQueue& mq);
remoting::RemotingCommand min_offset_request(const MessageQueue& mq);
remoting::RemotingCommand search_offset_request(const MessageQueue& mq, int64_t timestamp_ms);

// The "offset" of the answer to one of the three requests above (or QUERY_CONSUMER_OFFSET).
// Failures as invoke_broker_master; a refusal is Unavailable naming the broker's code and
// remark.
[[nodiscard]] Result<int64_t> query_offset(MQClientInstance& instance, const MessageQueue& mq,
                                           remoting::RemotingCommand request, std::chrono::milliseconds timeout);

// The readable queues of `topic` from a fresh route (asked of the name server, and cached).
// NotFound when the name server knows no such topic; Unavailable when none answered.
[[nodiscard]] Result<std::vector<MessageQueue>> fetch_subscribe_message_queues(MQClientInstance& instance,
                                                                               const std::string& topic,
                                                                               std::chrono::milliseconds timeout);

// The client ids of `group`'s live members (GET_CONSUMER_LIST_BY_GROUP, 38) as the first
// broker of `topic`'s cached route that answers knows them; empty when none does.
std::vector<std::string> find_consumer_id_list(MQClientInstance& instance, const std::string& topic,
                                               const std::string& group, std::chrono::milliseconds timeout);

}  // namespace tern::client::internal
