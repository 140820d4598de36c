// Parsing of TopicRouteData and the producer's queue rotation. Why the rotation looks as
// it does: a retry must leave the broker that just failed (seed 004, RocketMQ's
// TopicPublishInfo), and a plain send spreads over every queue of every broker.
#include "topic_route.h"

#include <algorithm>
#include <charconv>

#include "json/json.h"

namespace tern::client::internal {
namespace {

// An integer held as a JSON number or a string; `fallback` when absent or not a number.
int64_t int_of(const JsonValue* v, int64_t fallback) {
  if (v == nullptr) return fallback;
  std::string_view text = v->text();
  if (!v->is_number() && !v->is_string()) return fallback;
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || ptr != text.data() + text.size()) return fallback;
  return out;
}

std::string string_of(const JsonValue* v) { return v != nullptr && v->is_string() ? v->text() : std::string(); }

}  // namespace

bool operator==(const TopicRouteData& a, const TopicRouteData& b) {
  if (a.order_topic_conf != b.order_topic_conf || a.queue_datas.size() != b.queue_datas.size() ||
      a.broker_datas.size() != b.broker_datas.size()) {
    return false;
  }
  for (size_t i = 0; i < a.queue_datas.size(); ++i) {
    const auto& x = a.queue_datas[i];
    const auto& y = b.queue_datas[i];
    if (x.broker_name != y.broker_name || x.read_queue_nums != y.read_queue_nums ||
        x.write_queue_nums != y.write_queue_nums || x.perm != y.perm || x.topic_sys_flag != y.topic_sys_flag) {
      return false;
    }
  }
  for (size_t i = 0; i < a.broker_datas.size(); ++i) {
    const auto& x = a.broker_datas[i];
    const auto& y = b.broker_datas[i];
    if (x.cluster != y.cluster || x.broker_name != y.broker_name || x.broker_addrs != y.broker_addrs) return false;
  }
  return true;
}

Result<TopicRouteData> parse_topic_route(std::string_view json) {
  auto parsed = parse_json(json);
  if (!parsed.is_ok()) return Status::invalid_argument("route body is not JSON: " + parsed.status().message());
  const JsonValue& root = *parsed;
  if (!root.is_object()) return Status::invalid_argument("route body is not a JSON object");
  TopicRouteData route;
  route.order_topic_conf = string_of(root.find("orderTopicConf"));
  if (const JsonValue* qds = root.find("queueDatas"); qds != nullptr && qds->is_array()) {
    for (const JsonValue& q : qds->values()) {
      if (!q.is_object()) return Status::invalid_argument("queueDatas holds a non-object");
      QueueData qd;
      qd.broker_name = string_of(q.find("brokerName"));
      qd.read_queue_nums = static_cast<int>(int_of(q.find("readQueueNums"), 0));
      qd.write_queue_nums = static_cast<int>(int_of(q.find("writeQueueNums"), 0));
      qd.perm = static_cast<int>(int_of(q.find("perm"), 0));
      qd.topic_sys_flag = static_cast<int>(int_of(q.find("topicSysFlag"), 0));
      if (qd.broker_name.empty()) return Status::invalid_argument("a queueData has no brokerName");
      route.queue_datas.push_back(std::move(qd));
    }
  }
  if (const JsonValue* bds = root.find("brokerDatas"); bds != nullptr && bds->is_array()) {
    for (const JsonValue& b : bds->values()) {
      if (!b.is_object()) return Status::invalid_argument("brokerDatas holds a non-object");
      BrokerData bd;
      bd.cluster = string_of(b.find("cluster"));
      bd.broker_name = string_of(b.find("brokerName"));
      if (const JsonValue* addrs = b.find("brokerAddrs"); addrs != nullptr && addrs->is_object()) {
        for (size_t i = 0; i < addrs->size(); ++i) {
          JsonValue key = JsonValue::string(addrs->keys()[i]);
          int64_t id = int_of(&key, -1);
          if (id < 0 || !addrs->values()[i].is_string()) continue;
          bd.broker_addrs[id] = addrs->values()[i].text();
        }
      }
      route.broker_datas.push_back(std::move(bd));
    }
  }
  std::sort(route.queue_datas.begin(), route.queue_datas.end(),
            [](const QueueData& a, const QueueData& b) { return a.broker_name < b.broker_name; });
  std::sort(route.broker_datas.begin(), route.broker_datas.end(),
            [](const BrokerData& a, const BrokerData& b) { return a.broker_name < b.broker_name; });
  return route;
}

std::vector<MessageQueue> subscribe_message_queues(const std::string& topic, const TopicRouteData& route) {
  std::vector<MessageQueue> out;
  for (const QueueData& qd : route.queue_datas) {
    if ((qd.perm & kPermRead) == 0) continue;
    for (int i = 0; i < qd.read_queue_nums; ++i) out.push_back(MessageQueue{topic, qd.broker_name, i});
  }
  std::sort(out.begin(), out.end());
  return out;
}

TopicPublishInfo::TopicPublishInfo(const std::string& topic, const TopicRouteData& route, int max_queues_per_broker,
                                   uint32_t start)
    : route_(route), send_which_queue_(start) {
  for (const QueueData& qd : route.queue_datas) {
    if ((qd.perm & kPermWrite) == 0) continue;
    auto broker = std::find_if(route.broker_datas.begin(), route.broker_datas.end(),
                               [&](const BrokerData& b) { return b.broker_name == qd.broker_name; });
    if (broker == route.broker_datas.end() || broker->master_addr().empty()) continue;
    int n = qd.write_queue_nums;
    if (max_queues_per_broker > 0) n = std::min(n, max_queues_per_broker);
    for (int i = 0; i < n; ++i) queues_.push_back(MessageQueue{topic, qd.broker_name, i});
  }
  std::sort(queues_.begin(), queues_.end());
}

MessageQueue TopicPublishInfo::select_one_message_queue(std::string_view last_broker_name) const {
  const uint32_t n = static_cast<uint32_t>(queues_.size());
  if (!last_broker_name.empty()) {
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t index = send_which_queue_.fetch_add(1, std::memory_order_relaxed) % n;
      if (queues_[index].broker_name != last_broker_name) return queues_[index];
    }
  }
  return queues_[send_which_queue_.fetch_add(1, std::memory_order_relaxed) % n];
}

}  // namespace tern::client::internal
