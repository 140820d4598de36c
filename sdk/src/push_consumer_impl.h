// PushConsumerImpl: the machinery behind DefaultMQPushConsumer (RocketMQ's
// DefaultMQPushConsumerImpl + RebalancePushImpl + PullMessageService +
// ConsumeMessageConcurrentlyService / ConsumeMessageOrderlyService).
//
// The shared pieces live beside it: SubscriptionData, PullAPIWrapper (pull_api_wrapper.h),
// OffsetStore (offset_store.h), the rebalance steps (rebalance.h), Gate (gate.h).
//
// Threads: rebalance and offset persistence run on `control_` (one thread; scheduled
// from the instance's scheduler), pull requests are issued from `puller_` (one thread;
// responses arrive on the io thread and are handed back to it), the listener runs on
// `consumers_`. Io callbacks and scheduler tasks reach this object only through `gate_`,
// which shutdown() closes before anything is destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "client_instance.h"
#include "executor.h"
#include "gate.h"
#include "offset_store.h"
#include "subscription_data.h"
#include "tern/client/push_consumer.h"

namespace tern::client::internal {

class PushConsumerImpl final : public ConsumerMember {
 public:
  explicit PushConsumerImpl(const DefaultMQPushConsumer& c);
  ~PushConsumerImpl() override;

  void start();     // throws MQClientException
  void shutdown();  // idempotent

  std::vector<std::string> topics_in_use() const override;
  JsonValue consumer_data() const override;
  // A subscribed topic's route changed: rebalance now (not only at the next interval).
  void on_route_changed(const std::string& topic, const TopicRouteData& route) override;
  void on_consumer_ids_changed() override;
  void on_reset_offsets(const std::string& topic, const std::map<MessageQueue, int64_t>& offsets) override;

 private:
  // One assigned queue (RocketMQ's ProcessQueue + PullRequest).
  struct ProcessQueue {
    MessageQueue mq;
    std::atomic<bool> dropped{false};
    int64_t next_offset = 0;                // next pull; on puller_ only
    std::mutex mu;
    std::map<int64_t, bool> in_flight;      // offsets handed out, not consumed; guarded by mu
    int64_t max_seen = -1;                  // guarded by mu
    std::map<int64_t, MessageExt> pending;  // orderly: pulled, not consumed; guarded by mu
    bool consuming = false;                 // orderly: a consume task owns the queue; guarded by mu
    // The lowest unconsumed offset, or -1 when nothing was ever pulled.
    int64_t committable() {
      std::lock_guard lock(mu);
      if (!in_flight.empty()) return in_flight.begin()->first;
      return max_seen < 0 ? -1 : max_seen + 1;
    }
  };
  using PQ = std::shared_ptr<ProcessQueue>;
  using Gate = internal::Gate<PushConsumerImpl>;

  // Posts `task` to the control or pull executor via the gate (no-op once shut down).
  static void via_gate(const std::shared_ptr<Gate>& gate, bool control, std::function<void(PushConsumerImpl&)> task);
  void schedule_pull(const PQ& pq, std::chrono::milliseconds delay);
  const SubscriptionData* subscription_of(const std::string& topic) const;

  void rebalance();
  void rebalance_topic(const std::string& topic);
  // RESET_CONSUMER_CLIENT_OFFSET (on_reset_offsets, posted to the control executor): each
  // of those queues it holds is dropped (buffered messages discarded, its old offset not
  // committed) and taken again from the new offset.
  void reset_offsets(const std::string& topic, const std::map<MessageQueue, int64_t>& offsets);
  // Starts pulling `mq` from `from` with a fresh process queue.
  void take_queue(const MessageQueue& mq, int64_t from);
  void pull(const PQ& pq);
  void on_pull(const PQ& pq, Result<remoting::RemotingCommand> response);
  void submit_consume(const PQ& pq, std::vector<MessageExt> batch);
  void consume(const PQ& pq, std::vector<MessageExt> batch);
  void consume_orderly(const PQ& pq);
  void update_offset(const PQ& pq);
  void persist_all(bool sync);

  const std::string group_;
  const ClientConfig config_;
  const MessageListenerConcurrently listener_;
  const MessageListenerOrderly orderly_listener_;
  const MessageModel model_;
  const ConsumeFromWhere from_where_;
  const int64_t consume_timestamp_;
  const int threads_, batch_max_, pull_batch_;
  const std::chrono::milliseconds rebalance_interval_, persist_interval_;
  std::vector<SubscriptionData> subscriptions_;  // fixed after construction
  const std::string local_offset_dir_;

  std::shared_ptr<MQClientInstance> instance_;
  std::unique_ptr<OffsetStore> offsets_;  // made at start()
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::unique_ptr<Executor> control_, puller_, consumers_;
  std::atomic<bool> running_{false};
  bool shut_down_ = false;

  mutable std::mutex mu_;
  std::map<MessageQueue, PQ> queues_;  // assigned; guarded by mu_
};

}  // namespace tern::client::internal
