// MessageQueueSelector: picks the queue of a send from the topic's writable queues (RocketMQ's
// MessageQueueSelector), for ordered messages: every message whose selector argument is
// the same lands on the same queue, in send order. Any callable with the signature works
// (a lambda); select_message_queue_by_hash() is RocketMQ's SelectMessageQueueByHash.
//
// The queues are sorted by broker name, then queue id, so a selector is stable while the
// route is. `arg` is what the caller passed to send(); it may be empty.
//
// Thread-safety: a selector may be called from several sending threads at once.
#pragma once

#include <any>
#include <functional>
#include <vector>

#include "tern/client/message.h"

namespace tern::client {

using MessageQueueSelector =
    std::function<MessageQueue(const std::vector<MessageQueue>& mqs, const Message& msg, const std::any& arg)>;

// abs(hash(arg)) % mqs.size(): arg may hold an integer (int, long, long long, and their
// unsigned forms) or a std::string / const char*; any other type selects queue 0.
MessageQueueSelector select_message_queue_by_hash();
// A random queue (RocketMQ's SelectMessageQueueByRandom).
MessageQueueSelector select_message_queue_by_random();

}  // namespace tern::client
