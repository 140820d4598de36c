// A consumer's rebalance (RocketMQ's RebalanceImpl), shared by the push and lite pull
// consumers: which queues of a topic this client takes (allocated_queues, over the pure
// AllocateMessageQueueAveragely in allocate_averagely) and where a newly taken queue
// starts (compute_pull_from_where); and the parsing of TAG subscription expressions.
//
// Thread-safety: the pure functions anywhere; allocated_queues and
// compute_pull_from_where block on the network (never on the io thread).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tern/client/consumer.h"
#include "tern/client/message.h"

namespace tern::client::internal {

class MQClientInstance;
class OffsetStore;

// The queues `client_id` gets: `all` and `clients` are sorted here (queues by topic,
// broker name, queue id; client ids lexicographically); empty when client_id is absent.
std::vector<MessageQueue> allocate_averagely(std::vector<MessageQueue> all, std::vector<std::string> clients,
                                             const std::string& client_id);

// The tags of "TagA || TagB"; empty for "*" or "" (every tag).
std::set<std::string> parse_tags(const std::string& expression);

// Java's String.hashCode of `s` (the codeSet of a subscription).
int32_t java_hash_code(const std::string& s);

// The queues of `topic` this client should hold (RocketMQ's rebalanceByTopic): every
// readable queue in BROADCASTING, else its average share among `group`'s live members
// (GET_CONSUMER_LIST_BY_GROUP). nullopt when that cannot be told now (no route, no
// member list): the caller keeps what it holds.
std::optional<std::vector<MessageQueue>> allocated_queues(MQClientInstance& instance, const std::string& group,
                                                          MessageModel model, const std::string& topic);

// Where a newly taken queue starts (RocketMQ's computePullFromWhere): the offset in
// `store` (the broker's or the file's), else 0 for a %RETRY% topic and for
// CONSUME_FROM_FIRST_OFFSET, GET_MAX_OFFSET for CONSUME_FROM_LAST_OFFSET and
// SEARCH_OFFSET_BY_TIMESTAMP of `timestamp_ms` for CONSUME_FROM_TIMESTAMP. -1 when it
// cannot be known now (the broker did not answer): try again later.
int64_t compute_pull_from_where(MQClientInstance& instance, OffsetStore& store, const MessageQueue& mq,
                                ConsumeFromWhere from, int64_t timestamp_ms);

}  // namespace tern::client::internal
