// The JSON layouts of the broker's metadata files, as RocketMQ 4.x writes them but in
// standard JSON (every key quoted), so that an operator's tools and RocketMQ habits work:
//
//   topics.json             {"topicConfigTable":{"T":{"topicName":"T","readQueueNums":4,
//                             "writeQueueNums":4,"perm":6,"topicFilterType":"SINGLE_TAG",
//                             "topicSysFlag":0,"order":false}},
//                            "dataVersion":{"timestamp":1700000000000,"counter":3}}
//   subscriptionGroup.json  {"subscriptionGroupTable":{"G":{"groupName":"G","consumeEnable":true,
//                             "consumeFromMinEnable":true,"consumeBroadcastEnable":true,
//                             "retryQueueNums":1,"retryMaxTimes":16,"brokerId":0,
//                             "whichBrokerWhenConsumeSlowly":1,
//                             "notifyConsumerIdsChangedEnable":true}},"dataVersion":{...}}
//   consumerOffset.json     {"offsetTable":{"topic@group":{"0":12,"1":34}}}
//   timerCheckpoint.json    {"timerQueueOffset":120,"timerLogOffset":7}  (Tern's own: where
//                            the timer service's restart scan starts, timer_schedule.h)
//   delayOffset.json        {"offsetTable":{"1":123,"2":45}}   (delay level -> next offset of
//                            its SCHEDULE_TOPIC_XXXX queue to deliver)
//
// Entries are written sorted by name (by queue id for offsets) so equal tables give equal
// bytes. Reading is lenient where RocketMQ's is: unknown fields are ignored (files from
// newer RocketMQ versions carry more), missing ones take RocketMQ's defaults. A field of
// the wrong type is an InvalidArgument naming the entry and field.
//
// No I/O here: metadata_file.h reads and writes the files.
//
// Thread-safety: free functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "json/json.h"
#include "tern/broker.h"
#include "tern/status.h"
#include "tern/topic_config.h"

namespace tern::kernel {

// A DataVersion for a table that has just been created (counter 0), and the one after `v`
// (RocketMQ's nextVersion: now, counter + 1).
DataVersion new_data_version();
DataVersion next_data_version(const DataVersion& v);

struct TopicsFile {
  std::map<std::string, TopicConfig, std::less<>> topics;
  DataVersion data_version;
};
std::string encode_topics_file(const TopicsFile& file);
Result<TopicsFile> decode_topics_file(const JsonValue& json);

struct SubscriptionGroupsFile {
  std::map<std::string, SubscriptionGroupConfig, std::less<>> groups;
  DataVersion data_version;
};
std::string encode_subscription_groups_file(const SubscriptionGroupsFile& file);
Result<SubscriptionGroupsFile> decode_subscription_groups_file(const JsonValue& json);

// "topic@group" -> queue id -> next offset to consume. Neither a topic nor a group name
// may contain '@', so the key splits at its first '@'.
using OffsetTable = std::map<std::string, std::map<int32_t, int64_t>, std::less<>>;
std::string offset_table_key(std::string_view topic, std::string_view group);
std::string encode_consumer_offsets_file(const OffsetTable& table);
Result<OffsetTable> decode_consumer_offsets_file(const JsonValue& json);

// Where TimerMessageService's restart scan starts: every timer-queue entry below
// timer_queue_offset is delivered, and delivery-log records below done_log_offset list
// nothing at or above it.
struct TimerCheckpointFile {
  int64_t timer_queue_offset = 0;
  int64_t done_log_offset = 0;

  friend bool operator==(const TimerCheckpointFile&, const TimerCheckpointFile&) = default;
};
std::string encode_timer_checkpoint_file(const TimerCheckpointFile& file);
// InvalidArgument for a field that is not an integer or is negative; absent fields are 0.
Result<TimerCheckpointFile> decode_timer_checkpoint_file(const JsonValue& json);

// Delay level (1-based) -> the next offset of its SCHEDULE_TOPIC_XXXX queue to deliver.
using DelayOffsetTable = std::map<int32_t, int64_t>;
std::string encode_delay_offsets_file(const DelayOffsetTable& table);
// InvalidArgument for a level that is not a positive integer or an offset that is not a
// non-negative integer.
Result<DelayOffsetTable> decode_delay_offsets_file(const JsonValue& json);

}  // namespace tern::kernel
