// JSON forms of topic and group tables (contract in topic_config_json.h).
#include "topic_config_json.h"

namespace tern::remoting {

JsonValue topic_config_json(const TopicConfig& c) {
  JsonValue o = JsonValue::object();
  o.set("topicName", JsonValue::string(c.topic_name));
  o.set("readQueueNums", JsonValue::number(c.read_queue_nums));
  o.set("writeQueueNums", JsonValue::number(c.write_queue_nums));
  o.set("perm", JsonValue::number(c.perm));
  o.set("topicFilterType",
        JsonValue::string(c.topic_filter_type == TopicFilterType::kMultiTag ? "MULTI_TAG" : "SINGLE_TAG"));
  o.set("topicSysFlag", JsonValue::number(c.topic_sys_flag));
  o.set("order", JsonValue::boolean(c.order));
  return o;
}

JsonValue data_version_json(const DataVersion& v) {
  JsonValue o = JsonValue::object();
  o.set("timestamp", JsonValue::number(v.timestamp));
  o.set("counter", JsonValue::number(v.counter));
  return o;
}

JsonValue topic_config_wrapper_json(const std::vector<TopicConfig>& topics, const DataVersion& version) {
  JsonValue table = JsonValue::object();
  for (const auto& t : topics) table.set(t.topic_name, topic_config_json(t));
  JsonValue o = JsonValue::object();
  o.set("topicConfigTable", std::move(table));
  o.set("dataVersion", data_version_json(version));
  return o;
}

JsonValue subscription_group_json(const SubscriptionGroupConfig& c) {
  JsonValue o = JsonValue::object();
  o.set("groupName", JsonValue::string(c.group_name));
  o.set("consumeEnable", JsonValue::boolean(c.consume_enable));
  o.set("consumeFromMinEnable", JsonValue::boolean(c.consume_from_min_enable));
  o.set("consumeBroadcastEnable", JsonValue::boolean(c.consume_broadcast_enable));
  o.set("retryQueueNums", JsonValue::number(c.retry_queue_nums));
  o.set("retryMaxTimes", JsonValue::number(c.retry_max_times));
  o.set("brokerId", JsonValue::number(c.broker_id));
  o.set("whichBrokerWhenConsumeSlowly", JsonValue::number(c.which_broker_when_consume_slowly));
  o.set("notifyConsumerIdsChangedEnable", JsonValue::boolean(c.notify_consumer_ids_changed_enable));
  return o;
}

Result<SubscriptionGroupConfig> parse_subscription_group(std::string_view body) {
  auto parsed = parse_json(body);
  if (!parsed.is_ok()) return Status::invalid_argument("subscription group body is not JSON: " + parsed.status().message());
  if (!parsed->is_object()) return Status::invalid_argument("subscription group body is not a JSON object");
  SubscriptionGroupConfig c;
  const JsonValue* name = parsed->find("groupName");
  if (name == nullptr || !name->is_string() || name->text().empty()) {
    return Status::invalid_argument("subscription group body has no groupName");
  }
  c.group_name = name->text();
  auto get_bool = [&](const char* key, bool* out) -> Status {
    const JsonValue* v = parsed->find(key);
    if (v == nullptr || v->is_null()) return Status::ok();
    if (!v->is_bool()) return Status::invalid_argument(std::string("subscription group member ") + key + " is not a boolean");
    *out = v->as_bool();
    return Status::ok();
  };
  auto get_int = [&](const char* key, auto* out) -> Status {
    const JsonValue* v = parsed->find(key);
    if (v == nullptr || v->is_null()) return Status::ok();
    auto n = v->as_int64();
    if (!n.is_ok()) return Status::invalid_argument(std::string("subscription group member ") + key + " is not an integer");
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(*n);
    return Status::ok();
  };
  TERN_RETURN_IF_ERROR(get_bool("consumeEnable", &c.consume_enable));
  TERN_RETURN_IF_ERROR(get_bool("consumeFromMinEnable", &c.consume_from_min_enable));
  TERN_RETURN_IF_ERROR(get_bool("consumeBroadcastEnable", &c.consume_broadcast_enable));
  TERN_RETURN_IF_ERROR(get_bool("notifyConsumerIdsChangedEnable", &c.notify_consumer_ids_changed_enable));
  TERN_RETURN_IF_ERROR(get_int("retryQueueNums", &c.retry_queue_nums));
  TERN_RETURN_IF_ERROR(get_int("retryMaxTimes", &c.retry_max_times));
  TERN_RETURN_IF_ERROR(get_int("brokerId", &c.broker_id));
  TERN_RETURN_IF_ERROR(get_int("whichBrokerWhenConsumeSlowly", &c.which_broker_when_consume_slowly));
  return c;
}

std::string message_queue_json(std::string_view topic, std::string_view broker_name, int32_t queue_id) {
  std::string out = "{\"brokerName\":";
  append_json_string(&out, broker_name);
  out += ",\"queueId\":" + std::to_string(queue_id) + ",\"topic\":";
  append_json_string(&out, topic);
  out += "}";
  return out;
}

}  // namespace tern::remoting
