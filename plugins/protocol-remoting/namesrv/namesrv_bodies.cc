// Name-server bodies (contract in namesrv_bodies.h). Encoders write JSON text directly
// rather than building JsonValue trees: ClusterInfo of a big cluster has many members,
// and the order of members is then exactly what the header documents.
#include "namesrv_bodies.h"

#include <charconv>
#include <limits>

#include "json/json.h"

namespace tern::remoting {
namespace {

// An integer member: a JSON number, or a string holding one (fastjson accepts both).
Result<int64_t> integer_of(const JsonValue& v, std::string_view what) {
  if (v.is_number()) {
    auto n = v.as_int64();
    if (!n) return Status::invalid_argument(std::string(what) + " is not an integer: " + v.text());
    return *n;
  }
  if (v.is_string()) {
    int64_t n = 0;
    const std::string& s = v.text();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return n;
    return Status::invalid_argument(std::string(what) + " is not an integer: \"" + s + "\"");
  }
  return Status::invalid_argument(std::string(what) + " is not a number");
}

Status read_int32(const JsonValue& object, std::string_view member, std::string_view context, int32_t* out) {
  const JsonValue* v = object.find(member);
  if (v == nullptr || v->is_null()) return Status::ok();  // keep the default
  std::string what = std::string(context) + "." + std::string(member);
  auto n = integer_of(*v, what);
  if (!n) return n.status();
  if (*n < std::numeric_limits<int32_t>::min() || *n > std::numeric_limits<int32_t>::max()) {
    return Status::invalid_argument(what + " is out of the 32-bit range: " + std::to_string(*n));
  }
  *out = static_cast<int32_t>(*n);
  return Status::ok();
}

Result<DataVersion> data_version_of(const JsonValue& v) {
  if (!v.is_object()) return Status::invalid_argument("dataVersion is not an object");
  DataVersion version;
  if (const JsonValue* t = v.find("timestamp"); t && !t->is_null()) {
    auto n = integer_of(*t, "dataVersion.timestamp");
    if (!n) return n.status();
    version.timestamp = *n;
  }
  if (const JsonValue* c = v.find("counter"); c && !c->is_null()) {
    auto n = integer_of(*c, "dataVersion.counter");
    if (!n) return n.status();
    version.counter = *n;
  }
  return version;
}

Status read_wrapper(const JsonValue& wrapper, RegisterBrokerBody* body) {
  if (!wrapper.is_object()) return Status::invalid_argument("topicConfigSerializeWrapper is not an object");
  if (const JsonValue* table = wrapper.find("topicConfigTable"); table && !table->is_null()) {
    if (!table->is_object()) return Status::invalid_argument("topicConfigTable is not an object");
    body->topics.reserve(table->size());
    for (size_t i = 0; i < table->size(); ++i) {
      const std::string& key = table->keys()[i];
      const JsonValue& config = table->values()[i];
      std::string context = "topicConfigTable[\"" + key + "\"]";
      if (!config.is_object()) return Status::invalid_argument(context + " is not an object");
      RegisteredTopic topic;
      topic.topic = key;
      if (const JsonValue* name = config.find("topicName"); name && name->is_string() && !name->text().empty()) {
        topic.topic = name->text();  // RocketMQ routes by the config's own name
      }
      if (topic.topic.empty()) return Status::invalid_argument(context + " has an empty topic name");
      TERN_RETURN_IF_ERROR(read_int32(config, "readQueueNums", context, &topic.read_queue_nums));
      TERN_RETURN_IF_ERROR(read_int32(config, "writeQueueNums", context, &topic.write_queue_nums));
      TERN_RETURN_IF_ERROR(read_int32(config, "perm", context, &topic.perm));
      TERN_RETURN_IF_ERROR(read_int32(config, "topicSysFlag", context, &topic.topic_sys_flag));
      body->topics.push_back(std::move(topic));
    }
  }
  if (const JsonValue* version = wrapper.find("dataVersion"); version && !version->is_null()) {
    auto v = data_version_of(*version);
    if (!v) return v.status();
    body->data_version = *v;
  }
  return Status::ok();
}

void append_int(std::string* out, int64_t n) { out->append(std::to_string(n)); }

void append_broker_data(std::string* out, const BrokerData& b) {
  out->append("{\"cluster\":");
  append_json_string(out, b.cluster);
  out->append(",\"brokerName\":");
  append_json_string(out, b.broker_name);
  out->append(",\"brokerAddrs\":{");
  bool first = true;
  for (const auto& [id, addr] : b.broker_addrs) {
    if (!first) out->push_back(',');
    first = false;
    out->push_back('"');
    append_int(out, id);
    out->append("\":");
    append_json_string(out, addr);
  }
  out->append("}}");
}

void append_string_array(std::string* out, const auto& strings) {
  out->push_back('[');
  bool first = true;
  for (const std::string& s : strings) {
    if (!first) out->push_back(',');
    first = false;
    append_json_string(out, s);
  }
  out->push_back(']');
}

}  // namespace

Result<RegisterBrokerBody> parse_register_broker_body(std::string_view text) {
  RegisterBrokerBody body;
  if (text.empty()) {
    body.data_version = DataVersion{};
    return body;
  }
  auto parsed = parse_json(text);
  if (!parsed) return parsed.status().with_context("register-broker body is not JSON");
  const JsonValue& root = *parsed;
  if (!root.is_object()) return Status::invalid_argument("register-broker body is not a JSON object");
  Status s;
  if (const JsonValue* wrapper = root.find("topicConfigSerializeWrapper"); wrapper && !wrapper->is_null()) {
    s = read_wrapper(*wrapper, &body);
  } else if (root.find("topicConfigTable") || root.find("dataVersion")) {
    s = read_wrapper(root, &body);  // a bare TopicConfigSerializeWrapper
  }
  if (!s.is_ok()) return s.with_context("bad register-broker body");
  if (const JsonValue* list = root.find("filterServerList"); list && !list->is_null()) {
    if (!list->is_array()) return Status::invalid_argument("bad register-broker body: filterServerList is not an array");
    std::vector<std::string> servers;
    for (const JsonValue& v : list->values()) {
      if (!v.is_string()) return Status::invalid_argument("bad register-broker body: filterServerList holds a non-string");
      servers.push_back(v.text());
    }
    body.filter_servers = std::move(servers);
  }
  return body;
}

Result<DataVersion> parse_data_version(std::string_view text) {
  if (text.empty()) return DataVersion{};
  auto parsed = parse_json(text);
  if (!parsed) return parsed.status().with_context("dataVersion body is not JSON");
  return data_version_of(*parsed);
}

std::string encode_data_version(const DataVersion& version) {
  std::string out = "{\"timestamp\":";
  append_int(&out, version.timestamp);
  out.append(",\"counter\":");
  append_int(&out, version.counter);
  out.push_back('}');
  return out;
}

std::string encode_topic_route_data(const TopicRouteData& route) {
  std::string out = "{\"orderTopicConf\":";
  if (route.order_topic_conf) {
    append_json_string(&out, *route.order_topic_conf);
  } else {
    out.append("null");
  }
  out.append(",\"queueDatas\":[");
  for (size_t i = 0; i < route.queue_datas.size(); ++i) {
    const QueueData& q = route.queue_datas[i];
    if (i != 0) out.push_back(',');
    out.append("{\"brokerName\":");
    append_json_string(&out, q.broker_name);
    out.append(",\"readQueueNums\":");
    append_int(&out, q.read_queue_nums);
    out.append(",\"writeQueueNums\":");
    append_int(&out, q.write_queue_nums);
    out.append(",\"perm\":");
    append_int(&out, q.perm);
    out.append(",\"topicSysFlag\":");
    append_int(&out, q.topic_sys_flag);
    out.push_back('}');
  }
  out.append("],\"brokerDatas\":[");
  for (size_t i = 0; i < route.broker_datas.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_broker_data(&out, route.broker_datas[i]);
  }
  out.append("],\"filterServerTable\":{");
  bool first = true;
  for (const auto& [addr, servers] : route.filter_server_table) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(&out, addr);
    out.push_back(':');
    append_string_array(&out, servers);
  }
  out.append("}}");
  return out;
}

std::string encode_cluster_info(const std::map<std::string, BrokerData>& broker_addr_table,
                                const std::map<std::string, std::set<std::string>>& cluster_addr_table) {
  std::string out = "{\"brokerAddrTable\":{";
  bool first = true;
  for (const auto& [name, data] : broker_addr_table) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(&out, name);
    out.push_back(':');
    append_broker_data(&out, data);
  }
  out.append("},\"clusterAddrTable\":{");
  first = true;
  for (const auto& [cluster, names] : cluster_addr_table) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(&out, cluster);
    out.push_back(':');
    append_string_array(&out, names);
  }
  out.append("}}");
  return out;
}

std::string encode_topic_list(const std::vector<std::string>& topics) {
  std::string out = "{\"topicList\":";
  append_string_array(&out, topics);
  out.append(",\"brokerAddr\":null}");
  return out;
}

std::string encode_kv_table(const std::map<std::string, std::string>& table) {
  std::string out = "{\"table\":{";
  bool first = true;
  for (const auto& [key, value] : table) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(&out, key);
    out.push_back(':');
    append_json_string(&out, value);
  }
  out.append("}}");
  return out;
}

}  // namespace tern::remoting
