// The broker and name-server queries clients make besides sending and pulling (RocketMQ's
// MQAdminImpl and MQClientInstance.findConsumerIdList): a queue's min and max offsets, the
// offset of a time, a topic's readable queues, the live members of a group, and message
// lookups (by offset message id, by key, by unique key).
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
#include "tern/client/mq_client_exception.h"
#include "tern/client/query_result.h"

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

// VIEW_MESSAGE_BY_ID (33): the message an offset message id names, asked of the broker the
// id names. InvalidArgument when `offset_msg_id` is not one; NotFound when the broker has
// no message there; else the connection's Unavailable or Timeout.
[[nodiscard]] Result<MessageExt> view_message(MQClientInstance& instance, const std::string& offset_msg_id,
                                              std::chrono::milliseconds timeout);

// QUERY_MESSAGE (12) to the master of every broker of `topic`'s route: up to `max_num`
// messages per broker stored in [begin_ms, end_ms] whose KEYS hold `key` (or, with
// `unique`, whose UNIQ_KEY is `key`). Index hash collisions are filtered out here, as
// RocketMQ's client does. NotFound when the name server knows no such topic; Unavailable
// naming the broker when one could not answer (the others' messages are not returned).
[[nodiscard]] Result<QueryResult> query_message(MQClientInstance& instance, const std::string& topic,
                                                const std::string& key, int max_num, int64_t begin_ms,
                                                int64_t end_ms, bool unique, std::chrono::milliseconds timeout);

// RocketMQ's viewMessage(topic, msgId): `msg_id` as an offset message id first (when the
// address it names is one of `topic`'s brokers), then as a client's unique id (UNIQ_KEY); the earliest stored copy of a unique id that
// was stored more than once (a retried send). NotFound naming the id when neither finds it.
[[nodiscard]] Result<MessageExt> view_message(MQClientInstance& instance, const std::string& topic,
                                              const std::string& msg_id, std::chrono::milliseconds timeout);

// How long the public lookups wait for each broker (RocketMQ's MQAdminImpl: 3 x 3 s).
inline constexpr std::chrono::milliseconds kLookupTimeout{9000};

// Throws `status` as the MQClientException a public method throws: `who` ("producer G")
// and `what` (the call) prefix the message; code kAccessBrokerTimeout for a timeout,
// `not_found_code` for NotFound, kConnectBrokerException otherwise.
[[noreturn]] void throw_client_exception(const std::string& who, const std::string& what, const Status& status,
                                         const std::string& topic = {}, const std::string& broker = {},
                                         int not_found_code = client_error::kBrokerNotExist);

// The public classes' message lookups (DefaultMQProducer, DefaultMQPushConsumer): the
// functions above with kLookupTimeout, throwing as RocketMQ's MQAdmin does (kNoMessage
// when nothing matches).
MessageExt view_message_or_throw(MQClientInstance& instance, const std::string& who, const std::string& offset_msg_id);
MessageExt view_message_or_throw(MQClientInstance& instance, const std::string& who, const std::string& topic,
                                 const std::string& msg_id);
QueryResult query_message_or_throw(MQClientInstance& instance, const std::string& who, const std::string& topic,
                                   const std::string& key, int max_num, int64_t begin_ms, int64_t end_ms);

}  // namespace tern::client::internal
