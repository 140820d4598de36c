// LOCK/UNLOCK_BATCH_MQ bodies (contract in lock_batch_body.h).
#include "lock_batch_body.h"

#include <limits>

#include "json/json.h"

namespace tern::remoting {
namespace {

Result<int32_t> queue_id_of(const JsonValue* v, size_t index) {
  const std::string what = "mqSet[" + std::to_string(index) + "].queueId";
  if (v == nullptr || v->is_null()) return Status::invalid_argument(what + " is missing");
  Result<int64_t> n = Status::invalid_argument(what + " is not an integer");
  if (v->is_number()) {
    n = v->as_int64();
  } else if (v->is_string()) {
    auto parsed = parse_json(v->text());
    if (parsed.is_ok() && parsed->is_number()) n = parsed->as_int64();
  }
  if (!n.is_ok() || *n < std::numeric_limits<int32_t>::min() || *n > std::numeric_limits<int32_t>::max()) {
    return Status::invalid_argument(what + " is not a 32-bit integer");
  }
  return static_cast<int32_t>(*n);
}

Result<MessageQueue> queue_of(const JsonValue& v, size_t index) {
  const std::string where = "mqSet[" + std::to_string(index) + "]";
  if (!v.is_object()) return Status::invalid_argument(where + " is not an object");
  MessageQueue q;
  const JsonValue* topic = v.find("topic");
  const JsonValue* broker = v.find("brokerName");
  if (topic == nullptr || !topic->is_string() || topic->text().empty()) {
    return Status::invalid_argument(where + ".topic is missing or not a string");
  }
  if (broker == nullptr || !broker->is_string() || broker->text().empty()) {
    return Status::invalid_argument(where + ".brokerName is missing or not a string");
  }
  auto id = queue_id_of(v.find("queueId"), index);
  if (!id.is_ok()) return id.status();
  return MessageQueue{topic->text(), broker->text(), *id};
}

Result<std::vector<MessageQueue>> queues_of(const JsonValue* set, const char* name) {
  std::vector<MessageQueue> out;
  if (set == nullptr || set->is_null()) return out;
  if (!set->is_array()) return Status::invalid_argument(std::string(name) + " is not an array");
  out.reserve(set->size());
  for (size_t i = 0; i < set->size(); ++i) {
    auto q = queue_of(set->values()[i], i);
    if (!q.is_ok()) return q.status();
    out.push_back(std::move(*q));
  }
  return out;
}

Result<JsonValue> object_of(std::string_view body, const char* what) {
  auto parsed = parse_json(body);
  if (!parsed.is_ok())
    return Status::invalid_argument(std::string(what) + " is not JSON: " + parsed.status().message());
  if (!parsed->is_object()) return Status::invalid_argument(std::string(what) + " is not a JSON object");
  return std::move(*parsed);
}

JsonValue queue_json(const MessageQueue& q) {
  JsonValue o = JsonValue::object();  // fastjson's order: alphabetical
  o.set("brokerName", JsonValue::string(q.broker_name));
  o.set("queueId", JsonValue::number(q.queue_id));
  o.set("topic", JsonValue::string(q.topic));
  return o;
}

JsonValue queues_json(const std::vector<MessageQueue>& qs) {
  JsonValue a = JsonValue::array();
  for (const auto& q : qs) a.push_back(queue_json(q));
  return a;
}

}  // namespace

Result<LockBatchRequest> decode_lock_batch_request(std::string_view body) {
  auto root = object_of(body, "lock batch body");
  if (!root.is_ok()) return root.status();
  LockBatchRequest out;
  for (auto [key, field] : {std::pair{"consumerGroup", &out.consumer_group}, std::pair{"clientId", &out.client_id}}) {
    const JsonValue* v = root->find(key);
    if (v == nullptr || !v->is_string() || v->text().empty()) {
      return Status::invalid_argument(std::string("lock batch body: ") + key + " is missing or not a string");
    }
    *field = v->text();
  }
  if (const JsonValue* only = root->find("onlyThisBroker"); only != nullptr) {
    out.only_this_broker = (only->is_bool() && only->as_bool()) || (only->is_string() && only->text() == "true");
  }
  auto queues = queues_of(root->find("mqSet"), "mqSet");
  if (!queues.is_ok()) return Status::invalid_argument("lock batch body: " + queues.status().message());
  out.mq_set = std::move(*queues);
  return out;
}

std::string encode_lock_batch_request(const LockBatchRequest& request) {
  JsonValue root = JsonValue::object();
  root.set("clientId", JsonValue::string(request.client_id));
  root.set("consumerGroup", JsonValue::string(request.consumer_group));
  root.set("mqSet", queues_json(request.mq_set));
  root.set("onlyThisBroker", JsonValue::boolean(request.only_this_broker));
  return serialize_json(root);
}

Result<std::vector<MessageQueue>> decode_lock_batch_response(std::string_view body) {
  auto root = object_of(body, "lock batch response");
  if (!root.is_ok()) return root.status();
  auto queues = queues_of(root->find("lockOKMQSet"), "lockOKMQSet");
  if (!queues.is_ok()) return Status::invalid_argument("lock batch response: " + queues.status().message());
  return std::move(*queues);
}

std::string encode_lock_batch_response(const std::vector<MessageQueue>& locked) {
  JsonValue root = JsonValue::object();
  root.set("lockOKMQSet", queues_json(locked));
  return serialize_json(root);
}

}  // namespace tern::remoting
