// SubscriptionGroupManager: the group table and its auto-creation rule.
#include "broker/subscription_group_manager.h"

#include "broker/metadata_format.h"

namespace tern::kernel {
namespace {

constexpr size_t kGroupMaxLength = 255;
constexpr int32_t kMaxRetryQueueNums = 1024;
constexpr std::string_view kSysGroupPrefix = "CID_RMQ_SYS_";  // RocketMQ's MixAll.isSysConsumerGroup

// RocketMQ's built-in groups (MixAll): admin tools, filter servers, self-test, ONS proxies
// and the transaction checker.
constexpr std::string_view kBuiltInGroups[] = {
    "TOOLS_CONSUMER",        "FILTERSRV_CONSUMER",   "SELF_TEST_C_GROUP", "CID_ONS-HTTP-PROXY",
    "CID_ONSAPI_PULL",       "CID_ONSAPI_PERMISSION", "CID_ONSAPI_OWNER",  "CID_RMQ_SYS_TRANS",
};

SubscriptionGroupConfig default_group(std::string_view name) {
  SubscriptionGroupConfig g;
  g.group_name = std::string(name);
  return g;
}

}  // namespace

Status validate_group_name(std::string_view group) {
  if (group.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::invalid_argument("The specified group is blank.");
  }
  for (char c : group) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '%' || c == '|' ||
              c == '_' || c == '-';
    if (!ok) {
      return Status::invalid_argument("The specified group[" + std::string(group) +
                                      "] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$");
    }
  }
  if (group.size() > kGroupMaxLength) {
    return Status::invalid_argument("The specified group[" + std::string(group) + "] is longer than " +
                                    std::to_string(kGroupMaxLength) + " characters.");
  }
  return Status::ok();
}

SubscriptionGroupManager::SubscriptionGroupManager(SubscriptionGroupOptions options, Logger& logger)
    : options_(std::move(options)),
      logger_(logger),
      version_(new_data_version()),
      writer_(options_.file, [this] { return snapshot(); }) {
  for (std::string_view name : kBuiltInGroups) groups_.emplace(std::string(name), default_group(name));
}

Status SubscriptionGroupManager::load() {
  MetadataLoad::Source source = MetadataLoad::Source::kMissing;
  auto result = load_metadata_table<SubscriptionGroupsFile>(writer_.path(), decode_subscription_groups_file, logger_, &source);
  if (!result) return result.status();
  SubscriptionGroupsFile loaded = std::move(*result);
  size_t count = 0;
  {
    std::lock_guard lock(mutex_);
    // The file wins over built-in defaults (an admin may have tuned TOOLS_CONSUMER), but
    // not over groups made in memory before loading: those are newer.
    std::map<std::string, SubscriptionGroupConfig, std::less<>> merged = std::move(loaded.groups);
    for (std::string_view name : kBuiltInGroups) merged.emplace(std::string(name), default_group(name));
    for (auto& [name, g] : groups_) {
      bool built_in = false;
      for (std::string_view b : kBuiltInGroups) built_in = built_in || b == name;
      if (!built_in) merged[name] = g;
    }
    groups_ = std::move(merged);
    if (source != MetadataLoad::Source::kMissing) version_ = loaded.data_version;
    count = groups_.size();
  }
  writer_.mark_loaded();
  logger_.info("loaded ", count, " subscription groups from ", writer_.path(),
               source == MetadataLoad::Source::kMissing ? " (no file yet)" : "");
  return Status::ok();
}

std::optional<SubscriptionGroupConfig> SubscriptionGroupManager::find(std::string_view group) const {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(group);
  if (it == groups_.end()) return std::nullopt;
  return it->second;
}

std::optional<SubscriptionGroupConfig> SubscriptionGroupManager::find_or_create(std::string_view group) {
  SubscriptionGroupConfig created;
  {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(group);
    if (it != groups_.end()) return it->second;
    if (!options_.auto_create_subscription_group && group.substr(0, kSysGroupPrefix.size()) != kSysGroupPrefix) {
      return std::nullopt;
    }
    if (!validate_group_name(group).is_ok()) return std::nullopt;
    created = default_group(group);
    groups_.emplace(created.group_name, created);
    version_ = next_data_version(version_);
  }
  logger_.info("auto-create subscription group ", group);
  writer_.changed();
  return created;
}

std::vector<SubscriptionGroupConfig> SubscriptionGroupManager::all() const {
  std::lock_guard lock(mutex_);
  std::vector<SubscriptionGroupConfig> out;
  out.reserve(groups_.size());
  for (const auto& [name, g] : groups_) out.push_back(g);
  return out;
}

Status SubscriptionGroupManager::create_or_update(SubscriptionGroupConfig config) {
  TERN_RETURN_IF_ERROR(validate_group_name(config.group_name));
  if (config.retry_queue_nums < 1 || config.retry_queue_nums > kMaxRetryQueueNums) {
    return Status::invalid_argument("group[" + config.group_name + "]: retryQueueNums " +
                                    std::to_string(config.retry_queue_nums) + " is outside 1.." +
                                    std::to_string(kMaxRetryQueueNums));
  }
  bool created = false;
  {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(config.group_name);
    if (it != groups_.end() && it->second == config) return Status::ok();
    created = it == groups_.end();
    groups_[config.group_name] = config;
    version_ = next_data_version(version_);
  }
  logger_.info(created ? "create" : "update", " subscription group ", config.group_name);
  writer_.changed();
  return Status::ok();
}

Status SubscriptionGroupManager::remove(std::string_view group) {
  {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(group);
    if (it == groups_.end()) return Status::not_found("subscription group[" + std::string(group) + "] does not exist");
    groups_.erase(it);
    version_ = next_data_version(version_);
  }
  logger_.info("delete subscription group ", group);
  writer_.changed();
  return Status::ok();
}

DataVersion SubscriptionGroupManager::data_version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

std::string SubscriptionGroupManager::snapshot() const {
  SubscriptionGroupsFile file;
  {
    std::lock_guard lock(mutex_);
    file.groups = groups_;
    file.data_version = version_;
  }
  return encode_subscription_groups_file(file);
}

}  // namespace tern::kernel
