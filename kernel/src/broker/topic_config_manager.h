// TopicConfigManager: the broker's topic table (topics.json), as RocketMQ's
// TopicConfigManager keeps it: system topics made from the config at start, topics created
// by admins, auto-created on first send from the TBW102 template, and %RETRY% topics made
// for consumer groups.
//
// System topics (RocketMQ 4.x's set): SELF_TEST_TOPIC; TBW102 (perm 7, defaultTopicQueueNums
// queues) only when autoCreateTopicEnable; BenchmarkTest (1024 queues); the cluster-name
// and broker-name topics (readable and writable only when clusterTopicEnable /
// brokerTopicEnable, otherwise perm 1 as RocketMQ gives them); OFFSET_MOVED_EVENT;
// SCHEDULE_TOPIC_XXXX (one queue per messageDelayLevel level, 18 by default); msgTraceTopicName when
// traceTopicEnable; <cluster>_REPLY_TOPIC. The config decides them: at load, a file entry
// of the same name is ignored (so changing defaultTopicQueueNums or disabling
// autoCreateTopicEnable takes effect on restart, unlike RocketMQ where the old file wins).
// Admins cannot create, change or delete them. Names the broker writes itself are reserved
// without a table entry, so they are neither routed nor pulled: the transaction half and op
// topics until the kernel creates them, and rmq_sys_wheel_timer (timer messages waiting,
// TimerMessageService), which never gets one.
//
// Changes are applied in memory at once and written by the broker services' own thread
// soon after (MetadataWriter), never on the caller's thread: callers are io threads.
//
// Thread-safety: every method from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/metadata_file.h"
#include "tern/broker.h"
#include "tern/logger.h"

namespace tern::kernel {

struct TopicConfigOptions {
  std::string file;  // <storePathRootDir>/config/topics.json
  bool auto_create_topic_enable = true;
  int32_t default_topic_queue_nums = 8;
  int32_t broker_permission = perm::kRead | perm::kWrite;
  std::string cluster_name = "DefaultCluster";
  bool cluster_topic_enable = true;
  std::string broker_name = "broker-a";
  bool broker_topic_enable = true;
  bool trace_topic_enable = false;
  std::string trace_topic_name = "RMQ_SYS_TRACE_TOPIC";
  int32_t schedule_queue_nums = 18;  // SCHEDULE_TOPIC_XXXX: one queue per delay level
};

// The topic name rules RocketMQ enforces (TopicValidator): not blank, at most 127
// characters, only [%|a-zA-Z0-9_-]. InvalidArgument with RocketMQ's wording otherwise.
Status validate_topic_name(std::string_view topic);

class TopicConfigManager final : public TopicRegistry {
 public:
  // `groups` (may be null) decides which %RETRY% topics topic_for_send may create.
  TopicConfigManager(TopicConfigOptions options, SubscriptionGroups* groups, Logger& logger);

  // Reads topics.json (or its backup). Corruption naming the file when both are unusable.
  Status load();
  MetadataWriter& writer() { return writer_; }

  std::optional<TopicConfig> find(std::string_view topic) const override;
  std::vector<TopicConfig> all() const override;
  Status create_or_update(TopicConfig config) override;
  Status remove(std::string_view topic) override;
  Result<TopicConfig> topic_for_send(std::string_view topic, int32_t requested_queue_nums) override;
  DataVersion data_version() const override;
  void add_change_listener(std::function<void()> listener) override;

  // The topic, created with `queue_nums` queues and `perm` when absent (RocketMQ's
  // createTopicInSendMessageBackMethod): for %RETRY% and %DLQ% topics and the kernel's own
  // system topics. No name policy beyond validate_topic_name.
  Result<TopicConfig> ensure_topic(std::string_view topic, int32_t queue_nums, int32_t perm);
  // True for the names admins may not create, change or delete (see the top of this file).
  bool is_system_topic(std::string_view topic) const;

 private:
  // After a change made under mutex_ (which bumped version_): schedules the write and
  // calls `listeners`, a copy taken under the lock. Call without the lock.
  void after_change(const std::vector<std::function<void()>>& listeners);
  // Adds `config` as a new topic; the caller holds mutex_. Returns the listeners to call.
  std::vector<std::function<void()>> insert_locked(TopicConfig config);
  std::string snapshot() const;

  const TopicConfigOptions options_;
  SubscriptionGroups* const groups_;
  Logger& logger_;
  std::map<std::string, TopicConfig, std::less<>> config_topics_;  // system topics the config makes
  std::set<std::string, std::less<>> system_names_;                 // includes TBW102 when it is off

  mutable std::mutex mutex_;
  std::map<std::string, TopicConfig, std::less<>> topics_;  // GUARDED_BY(mutex_)
  DataVersion version_;                                      // GUARDED_BY(mutex_)
  std::vector<std::function<void()>> listeners_;             // GUARDED_BY(mutex_)

  MetadataWriter writer_;
};

}  // namespace tern::kernel
