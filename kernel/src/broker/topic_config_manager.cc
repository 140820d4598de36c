// TopicConfigManager: the topic table, its system topics and the send-path creation rules.
#include "broker/topic_config_manager.h"

#include <algorithm>

#include "broker/metadata_format.h"

namespace tern::kernel {
namespace {

constexpr size_t kTopicMaxLength = 127;
constexpr int32_t kMaxQueueNums = 1024;
constexpr int32_t kBenchmarkQueueNums = 1024;

// RocketMQ's TopicValidator system topics that do not depend on the config.
constexpr std::string_view kSelfTestTopic = "SELF_TEST_TOPIC";
constexpr std::string_view kBenchmarkTopic = "BenchmarkTest";
constexpr std::string_view kOffsetMovedEvent = "OFFSET_MOVED_EVENT";
constexpr std::string_view kTransCheckMaxTime = "TRANS_CHECK_MAX_TIME_TOPIC";
constexpr std::string_view kReplyTopicSuffix = "_REPLY_TOPIC";

// Clients may not send to these: the broker writes them itself.
bool is_not_allowed_send_topic(std::string_view t) {
  return t == topic_names::kSchedule || t == topic_names::kTransactionHalf || t == topic_names::kTransactionOpHalf ||
         t == topic_names::kTimer || t == kTransCheckMaxTime || t == kSelfTestTopic || t == kOffsetMovedEvent;
}

bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '%' || c == '|' ||
         c == '_' || c == '-';
}

TopicConfig make_topic(std::string_view name, int32_t queues, int32_t p) {
  TopicConfig t;
  t.topic_name = std::string(name);
  t.read_queue_nums = queues;
  t.write_queue_nums = queues;
  t.perm = p;
  return t;
}

}  // namespace

Status validate_topic_name(std::string_view topic) {
  if (topic.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::invalid_argument("The specified topic is blank.");
  }
  for (char c : topic) {
    if (!valid_name_char(c)) {
      return Status::invalid_argument("The specified topic[" + std::string(topic) +
                                      "] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$");
    }
  }
  if (topic.size() > kTopicMaxLength) {
    return Status::invalid_argument("The specified topic[" + std::string(topic) + "] is longer than topic max length " +
                                    std::to_string(kTopicMaxLength) + ".");
  }
  return Status::ok();
}

TopicConfigManager::TopicConfigManager(TopicConfigOptions options, SubscriptionGroups* groups, Logger& logger)
    : options_(std::move(options)),
      groups_(groups),
      logger_(logger),
      version_(new_data_version()),
      writer_(options_.file, [this] { return snapshot(); }) {
  const int32_t rw = perm::kRead | perm::kWrite;
  auto add = [this](TopicConfig t) { config_topics_[t.topic_name] = std::move(t); };
  add(make_topic(kSelfTestTopic, 1, rw));
  if (options_.auto_create_topic_enable) {
    add(make_topic(topic_names::kAutoCreateTopicKey, options_.default_topic_queue_nums, rw | perm::kInherit));
  }
  add(make_topic(kBenchmarkTopic, kBenchmarkQueueNums, rw));
  // RocketMQ keeps these two even when disabled, with the inherit bit alone, so a route
  // query shows them unusable rather than unknown.
  add(make_topic(options_.cluster_name, TopicConfig{}.read_queue_nums,
                 perm::kInherit | (options_.cluster_topic_enable ? rw : 0)));
  add(make_topic(options_.broker_name, 1, perm::kInherit | (options_.broker_topic_enable ? rw : 0)));
  add(make_topic(kOffsetMovedEvent, 1, rw));
  add(make_topic(topic_names::kSchedule, options_.schedule_queue_nums, rw));
  if (options_.trace_topic_enable) add(make_topic(options_.trace_topic_name, 1, rw));
  add(make_topic(options_.cluster_name + std::string(kReplyTopicSuffix), 1, rw));

  for (const auto& [name, t] : config_topics_) system_names_.insert(name);
  for (std::string_view name : {topic_names::kAutoCreateTopicKey, topic_names::kSchedule, kBenchmarkTopic,
                                topic_names::kTransactionHalf, topic_names::kTransactionOpHalf, topic_names::kTimer,
                                kTransCheckMaxTime,
                                kSelfTestTopic, kOffsetMovedEvent}) {
    system_names_.insert(std::string(name));
  }
  system_names_.insert(options_.trace_topic_name);
  topics_ = config_topics_;
}

