// The SDK's message types are the kernel's (tern/message.h): Message (topic, flag,
// properties, body), MessageExt (what a consumer receives), MessageQueue. This header
// names them in tern::client and adds RocketMQ-style constructors, so that
// `new Message(topic, tags, keys, body)` in Java reads `make_message(topic, tags, keys, body)`.
//
// Thread-safety: plain values; no internal synchronisation.
#pragma once

#include <cstdint>
#include <string>

#include "tern/message.h"

namespace tern::client {

using Message = tern::Message;
using MessageExt = tern::MessageExt;
using MessageQueue = tern::MessageQueue;

// A message to `topic` with `body` (bytes), and a tag and space-separated keys when not empty.
inline Message make_message(std::string topic, std::string tags, std::string keys, std::string body) {
  Message m;
  m.topic = std::move(topic);
  m.body = std::move(body);
  if (!tags.empty()) m.set_tags(std::move(tags));
  if (!keys.empty()) m.set_property(property::kKeys, std::move(keys));
  return m;
}
inline Message make_message(std::string topic, std::string tags, std::string body) {
  return make_message(std::move(topic), std::move(tags), std::string(), std::move(body));
}
inline Message make_message(std::string topic, std::string body) {
  return make_message(std::move(topic), std::string(), std::string(), std::move(body));
}

// RocketMQ's delay levels: 1 = 1s, 2 = 5s, ... (the broker's messageDelayLevel).
inline void set_delay_time_level(Message* m, int level) {
  m->set_property(property::kDelayTimeLevel, std::to_string(level));
}

// Timer messages (RocketMQ 5): delivery at an arbitrary time, up to the broker's
// timerMaxDelaySec (7 days by default; a send asking for more fails with MESSAGE_ILLEGAL
// naming the limit). The broker keeps the message in its timer topic and delivers it to
// the topic and queue it was sent to, within about 10 ms of the time, never before; a time
// already past delivers at once. Set one of the three (a delay level, if also set, wins and
// the timer property is dropped). The delivered message carries the property plus
// TIMER_OUT_MS (the due time), TIMER_ENQUEUE_MS and TIMER_DEQUEUE_MS. Batches may hold timer
// messages: the broker parks the whole batch and delivers each message at its own time.
//
// At `deliver_time_ms`, ms since the epoch (property TIMER_DELIVER_MS).
inline void set_deliver_time_ms(Message* m, int64_t deliver_time_ms) {
  m->set_property(property::kTimerDeliverMs, std::to_string(deliver_time_ms));
}
// `delay_ms` after the broker received it (property TIMER_DELAY_MS).
inline void set_delay_time_ms(Message* m, int64_t delay_ms) {
  m->set_property(property::kTimerDelayMs, std::to_string(delay_ms));
}
// `delay_sec` seconds after the broker received it (property TIMER_DELAY_SEC).
inline void set_delay_time_sec(Message* m, int64_t delay_sec) {
  m->set_property(property::kTimerDelaySec, std::to_string(delay_sec));
}

// The client's unique id of a sent message (property UNIQ_KEY), "" when not set.
inline std::string_view uniq_msg_id(const Message& m) { return m.property(property::kUniqueClientMessageId); }

}  // namespace tern::client
