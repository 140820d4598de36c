// The message model shared by every protocol, filter and store: Message (what a producer
// sends), MessageExt (what the store adds), MessageQueue, the property map and its
// RocketMQ text encoding, and the property names and sys-flag bits RocketMQ clients use.
//
// Property values cross protocols unchanged: an MQTT or AMQP message carries its user
// properties in the same map, so a RocketMQ consumer sees them.
//
// Thread-safety: plain values; no internal synchronisation.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace tern {

// Property names, spelled as RocketMQ's MessageConst so that clients interoperate.
namespace property {
inline constexpr std::string_view kKeys = "KEYS";            // space-separated keys (index)
inline constexpr std::string_view kTags = "TAGS";            // the one tag of a message
inline constexpr std::string_view kWaitStoreMsgOk = "WAIT";  // "false": answer before flush
inline constexpr std::string_view kDelayTimeLevel = "DELAY";
inline constexpr std::string_view kRetryTopic = "RETRY_TOPIC";
inline constexpr std::string_view kRealTopic = "REAL_TOPIC";
inline constexpr std::string_view kRealQueueId = "REAL_QID";
inline constexpr std::string_view kTransactionPrepared = "TRAN_MSG";
inline constexpr std::string_view kProducerGroup = "PGROUP";
inline constexpr std::string_view kMinOffset = "MIN_OFFSET";
inline constexpr std::string_view kMaxOffset = "MAX_OFFSET";
inline constexpr std::string_view kOriginMessageId = "ORIGIN_MESSAGE_ID";
inline constexpr std::string_view kReconsumeTime = "RECONSUME_TIME";
inline constexpr std::string_view kMaxReconsumeTimes = "MAX_RECONSUME_TIMES";
inline constexpr std::string_view kMsgRegion = "MSG_REGION";
inline constexpr std::string_view kTraceSwitch = "TRACE_ON";
inline constexpr std::string_view kUniqueClientMessageId = "UNIQ_KEY";
inline constexpr std::string_view kTransactionPreparedQueueOffset = "TRAN_PREPARED_QUEUE_OFFSET";
inline constexpr std::string_view kTransactionCheckTimes = "TRANSACTION_CHECK_TIMES";
inline constexpr std::string_view kCheckImmunityTimeInSeconds = "CHECK_IMMUNITY_TIME_IN_SECONDS";
inline constexpr std::string_view kInstanceId = "INSTANCE_ID";
inline constexpr std::string_view kCorrelationId = "CORRELATION_ID";
inline constexpr std::string_view kReplyToClient = "REPLY_TO_CLIENT";
inline constexpr std::string_view kCluster = "CLUSTER";
inline constexpr std::string_view kStartDeliverTime = "__STARTDELIVERTIME";  // Aliyun clients
inline constexpr std::string_view kShardingKey = "__SHARDINGKEY";
// RocketMQ 5 timer messages: a producer sets one of the first three (an absolute time in ms
// since the epoch, or a delay from the broker's receipt in s or ms); the broker adds the
// others, which consumers see on the delivered message.
inline constexpr std::string_view kTimerDeliverMs = "TIMER_DELIVER_MS";
inline constexpr std::string_view kTimerDelaySec = "TIMER_DELAY_SEC";
inline constexpr std::string_view kTimerDelayMs = "TIMER_DELAY_MS";
inline constexpr std::string_view kTimerOutMs = "TIMER_OUT_MS";          // the due time, ms since the epoch
inline constexpr std::string_view kTimerEnqueueMs = "TIMER_ENQUEUE_MS";  // when the broker parked it
inline constexpr std::string_view kTimerDequeueMs = "TIMER_DEQUEUE_MS";  // when the broker delivered it
inline constexpr std::string_view kTimerRollTimes = "TIMER_ROLL_TIMES";  // times re-parked on the way

// The RocketMQ text form separates a name from its value with \u0001 and pairs with \u0002.
inline constexpr char kNameValueSeparator = '\x01';
inline constexpr char kPropertySeparator = '\x02';
}  // namespace property

// Bits of a message's sys flag, as RocketMQ's MessageSysFlag.
namespace sys_flag {
inline constexpr int32_t kCompressed = 0x1;
inline constexpr int32_t kMultiTags = 0x2;
inline constexpr int32_t kTransactionNotType = 0x0;
inline constexpr int32_t kTransactionPreparedType = 0x4;
inline constexpr int32_t kTransactionCommitType = 0x8;
inline constexpr int32_t kTransactionRollbackType = 0xC;
inline constexpr int32_t kBornHostV6 = 0x10;
inline constexpr int32_t kStoreHostV6 = 0x20;
inline constexpr int32_t kTransactionTypeMask = 0xC;
inline int32_t transaction_type(int32_t flag) { return flag & kTransactionTypeMask; }
}  // namespace sys_flag

using PropertyMap = std::map<std::string, std::string, std::less<>>;

// Encodes properties as RocketMQ does: "name\1value\2" for each pair, trailing \2 included.
inline std::string encode_properties(const PropertyMap& props) {
  std::string out;
  for (const auto& [name, value] : props) {
    out.append(name).push_back(property::kNameValueSeparator);
    out.append(value).push_back(property::kPropertySeparator);
  }
  return out;
}