Status TopicConfigManager::load() {
  MetadataLoad::Source source = MetadataLoad::Source::kMissing;
  auto result = load_metadata_table<TopicsFile>(writer_.path(), decode_topics_file, logger_, &source);
  if (!result) return result.status();
  TopicsFile loaded = std::move(*result);
  size_t count = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto& [name, t] : loaded.topics) {
      // The config decides its system topics (TBW102 too, by its absence when auto-creation
      // is off); entries made in memory before loading are newer. System topics the kernel
      // creates on demand (transaction half topics) load like any other.
      bool config_decides = config_topics_.count(name) || name == topic_names::kAutoCreateTopicKey;
      if (config_decides || topics_.count(name)) continue;
      topics_.emplace(name, std::move(t));
    }
    if (source != MetadataLoad::Source::kMissing) version_ = loaded.data_version;
    count = topics_.size();
  }
  writer_.mark_loaded();
  logger_.info("loaded ", count, " topics from ", writer_.path(),
               source == MetadataLoad::Source::kMissing ? " (no file yet)" : "");
  return Status::ok();
}

std::optional<TopicConfig> TopicConfigManager::find(std::string_view topic) const {
  std::lock_guard lock(mutex_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return std::nullopt;
  return it->second;
}

std::vector<TopicConfig> TopicConfigManager::all() const {
  std::lock_guard lock(mutex_);
  std::vector<TopicConfig> out;
  out.reserve(topics_.size());
  for (const auto& [name, t] : topics_) out.push_back(t);
  return out;
}

bool TopicConfigManager::is_system_topic(std::string_view topic) const { return system_names_.count(topic) != 0; }

Status TopicConfigManager::create_or_update(TopicConfig config) {
  TERN_RETURN_IF_ERROR(validate_topic_name(config.topic_name));
  if (is_system_topic(config.topic_name)) {
    return Status::invalid_argument("The topic[" + config.topic_name + "] is conflict with system topic.");
  }
  for (int32_t n : {config.read_queue_nums, config.write_queue_nums}) {
    if (n < 1 || n > kMaxQueueNums) {
      return Status::invalid_argument("topic[" + config.topic_name + "]: queue count " + std::to_string(n) +
                                      " is outside 1.." + std::to_string(kMaxQueueNums));
    }
  }
  std::vector<std::function<void()>> listeners;
  bool created = false;
  {
    std::lock_guard lock(mutex_);
    auto it = topics_.find(config.topic_name);
    if (it != topics_.end() && it->second == config) return Status::ok();  // nothing changes
    created = it == topics_.end();
    topics_[config.topic_name] = config;
    version_ = next_data_version(version_);
    listeners = listeners_;
  }
  logger_.info(created ? "create topic " : "update topic ", config.topic_name, ": read queues ",
               config.read_queue_nums, ", write queues ", config.write_queue_nums, ", perm ", config.perm);
  after_change(listeners);
  return Status::ok();
}

Status TopicConfigManager::remove(std::string_view topic) {
  if (is_system_topic(topic)) {
    return Status::invalid_argument("The topic[" + std::string(topic) + "] is conflict with system topic.");
  }
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(mutex_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return Status::not_found("topic[" + std::string(topic) + "] does not exist");
    topics_.erase(it);
    version_ = next_data_version(version_);
    listeners = listeners_;
  }
  logger_.info("delete topic ", topic);
  after_change(listeners);
  return Status::ok();
}

std::vector<std::function<void()>> TopicConfigManager::insert_locked(TopicConfig config) {
  std::string name = config.topic_name;
  topics_.emplace(std::move(name), std::move(config));
  version_ = next_data_version(version_);
  return listeners_;
}

Result<TopicConfig> TopicConfigManager::ensure_topic(std::string_view topic, int32_t queue_nums, int32_t p) {
  TERN_RETURN_IF_ERROR(validate_topic_name(topic));
  TopicConfig created;
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(mutex_);
    auto it = topics_.find(topic);
    if (it != topics_.end()) return it->second;
    created = make_topic(topic, std::clamp(queue_nums, 1, kMaxQueueNums), p);
    listeners = insert_locked(created);
  }
  logger_.info("create topic ", topic, " with ", created.write_queue_nums, " queues, perm ", created.perm);
  after_change(listeners);
  return created;
}

