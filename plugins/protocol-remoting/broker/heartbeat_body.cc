// HEART_BEAT body decoder (contract in heartbeat_body.h).
#include "heartbeat_body.h"

#include "json/json.h"

namespace tern::remoting {
namespace {

std::string text_of(const JsonValue* v) {
  if (v == nullptr || v->is_null()) return {};
  if (v->is_bool()) return v->as_bool() ? "true" : "false";
  return v->text();  // strings and numbers
}

Result<int64_t> int_of(const JsonValue* v, std::string_view what) {
  if (v == nullptr || v->is_null()) return int64_t{0};
  if (v->is_number()) return v->as_int64();
  if (v->is_string()) {
    auto parsed = parse_json(v->text());
    if (parsed.is_ok() && parsed->is_number()) return parsed->as_int64();
  }
  return Status::invalid_argument("heartbeat: " + std::string(what) + " is not an integer");
}

bool bool_of(const JsonValue* v) {
  return v != nullptr && ((v->is_bool() && v->as_bool()) || (v->is_string() && v->text() == "true"));
}

}  // namespace

std::string_view message_model_name(MessageModel model) {
  return model == MessageModel::kBroadcasting ? "BROADCASTING" : "CLUSTERING";
}
std::string_view consume_type_name(ConsumeType type) {
  return type == ConsumeType::kActively ? "CONSUME_ACTIVELY" : "CONSUME_PASSIVELY";
}
std::string_view consume_from_where_name(ConsumeFromWhere where) {
  switch (where) {
    case ConsumeFromWhere::kFirstOffset: return "CONSUME_FROM_FIRST_OFFSET";
    case ConsumeFromWhere::kTimestamp: return "CONSUME_FROM_TIMESTAMP";
    case ConsumeFromWhere::kLastOffset: break;
  }
  return "CONSUME_FROM_LAST_OFFSET";
}

Result<HeartbeatBody> decode_heartbeat(std::string_view body) {
  auto parsed = parse_json(body);
  if (!parsed.is_ok()) return Status::invalid_argument("heartbeat body is not JSON: " + parsed.status().message());
  const JsonValue& root = *parsed;
  if (!root.is_object()) return Status::invalid_argument("heartbeat body is not a JSON object");
  HeartbeatBody out;
  out.client_id = text_of(root.find("clientID"));
  if (out.client_id.empty()) return Status::invalid_argument("heartbeat: clientID is missing");

  if (const JsonValue* producers = root.find("producerDataSet"); producers != nullptr && producers->is_array()) {
    for (const JsonValue& p : producers->values()) {
      std::string group = text_of(p.find("groupName"));
      if (group.empty()) return Status::invalid_argument("heartbeat: a producer has no groupName");
      out.producer_groups.push_back(std::move(group));
    }
  }
  const JsonValue* consumers = root.find("consumerDataSet");
  if (consumers == nullptr || !consumers->is_array()) return out;
  for (const JsonValue& c : consumers->values()) {
    ConsumerHeartbeat hb;
    hb.client_id = out.client_id;
    hb.group = text_of(c.find("groupName"));
    if (hb.group.empty()) return Status::invalid_argument("heartbeat: a consumer has no groupName");
    hb.consume_type = text_of(c.find("consumeType")) == "CONSUME_ACTIVELY" ? ConsumeType::kActively
                                                                           : ConsumeType::kPassively;
    hb.message_model =
        text_of(c.find("messageModel")) == "BROADCASTING" ? MessageModel::kBroadcasting : MessageModel::kClustering;
    std::string from = text_of(c.find("consumeFromWhere"));
    hb.consume_from_where = from == "CONSUME_FROM_FIRST_OFFSET" ? ConsumeFromWhere::kFirstOffset
                            : from == "CONSUME_FROM_TIMESTAMP"  ? ConsumeFromWhere::kTimestamp
                                                                : ConsumeFromWhere::kLastOffset;
    hb.unit_mode = bool_of(c.find("unitMode"));
    if (const JsonValue* subs = c.find("subscriptionDataSet"); subs != nullptr && subs->is_array()) {
      for (const JsonValue& s : subs->values()) {
        Subscription sub;
        sub.topic = text_of(s.find("topic"));
        if (sub.topic.empty()) return Status::invalid_argument("heartbeat: a subscription of " + hb.group + " has no topic");
        sub.expression = text_of(s.find("subString"));
        std::string type = text_of(s.find("expressionType"));
        sub.expression_type = type.empty() ? "TAG" : type;
        auto version = int_of(s.find("subVersion"), "subVersion");
        if (!version.is_ok()) return version.status();
        sub.version = *version;
        sub.class_filter_mode = bool_of(s.find("classFilterMode"));
        if (const JsonValue* tags = s.find("tagsSet"); tags != nullptr && tags->is_array()) {
          for (const JsonValue& t : tags->values()) sub.tags.push_back(text_of(&t));
        }
        if (const JsonValue* codes = s.find("codeSet"); codes != nullptr && codes->is_array()) {
          for (const JsonValue& code : codes->values()) {
            auto v = int_of(&code, "codeSet");
            if (!v.is_ok()) return v.status();
            sub.codes.push_back(static_cast<int32_t>(*v));
          }
        }
        hb.subscriptions.push_back(std::move(sub));
      }
    }
    out.consumers.push_back(std::move(hb));
  }
  return out;
}

}  // namespace tern::remoting
