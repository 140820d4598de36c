#include "subscription_data.h"

#include "rebalance.h"

namespace tern::client::internal {

SubscriptionData SubscriptionData::build(const std::string& topic, const MessageSelector& selector,
                                         int64_t sub_version) {
  SubscriptionData s;
  s.topic = topic;
  s.sub_version = sub_version;
  s.expression_type = selector.expression_type();
  if (s.expression_type == "TAG") {
    s.expression = selector.expression().empty() ? "*" : selector.expression();
    s.tags = parse_tags(s.expression);
  } else {
    s.expression = selector.expression();
  }
  return s;
}

JsonValue SubscriptionData::to_json() const {
  JsonValue sd = JsonValue::object();
  sd.set("topic", JsonValue::string(topic));
  sd.set("subString", JsonValue::string(expression));
  JsonValue tag_set = JsonValue::array(), codes = JsonValue::array();
  for (const auto& t : tags) {
    tag_set.push_back(JsonValue::string(t));
    codes.push_back(JsonValue::number(java_hash_code(t)));
  }
  sd.set("tagsSet", std::move(tag_set));
  sd.set("codeSet", std::move(codes));
  sd.set("subVersion", JsonValue::number(sub_version));
  sd.set("classFilterMode", JsonValue::boolean(false));
  sd.set("expressionType", JsonValue::string(expression_type));
  return sd;
}

JsonValue consumer_data_json(const std::string& group, ConsumeType type, MessageModel model, ConsumeFromWhere from,
                             const std::vector<SubscriptionData>& subscriptions) {
  JsonValue d = JsonValue::object();
  d.set("groupName", JsonValue::string(group));
  d.set("consumeType", JsonValue::string(type == ConsumeType::kActively ? "CONSUME_ACTIVELY" : "CONSUME_PASSIVELY"));
  d.set("messageModel", JsonValue::string(tern::client::to_string(model)));
  d.set("consumeFromWhere", JsonValue::string(tern::client::to_string(from)));
  d.set("unitMode", JsonValue::boolean(false));
  JsonValue subs = JsonValue::array();
  for (const auto& s : subscriptions) subs.push_back(s.to_json());
  d.set("subscriptionDataSet", std::move(subs));
  return d;
}

}  // namespace tern::client::internal

namespace tern::client {

const char* to_string(MessageModel m) { return m == MessageModel::CLUSTERING ? "CLUSTERING" : "BROADCASTING"; }

const char* to_string(ConsumeFromWhere w) {
  switch (w) {
    case ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET:
      return "CONSUME_FROM_FIRST_OFFSET";
    case ConsumeFromWhere::CONSUME_FROM_TIMESTAMP:
      return "CONSUME_FROM_TIMESTAMP";
    default:
      return "CONSUME_FROM_LAST_OFFSET";
  }
}

}  // namespace tern::client
