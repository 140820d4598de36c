// Timer messages: reading the requested time, and the timer-topic entry conversions.
#include "broker/timer_message.h"

#include <charconv>
#include <limits>

#include "tern/topic_config.h"

namespace tern::kernel {
namespace {

constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();

// Long.parseLong's syntax ([+-]digits), as RocketMQ reads these properties.
std::optional<int64_t> parse_long(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string describe(std::string_view name, std::string_view value) {
  return std::string(name) + "=" + std::string(value);
}

// The property's value as a whole number of at least 0, or InvalidArgument naming it.
Result<int64_t> non_negative(std::string_view name, std::string_view value) {
  auto v = parse_long(value);
  if (!v) {
    return Status::invalid_argument("timer message property " + describe(name, value) +
                                    " is not a whole number (expected ms since the epoch, or a delay in " +
                                    (name == property::kTimerDelaySec ? "seconds)" : "ms)"));
  }
  if (*v < 0) return Status::invalid_argument("timer message property " + describe(name, value) + " is negative");
  return *v;
}

std::string days(int64_t ms) {
  int64_t tenths = ms / (86400LL * 100);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " days";
}

}  // namespace

Result<std::optional<int64_t>> requested_deliver_ms(const MessageExt& message, int64_t now_ms,
                                                    int64_t max_delay_ms) {
  int32_t tx = sys_flag::transaction_type(message.sys_flag);
  if (tx != sys_flag::kTransactionNotType && tx != sys_flag::kTransactionCommitType) return std::optional<int64_t>();
  if (message.delay_time_level() > 0 || message.has_property(property::kTimerOutMs)) {
    return std::optional<int64_t>();
  }
  struct Source {
    std::string_view name;
    int64_t unit_ms;  // 0: absolute
  };
  static constexpr Source kSources[] = {{property::kTimerDelaySec, 1000},
                                        {property::kTimerDelayMs, 1},
                                        {property::kTimerDeliverMs, 0},
                                        {property::kStartDeliverTime, 0}};
  for (const Source& s : kSources) {
    auto it = message.properties.find(s.name);
    if (it == message.properties.end()) continue;
    auto value = non_negative(s.name, it->second);
    if (!value) return value.status();
    int64_t deliver_ms = *value;
    if (s.unit_ms != 0) {
      if (*value > (kMaxInt64 - now_ms) / s.unit_ms) {
        return Status::invalid_argument("timer message property " + describe(s.name, it->second) + " is too large");
      }
      deliver_ms = now_ms + *value * s.unit_ms;
    }
    if (deliver_ms > now_ms && deliver_ms - now_ms > max_delay_ms) {
      return Status::invalid_argument(
          "timer message property " + describe(s.name, it->second) + " asks for delivery " +
          std::to_string(deliver_ms - now_ms) + " ms (" + days(deliver_ms - now_ms) +
          ") from now, beyond this broker's limit of " + std::to_string(max_delay_ms / 1000) + " s (" +
          days(max_delay_ms) + ", broker key timerMaxDelaySec)");
    }
    return std::optional<int64_t>(deliver_ms);
  }
  return std::optional<int64_t>();
}

void drop_timer_properties(Message* message) {
  for (std::string_view name : {property::kTimerDelaySec, property::kTimerDelayMs, property::kTimerDeliverMs,
                                property::kStartDeliverTime}) {
    message->clear_property(name);
  }
}

void to_timer_entry(MessageExt* message, int64_t deliver_ms) {
  message->set_property(property::kTimerOutMs, std::to_string(deliver_ms));
  message->set_property(property::kRealTopic, message->topic);
  message->set_property(property::kRealQueueId, std::to_string(message->queue_id));
  message->topic = std::string(topic_names::kTimer);
  message->queue_id = kTimerQueueId;
}

Result<int64_t> timer_out_ms(const Message& entry) {
  std::string_view text = entry.property(property::kTimerOutMs);
  auto v = parse_long(text);
  if (!v) return Status::corruption("timer entry has no usable " + describe(property::kTimerOutMs, text));
  return *v;
}

Result<MessageExt> timer_entry_to_delivery(const MessageExt& entry, int64_t now_ms) {
  std::string_view topic = entry.property(property::kRealTopic);
  std::string_view queue = entry.property(property::kRealQueueId);
  auto queue_id = parse_long(queue);
  if (topic.empty() || !queue_id || *queue_id < 0 || *queue_id > std::numeric_limits<int32_t>::max()) {
    return Status::corruption("timer entry at commit-log offset " + std::to_string(entry.commit_log_offset) +
                              " has no usable real topic and queue (" + describe(property::kRealTopic, topic) + ", " +
                              describe(property::kRealQueueId, queue) + ")");
  }
  MessageExt out;
  static_cast<Message&>(out) = static_cast<const Message&>(entry);
  out.topic = std::string(topic);
  out.queue_id = static_cast<int32_t>(*queue_id);
  out.sys_flag = entry.sys_flag;
  out.born_timestamp = entry.born_timestamp;
  out.born_host = entry.born_host;
  out.store_host = entry.store_host;
  out.reconsume_times = entry.reconsume_times;
  out.set_property(property::kTimerEnqueueMs, std::to_string(entry.store_timestamp));
  out.set_property(property::kTimerDequeueMs, std::to_string(now_ms));
  return out;
}

MessageExt timer_entry_to_roll(const MessageExt& entry) {
  MessageExt out;
  static_cast<Message&>(out) = static_cast<const Message&>(entry);
  out.topic = std::string(topic_names::kTimer);
  out.queue_id = kTimerQueueId;
  out.sys_flag = entry.sys_flag;
  out.born_timestamp = entry.born_timestamp;
  out.born_host = entry.born_host;
  out.store_host = entry.store_host;
  out.reconsume_times = entry.reconsume_times;
  auto rolls = parse_long(entry.property(property::kTimerRollTimes));
  out.set_property(property::kTimerRollTimes, std::to_string(rolls && *rolls > 0 ? *rolls + 1 : 1));
  return out;
}

std::string encode_timer_done_offsets(const std::vector<int64_t>& offsets) {
  std::string out;
  out.reserve(offsets.size() * 8);
  for (int64_t o : offsets) {
    if (!out.empty()) out.push_back(',');
    out += std::to_string(o);
  }
  return out;
}

Result<std::vector<int64_t>> decode_timer_done_offsets(std::string_view body) {
  std::vector<int64_t> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find(',', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view item = body.substr(pos, end - pos);
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || v < 0) {
      return Status::corruption("timer delivery-log record: bad offset at byte " + std::to_string(pos) + " ('" +
                                std::string(item.substr(0, 32)) + "')");
    }
    out.push_back(v);
    pos = end + 1;
    if (end + 1 == body.size()) {
      return Status::corruption("timer delivery-log record: empty offset at byte " + std::to_string(end + 1));
    }
  }
  return out;
}

}  // namespace tern::kernel