Result<TopicConfig> TopicConfigManager::topic_for_send(std::string_view topic, int32_t requested_queue_nums) {
  TERN_RETURN_IF_ERROR(validate_topic_name(topic));
  if (is_not_allowed_send_topic(topic)) {
    return Status::permission_denied("Sending message to topic[" + std::string(topic) + "] is forbidden.");
  }
  if (!perm::is_writeable(options_.broker_permission)) {
    return Status::permission_denied("the broker[" + options_.broker_name + "] sending message is forbidden " +
                                     "(brokerPermission=" + std::to_string(options_.broker_permission) +
                                     " has no write bit), topic[" + std::string(topic) + "]");
  }
  auto writeable = [](TopicConfig t) -> Result<TopicConfig> {
    if (!perm::is_writeable(t.perm)) {
      return Status::permission_denied("the topic[" + t.topic_name + "] sending message is forbidden (perm " +
                                       std::to_string(t.perm) + " has no write bit)");
    }
    return t;
  };
  if (auto existing = find(topic)) return writeable(std::move(*existing));

  if (topic_names::is_retry_topic(topic) && groups_ != nullptr) {
    auto group = groups_->find_or_create(topic.substr(topic_names::kRetryPrefix.size()));
    if (group) {
      auto retry = ensure_topic(topic, group->retry_queue_nums, perm::kRead | perm::kWrite);
      if (!retry) return retry.status();
      return writeable(std::move(*retry));
    }
  }

  if (options_.auto_create_topic_enable) {
    TopicConfig created;
    std::vector<std::function<void()>> listeners;
    {
      std::lock_guard lock(mutex_);
      auto again = topics_.find(topic);  // another sender may have created it meanwhile
      if (again != topics_.end()) return writeable(again->second);
      auto tmpl = topics_.find(topic_names::kAutoCreateTopicKey);
      if (tmpl != topics_.end() && (tmpl->second.perm & perm::kInherit) != 0) {
        int32_t queues = std::clamp(std::min(requested_queue_nums, tmpl->second.write_queue_nums), 1, kMaxQueueNums);
        created = make_topic(topic, queues, tmpl->second.perm & ~perm::kInherit);
        created.topic_filter_type = tmpl->second.topic_filter_type;
        listeners = insert_locked(created);
      }
    }
    if (!created.topic_name.empty()) {
      logger_.info("auto-create topic ", topic, " from ", topic_names::kAutoCreateTopicKey, " with ",
                   created.write_queue_nums, " queues");
      after_change(listeners);
      return writeable(std::move(created));
    }
  }
  return Status::not_found("topic[" + std::string(topic) + "] not exist, apply first please! Create it with `mqadmin " +
                           "updateTopic -n <namesrv:9876> -c " + options_.cluster_name + " -t " + std::string(topic) +
                           "`, or set autoCreateTopicEnable=true in broker " + options_.broker_name +
                           "'s config to create topics on first send.");
}

DataVersion TopicConfigManager::data_version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

void TopicConfigManager::add_change_listener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

void TopicConfigManager::after_change(const std::vector<std::function<void()>>& listeners) {
  writer_.changed();
  for (const auto& l : listeners) l();
}

std::string TopicConfigManager::snapshot() const {
  TopicsFile file;
  {
    std::lock_guard lock(mutex_);
    file.topics = topics_;
    file.data_version = version_;
  }
  return encode_topics_file(file);
}

}  // namespace tern::kernel
