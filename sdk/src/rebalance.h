// Queue allocation of a rebalance (RocketMQ's AllocateMessageQueueAveragely) and the
// parsing of TAG subscription expressions: pure functions, unit-tested.
//
// Thread-safety: pure functions.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "tern/client/message.h"

namespace tern::client::internal {

// The queues `client_id` gets: `all` and `clients` are sorted here (queues by topic,
// broker name, queue id; client ids lexicographically); empty when client_id is absent.
std::vector<MessageQueue> allocate_averagely(std::vector<MessageQueue> all, std::vector<std::string> clients,
                                             const std::string& client_id);

// The tags of "TagA || TagB"; empty for "*" or "" (every tag).
std::set<std::string> parse_tags(const std::string& expression);

// Java's String.hashCode of `s` (the codeSet of a subscription).
int32_t java_hash_code(const std::string& s);

}  // namespace tern::client::internal
