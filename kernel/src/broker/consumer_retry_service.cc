// ConsumerRetryService: send-back and the %RETRY% send path. Error texts follow RocketMQ's
// so that clients and operators recognise them.
#include "broker/consumer_retry_service.h"

#include <random>

namespace tern::kernel {
namespace {

constexpr int32_t kDlqQueueNums = 1;  // RocketMQ's DLQ_NUMS_PER_GROUP

int32_t random_queue(int32_t queue_nums) {
  static thread_local std::minstd_rand random(std::random_device{}());
  return static_cast<int32_t>(random() % static_cast<uint32_t>(std::max(1, queue_nums)));
}

Status group_not_exist(std::string_view group) {
  return Status::not_found("subscription group not exist, " + std::string(group) +
                           " (create it with `mqadmin updateSubGroup -g " + std::string(group) +
                           "`, or set autoCreateSubscriptionGroup=true)");
}

}  // namespace

ConsumerRetryService::ConsumerRetryService(SubscriptionGroups& groups, TopicConfigManager& topics,
                                           MessageWriter& writer, int32_t broker_permission, std::string broker_name,
                                           Logger& logger)
    : groups_(groups),
      topics_(topics),
      writer_(writer),
      broker_permission_(broker_permission),
      broker_name_(std::move(broker_name)),
      logger_(logger) {}

Result<TopicConfig> ConsumerRetryService::dlq_topic(std::string_view group) {
  return topics_.ensure_topic(topic_names::dlq_topic(group), kDlqQueueNums, perm::kRead | perm::kWrite);
}

void ConsumerRetryService::send_back(SendBackRequest request, std::function<void(Status)> done) {
  auto group = groups_.find_or_create(request.group);
  if (!group) return done(group_not_exist(request.group));
  if (!perm::is_writeable(broker_permission_)) {
    return done(Status::permission_denied("the broker[" + broker_name_ + "] sending message is forbidden"));
  }
  if (group->retry_queue_nums <= 0) {
    // RocketMQ answers SUCCESS and drops the message: the group asked for no retries.
    logger_.debug("group ", request.group, " has retryQueueNums ", group->retry_queue_nums,
                  ": the message sent back is dropped");
    return done(Status::ok());
  }
  const std::string retry_topic = topic_names::retry_topic(request.group);
  auto retry = topics_.ensure_topic(retry_topic, group->retry_queue_nums, perm::kRead | perm::kWrite);
  if (!retry) return done(retry.status());
  if (!perm::is_writeable(retry->perm)) {
    return done(Status::permission_denied("the topic[" + retry_topic + "] sending message is forbidden"));
  }
  MessageStore* store = store_.load();
  if (store == nullptr) return done(Status::unavailable("this broker has no message store running"));
  auto stored = store->look_message(request.commit_log_offset);
  if (!stored) {
    return done(Status::invalid_argument("look message by offset failed, " +
                                         std::to_string(request.commit_log_offset) + ": " + stored.status().message()));
  }

  MessageExt copy;
  static_cast<Message&>(copy) = static_cast<const Message&>(*stored);
  if (!copy.has_property(property::kRetryTopic)) copy.set_property(property::kRetryTopic, stored->topic);
  copy.set_property(property::kWaitStoreMsgOk, "false");
  const int32_t max_times = request.max_reconsume_times.value_or(group->retry_max_times);
  int32_t delay_level = request.delay_level;
  if (stored->reconsume_times >= max_times || delay_level < 0) {
    auto dlq = dlq_topic(request.group);
    if (!dlq) return done(dlq.status());
    copy.topic = dlq->topic_name;
    copy.queue_id = random_queue(kDlqQueueNums);
    copy.clear_property(property::kDelayTimeLevel);
    logger_.info("message ", stored->msg_id, " of group ", request.group, " goes to ", copy.topic, " after ",
                 stored->reconsume_times, " reconsume times (max ", max_times, ", delay level ", request.delay_level,
                 ")");
  } else {
    if (delay_level == 0) delay_level = 3 + stored->reconsume_times;
    copy.topic = retry_topic;
    copy.queue_id = random_queue(group->retry_queue_nums);
    copy.set_property(property::kDelayTimeLevel, std::to_string(delay_level));
  }
  copy.sys_flag = stored->sys_flag;
  copy.born_timestamp = stored->born_timestamp;
  copy.born_host = stored->born_host;
  copy.store_host = stored->store_host;
  copy.reconsume_times = stored->reconsume_times + 1;
  if (copy.property(property::kOriginMessageId).empty()) {
    copy.set_property(property::kOriginMessageId, stored->msg_id);
  }
  writer_.put_message(std::move(copy), [done = std::move(done)](Result<PutResult> put) {
    done(put.is_ok() ? Status::ok() : put.status());
  });
}

Status ConsumerRetryService::redirect_retry_send(MessageExt& message, std::optional<int32_t> max_reconsume_times) {
  if (!topic_names::is_retry_topic(message.topic)) return Status::ok();
  std::string_view group_name = std::string_view(message.topic).substr(topic_names::kRetryPrefix.size());
  auto group = groups_.find_or_create(group_name);
  if (!group) return group_not_exist(group_name);
  const int32_t max_times = max_reconsume_times.value_or(group->retry_max_times);
  if (message.reconsume_times < max_times) return Status::ok();
  auto dlq = dlq_topic(group_name);
  if (!dlq) return dlq.status();
  message.topic = dlq->topic_name;
  message.queue_id = random_queue(kDlqQueueNums);
  message.clear_property(property::kDelayTimeLevel);
  return Status::ok();
}

}  // namespace tern::kernel
