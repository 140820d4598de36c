// QueryResult: what a lookup of messages by key returns (RocketMQ's QueryResult), from
// DefaultMQProducer::query_message and DefaultMQPushConsumer::query_message.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <vector>

#include "tern/client/message.h"

namespace tern::client {

struct QueryResult {
  // The newest time (ms since the epoch) at which an answering broker's index was updated:
  // messages stored after it may not be found yet (the index is built just after a send is
  // answered, on the broker's dispatch thread).
  int64_t index_last_update_timestamp = 0;
  // The messages found, each broker's newest first, brokers in route order.
  std::vector<MessageExt> messages;
};

}  // namespace tern::client