// Decodes RocketMQ's property text. Never fails: a pair without a separator is skipped
// (as RocketMQ's decoder does) and a missing trailing \2 is accepted.
inline PropertyMap decode_properties(std::string_view text) {
  PropertyMap props;
  while (!text.empty()) {
    size_t end = text.find(property::kPropertySeparator);
    std::string_view pair = text.substr(0, end);
    size_t sep = pair.find(property::kNameValueSeparator);
    if (sep != std::string_view::npos) {
      props.insert_or_assign(std::string(pair.substr(0, sep)), std::string(pair.substr(sep + 1)));
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return props;
}

// True when `text` can be a property name or value: the separators would corrupt the map.
inline bool is_valid_property_text(std::string_view text) {
  return text.find(property::kNameValueSeparator) == std::string_view::npos &&
         text.find(property::kPropertySeparator) == std::string_view::npos;
}

// Splits a KEYS value (space-separated, as RocketMQ stores keys) into its keys; empty
// pieces from repeated spaces are dropped. The views point into `all`.
inline std::vector<std::string_view> split_keys(std::string_view all) {
  std::vector<std::string_view> out;
  while (!all.empty()) {
    size_t sp = all.find(' ');
    if (sp != 0) out.push_back(all.substr(0, sp));
    if (sp == std::string_view::npos) break;
    all.remove_prefix(sp + 1);
  }
  return out;
}

// What a producer sends: a topic, a body, a user flag and properties.
struct Message {
  std::string topic;
  int32_t flag = 0;
  PropertyMap properties;
  std::string body;  // bytes, not text

  std::string_view property(std::string_view name) const {
    auto it = properties.find(name);
    return it == properties.end() ? std::string_view() : std::string_view(it->second);
  }
  bool has_property(std::string_view name) const { return properties.find(name) != properties.end(); }
  void set_property(std::string_view name, std::string value) {
    properties.insert_or_assign(std::string(name), std::move(value));
  }
  void clear_property(std::string_view name) {
    auto it = properties.find(name);
    if (it != properties.end()) properties.erase(it);
  }

  std::string_view tags() const { return property(property::kTags); }
  void set_tags(std::string tags) { set_property(property::kTags, std::move(tags)); }

  // Keys are stored space-separated under KEYS, as RocketMQ does.
  std::vector<std::string_view> keys() const { return split_keys(property(property::kKeys)); }
  void set_keys(const std::vector<std::string>& keys) {
    std::string joined;
    for (const auto& k : keys) {
      if (!joined.empty()) joined.push_back(' ');
      joined += k;
    }
    set_property(property::kKeys, std::move(joined));
  }

  // 0 when not delayed; otherwise the 1-based index into messageDelayLevel.
  int delay_time_level() const {
    std::string_view v = property(property::kDelayTimeLevel);
    int level = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return 0;
      level = level * 10 + (c - '0');
      if (level > 1000) return 0;
    }
    return level;
  }
  // RocketMQ's WAIT property: absent or anything but "false" means wait for the store.
  bool wait_store_msg_ok() const { return property(property::kWaitStoreMsgOk) != "false"; }
};

// An IPv4 or IPv6 address and port as recorded in a stored message.
struct SocketAddress {
  std::array<uint8_t, 16> ip{};
  uint8_t ip_length = 4;  // 4 or 16
  int32_t port = 0;

  // "a.b.c.d:port" for IPv4, "[hex:...]:port" for IPv6.
  std::string to_string() const {
    std::string out;
    if (ip_length == 4) {
      for (int i = 0; i < 4; ++i) {
        if (i) out.push_back('.');
        out += std::to_string(ip[i]);
      }
    } else {
      static const char* kHex = "0123456789abcdef";
      out.push_back('[');
      for (int i = 0; i < 16; i += 2) {
        if (i) out.push_back(':');
        int word = (ip[i] << 8) | ip[i + 1];
        out += std::string{kHex[(word >> 12) & 15], kHex[(word >> 8) & 15], kHex[(word >> 4) & 15],
                           kHex[word & 15]};
      }
      out.push_back(']');
    }
    out.push_back(':');
    out += std::to_string(port);
    return out;
  }
};

// A message as stored: what the broker knows after the append.
struct MessageExt : Message {
  int32_t queue_id = 0;
  int64_t queue_offset = 0;        // index in its consume queue
  int64_t commit_log_offset = 0;   // byte offset of its record in the commit log
  int32_t store_size = 0;          // size of its record in the commit log
  int32_t sys_flag = 0;
  int32_t body_crc = 0;
  int64_t born_timestamp = 0;      // ms since the epoch, from the producer
  SocketAddress born_host;
  int64_t store_timestamp = 0;     // ms since the epoch, from the broker
  SocketAddress store_host;
  int32_t reconsume_times = 0;
  int64_t prepared_transaction_offset = 0;
  std::string msg_id;              // offset message id: store host + commit-log offset, hex
};

// One queue of a topic on one broker.
struct MessageQueue {
  std::string topic;
  std::string broker_name;
  int32_t queue_id = 0;

  friend bool operator==(const MessageQueue& a, const MessageQueue& b) {
    return std::tie(a.topic, a.broker_name, a.queue_id) == std::tie(b.topic, b.broker_name, b.queue_id);
  }
  // Ordered by topic, broker name, queue id: the order clients use to allocate queues.
  friend bool operator<(const MessageQueue& a, const MessageQueue& b) {
    return std::tie(a.topic, a.broker_name, a.queue_id) < std::tie(b.topic, b.broker_name, b.queue_id);
  }
};

}  // namespace tern
