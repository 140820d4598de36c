// What a consumer subscribes to, as the heartbeat and PULL_MESSAGE carry it (RocketMQ's
// SubscriptionData, built as its FilterAPI does), and a consumer's element of the
// heartbeat's consumerDataSet (PROTOCOL.md §5). Shared by the push and lite pull consumers.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "json/json.h"
#include "tern/client/consumer.h"

namespace tern::client::internal {

struct SubscriptionData {
  std::string topic;
  std::string expression = "*";         // TAG: "TagA || TagB" or "*"; SQL92: the expression
  std::set<std::string> tags;           // TAG: the parsed tags; empty = every tag (and for SQL92)
  int64_t sub_version = 0;              // ms when built: the broker keeps the newest
  std::string expression_type = "TAG";  // or "SQL92"

  // `selector` on `topic`: a TAG expression ("" becomes "*") is parsed into tags; any
  // other type is evaluated by the broker only.
  static SubscriptionData build(const std::string& topic, const MessageSelector& selector, int64_t sub_version);

  // Whether the client keeps `m` after the broker's tag-hash filter (RocketMQ re-checks
  // the tag text: two tags may share a hash).
  bool accepts(const MessageExt& m) const { return tags.empty() || tags.count(std::string(m.tags())) != 0; }

  // {"topic","subString","tagsSet","codeSet","subVersion","classFilterMode","expressionType"}.
  JsonValue to_json() const;
};

// "CONSUME_ACTIVELY" (pull) or "CONSUME_PASSIVELY" (push).
enum class ConsumeType { kActively, kPassively };

// {"groupName","consumeType","messageModel","consumeFromWhere","subscriptionDataSet","unitMode"}.
JsonValue consumer_data_json(const std::string& group, ConsumeType type, MessageModel model, ConsumeFromWhere from,
                             const std::vector<SubscriptionData>& subscriptions);

}  // namespace tern::client::internal
