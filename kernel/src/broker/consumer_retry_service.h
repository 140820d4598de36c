// ConsumerRetryService: the kernel's ConsumerRetry (tern/broker.h), RocketMQ's
// SendMessageProcessor.consumerSendMsgBack and handleRetryAndDLQ: what becomes of a
// message a consumer sends back, and of a client's own send to %RETRY%<group>.
//
// The copy goes through the MessageWriter, so its delay level parks it in
// SCHEDULE_TOPIC_XXXX (ScheduleMessageService) and it reaches %RETRY%<group> when due.
// Like RocketMQ it carries WAIT=false: the send-back is answered without waiting for a
// synchronous flush (the consumer does not commit past the message before the answer).
//
// Thread-safety: every method from any thread; attach/detach from the main thread while
// no protocol plugin runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "broker/subscription_group_manager.h"
#include "broker/topic_config_manager.h"
#include "tern/broker.h"
#include "tern/logger.h"
#include "tern/store.h"

namespace tern::kernel {

class ConsumerRetryService final : public ConsumerRetry {
 public:
  // `broker_permission` and `broker_name` are the broker keys of the same names.
  ConsumerRetryService(SubscriptionGroups& groups, TopicConfigManager& topics, MessageWriter& writer,
                       int32_t broker_permission, std::string broker_name, Logger& logger);

  // `store` may be null (no store plugin): send-backs then fail with Unavailable.
  void attach(MessageStore* store) { store_.store(store); }
  void detach() { store_.store(nullptr); }

  void send_back(SendBackRequest request, std::function<void(Status)> done) override;
  Status redirect_retry_send(MessageExt& message, std::optional<int32_t> max_reconsume_times) override;

 private:
  // %DLQ%<group>, created with one queue and perm 6 on first use.
  Result<TopicConfig> dlq_topic(std::string_view group);

  SubscriptionGroups& groups_;
  TopicConfigManager& topics_;
  MessageWriter& writer_;
  const int32_t broker_permission_;
  const std::string broker_name_;
  Logger& logger_;
  std::atomic<MessageStore*> store_{nullptr};
};

}  // namespace tern::kernel
