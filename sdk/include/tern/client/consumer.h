// Consumer settings and listener types shared by the SDK's consumers, with RocketMQ's
// names: MessageModel, ConsumeFromWhere, ConsumeConcurrentlyStatus,
// MessageListenerConcurrently (a callable taking the batch of messages, and optionally
// the ConsumeConcurrentlyContext) and MessageListenerOrderly.
//
// Thread-safety: plain values and callables; a listener is called from the consumer's
// consume threads, possibly several at once.
#pragma once

#include <climits>
#include <functional>
#include <string>
#include <vector>

#include "tern/client/message.h"

namespace tern::client {

enum class MessageModel { BROADCASTING, CLUSTERING };

enum class ConsumeFromWhere { CONSUME_FROM_LAST_OFFSET, CONSUME_FROM_FIRST_OFFSET, CONSUME_FROM_TIMESTAMP };

enum class ConsumeConcurrentlyStatus { CONSUME_SUCCESS, RECONSUME_LATER };

enum class ConsumeOrderlyStatus { SUCCESS, SUSPEND_CURRENT_QUEUE_A_MOMENT };

// RocketMQ's MessageListenerConcurrently.consumeMessage, without the context argument.
// At most consumeMessageBatchMaxSize messages of one queue per call. An exception thrown
// counts as RECONSUME_LATER. A message redelivered from the group's retry topic comes with
// its original topic (RETRY_TOPIC) and its reconsume_times.
using MessageListenerConcurrently = std::function<ConsumeConcurrentlyStatus(const std::vector<MessageExt>&)>;

// RocketMQ's ConsumeConcurrentlyContext: what a concurrently consuming listener may set.
struct ConsumeConcurrentlyContext {
  MessageQueue message_queue;  // the queue the batch came from (the retry topic's for a retry)
  // RocketMQ's delayLevelWhenNextConsume for messages sent back: 0 lets the broker choose
  // (level 3 + reconsume times), > 0 a level of messageDelayLevel, -1 straight to the
  // group's dead-letter queue.
  int delay_level_when_next_consume = 0;
  // RocketMQ's ackIndex: with CONSUME_SUCCESS the messages after this index are still
  // sent back (INT_MAX: none); with RECONSUME_LATER every message is.
  int ack_index = INT_MAX;
};

// The same listener with the context argument, as RocketMQ's consumeMessage(msgs, context).
using MessageListenerConcurrentlyWithContext =
    std::function<ConsumeConcurrentlyStatus(const std::vector<MessageExt>&, ConsumeConcurrentlyContext&)>;

// RocketMQ's MessageListenerOrderly.consumeMessage, without the context argument: the
// messages of one queue in queue order, one call at a time per queue.
// SUSPEND_CURRENT_QUEUE_A_MOMENT (or an exception) retries the same batch after 1 s.
using MessageListenerOrderly = std::function<ConsumeOrderlyStatus(const std::vector<MessageExt>&)>;

// RocketMQ's MessageSelector: what a subscription selects, by tag or by a SQL92 expression
// over the message's properties (evaluated on the broker; needs enablePropertyFilter=true
// there, and the filter-sql92 plugin).
class MessageSelector {
 public:
  // "TagA || TagB", or "*" / "" for every tag.
  static MessageSelector by_tag(std::string expression) { return {"TAG", std::move(expression)}; }
  // "a BETWEEN 2 AND 3 AND b = 'x'".
  static MessageSelector by_sql(std::string expression) { return {"SQL92", std::move(expression)}; }

  const std::string& expression_type() const { return type_; }
  const std::string& expression() const { return expression_; }

 private:
  MessageSelector(std::string type, std::string expression)
      : type_(std::move(type)), expression_(std::move(expression)) {}
  std::string type_;
  std::string expression_;
};

const char* to_string(MessageModel m);
const char* to_string(ConsumeFromWhere w);

}  // namespace tern::client
