// TopicConfig and SubscriptionGroupConfig: the per-topic and per-consumer-group metadata a
// broker keeps (RocketMQ's topics.json and subscriptionGroup.json entries), with RocketMQ's
// defaults, permission bits and reserved topic names.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tern {

// Permission bits of a topic or broker, as RocketMQ's PermName.
namespace perm {
inline constexpr int32_t kPriority = 0x8;
inline constexpr int32_t kRead = 0x4;
inline constexpr int32_t kWrite = 0x2;
inline constexpr int32_t kInherit = 0x1;
inline bool is_readable(int32_t p) { return (p & kRead) != 0; }
inline bool is_writeable(int32_t p) { return (p & kWrite) != 0; }
}  // namespace perm

// Reserved topics and prefixes, spelled as RocketMQ spells them.
namespace topic_names {
inline constexpr std::string_view kAutoCreateTopicKey = "TBW102";  // template for auto-created topics
inline constexpr std::string_view kSchedule = "SCHEDULE_TOPIC_XXXX";
inline constexpr std::string_view kTransactionHalf = "RMQ_SYS_TRANS_HALF_TOPIC";
inline constexpr std::string_view kTransactionOpHalf = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
// Timer messages wait here until due (RocketMQ 5's TimerMessageStore.TIMER_TOPIC).
inline constexpr std::string_view kTimer = "rmq_sys_wheel_timer";
inline constexpr std::string_view kRetryPrefix = "%RETRY%";
inline constexpr std::string_view kDlqPrefix = "%DLQ%";
inline std::string retry_topic(std::string_view group) { return std::string(kRetryPrefix) + std::string(group); }
inline std::string dlq_topic(std::string_view group) { return std::string(kDlqPrefix) + std::string(group); }
inline bool is_retry_topic(std::string_view t) { return t.substr(0, kRetryPrefix.size()) == kRetryPrefix; }
inline bool is_dlq_topic(std::string_view t) { return t.substr(0, kDlqPrefix.size()) == kDlqPrefix; }
}  // namespace topic_names

enum class TopicFilterType { kSingleTag, kMultiTag };

struct TopicConfig {
  std::string topic_name;
  int32_t read_queue_nums = 16;   // RocketMQ's TopicConfig defaults
  int32_t write_queue_nums = 16;
  int32_t perm = perm::kRead | perm::kWrite;
  TopicFilterType topic_filter_type = TopicFilterType::kSingleTag;
  int32_t topic_sys_flag = 0;
  bool order = false;

  friend bool operator==(const TopicConfig&, const TopicConfig&) = default;
};

struct SubscriptionGroupConfig {
  std::string group_name;
  bool consume_enable = true;
  bool consume_from_min_enable = true;
  bool consume_broadcast_enable = true;
  int32_t retry_queue_nums = 1;
  int32_t retry_max_times = 16;
  int64_t broker_id = 0;
  int64_t which_broker_when_consume_slowly = 1;
  bool notify_consumer_ids_changed_enable = true;

  friend bool operator==(const SubscriptionGroupConfig&, const SubscriptionGroupConfig&) = default;
};

}  // namespace tern
