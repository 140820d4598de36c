// The SDK's message types are the kernel's (tern/message.h): Message (topic, flag,
// properties, body), MessageExt (what a consumer receives), MessageQueue. This header
// names them in tern::client and adds RocketMQ-style constructors, so that
// `new Message(topic, tags, keys, body)` in Java reads `make_message(topic, tags, keys, body)`.
//
// Thread-safety: plain values; no internal synchronisation.
#pragma once

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

// The client's unique id of a sent message (property UNIQ_KEY), "" when not set.
inline std::string_view uniq_msg_id(const Message& m) { return m.property(property::kUniqueClientMessageId); }

}  // namespace tern::client
