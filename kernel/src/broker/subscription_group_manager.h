// SubscriptionGroupManager: consumer-group configs (subscriptionGroup.json), as RocketMQ's
// SubscriptionGroupManager keeps them: RocketMQ's built-in groups (TOOLS_CONSUMER,
// FILTERSRV_CONSUMER, SELF_TEST_C_GROUP, CID_ONS-HTTP-PROXY, CID_ONSAPI_PULL,
// CID_ONSAPI_PERMISSION, CID_ONSAPI_OWNER, CID_RMQ_SYS_TRANS), groups created by admins,
// and groups created on first use when autoCreateSubscriptionGroup is on (groups named
// CID_RMQ_SYS_* always are).
//
// Like the topic table, changes apply in memory at once and are written by the broker
// services' thread soon after.
//
// Thread-safety: every method from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "broker/metadata_file.h"
#include "tern/broker.h"
#include "tern/logger.h"

namespace tern::kernel {

struct SubscriptionGroupOptions {
  std::string file;  // <storePathRootDir>/config/subscriptionGroup.json
  bool auto_create_subscription_group = true;
};

// RocketMQ's rules for a group name: not blank, at most 255 characters, [%|a-zA-Z0-9_-].
Status validate_group_name(std::string_view group);

class SubscriptionGroupManager final : public SubscriptionGroups {
 public:
  SubscriptionGroupManager(SubscriptionGroupOptions options, Logger& logger);

  // Reads subscriptionGroup.json (or its backup); Corruption naming the file when both
  // are unusable. Built-in groups and groups made before loading keep their configs.
  Status load();
  MetadataWriter& writer() { return writer_; }

  std::optional<SubscriptionGroupConfig> find_or_create(std::string_view group) override;
  std::optional<SubscriptionGroupConfig> find(std::string_view group) const override;
  std::vector<SubscriptionGroupConfig> all() const override;
  // InvalidArgument for an illegal group name or retryQueueNums outside 1..1024.
  Status create_or_update(SubscriptionGroupConfig config) override;
  Status remove(std::string_view group) override;
  DataVersion data_version() const override;

 private:
  std::string snapshot() const;

  const SubscriptionGroupOptions options_;
  Logger& logger_;
  mutable std::mutex mutex_;
  std::map<std::string, SubscriptionGroupConfig, std::less<>> groups_;  // GUARDED_BY(mutex_)
  DataVersion version_;                                                  // GUARDED_BY(mutex_)
  MetadataWriter writer_;
};

}  // namespace tern::kernel
