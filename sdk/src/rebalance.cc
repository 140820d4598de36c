#include "rebalance.h"

#include <algorithm>
#include <chrono>

#include "client_instance.h"
#include "mq_admin.h"
#include "offset_store.h"

namespace tern::client::internal {

std::vector<MessageQueue> allocate_averagely(std::vector<MessageQueue> all, std::vector<std::string> clients,
                                             const std::string& client_id) {
  std::sort(all.begin(), all.end());
  std::sort(clients.begin(), clients.end());
  clients.erase(std::unique(clients.begin(), clients.end()), clients.end());
  auto it = std::find(clients.begin(), clients.end(), client_id);
  if (it == clients.end() || all.empty()) return {};
  const size_t index = static_cast<size_t>(it - clients.begin());
  const size_t n = all.size(), c = clients.size();
  const size_t mod = n % c;
  const size_t average = n <= c ? 1 : (mod > 0 && index < mod ? n / c + 1 : n / c);
  const size_t start = (mod > 0 && index < mod) ? index * average : index * average + mod;
  const size_t range = std::min(average, n - std::min(n, start));
  std::vector<MessageQueue> out;
  for (size_t i = 0; i < range; ++i) out.push_back(all[(start + i) % n]);
  return out;
}

std::set<std::string> parse_tags(const std::string& expression) {
  std::set<std::string> tags;
  size_t pos = 0;
  while (pos <= expression.size()) {
    size_t bar = expression.find("||", pos);
    std::string part = expression.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos);
    size_t b = part.find_first_not_of(" \t"), e = part.find_last_not_of(" \t");
    if (b != std::string::npos) part = part.substr(b, e - b + 1); else part.clear();
    if (part == "*") return {};
    if (!part.empty()) tags.insert(part);
    if (bar == std::string::npos) break;
    pos = bar + 2;
  }
  return tags;
}

int32_t java_hash_code(const std::string& s) {
  uint32_t h = 0;
  for (unsigned char ch : s) h = 31 * h + ch;  // ASCII tags: UTF-16 units equal the bytes
  return static_cast<int32_t>(h);
}

namespace {
constexpr std::chrono::milliseconds kCallTimeout{3000};
}

std::optional<std::vector<MessageQueue>> allocated_queues(MQClientInstance& instance, const std::string& group,
                                                          MessageModel model, const std::string& topic) {
  auto route = instance.cached_route(topic);
  if (!route) {
    auto r = instance.update_topic_route(topic, kCallTimeout);
    if (!r.is_ok()) return std::nullopt;  // e.g. no %RETRY% topic yet
    route = *r;
  }
  auto all = subscribe_message_queues(topic, *route);
  if (model == MessageModel::BROADCASTING) return all;
  auto ids = find_consumer_id_list(instance, topic, group, kCallTimeout);
  if (ids.empty()) {
    instance.logger().debug("consumer ", group, ": no member list for topic ", topic);
    return std::nullopt;
  }
  return allocate_averagely(std::move(all), std::move(ids), instance.client_id());
}

int64_t compute_pull_from_where(MQClientInstance& instance, OffsetStore& store, const MessageQueue& mq,
                                ConsumeFromWhere from, int64_t timestamp_ms) {
  auto stored = store.read_store(mq);
  if (stored.is_ok()) return *stored;
  if (!stored.status().is_not_found()) {
    instance.logger().info(stored.status().to_string());
    return -1;
  }
  if (mq.topic.rfind("%RETRY%", 0) == 0 || from == ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET) return 0;
  auto offset = query_offset(instance, mq,
                             from == ConsumeFromWhere::CONSUME_FROM_TIMESTAMP ? search_offset_request(mq, timestamp_ms)
                                                                              : max_offset_request(mq),
                             kCallTimeout);
  if (!offset.is_ok()) {
    instance.logger().info(offset.status().to_string());
    return -1;
  }
  return *offset;
}

}  // namespace tern::client::internal
