// PushConsumerImpl: the machinery behind DefaultMQPushConsumer (RocketMQ's
// DefaultMQPushConsumerImpl + RebalancePushImpl + PullMessageService +
// ConsumeMessageConcurrentlyService + RemoteBrokerOffsetStore), with RocketMQ's retry:
// failed messages are sent back (CONSUMER_SEND_MSG_BACK), else re-sent to %RETRY%<group>
// through an inner producer, else consumed again locally.
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
#include "producer_impl.h"
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

  // Gate between callbacks (io thread, scheduler) and this object's executors.
  struct Gate {
    std::mutex mu;
    PushConsumerImpl* self = nullptr;  // null once shut down
  };

 private:
  struct Subscription {
    std::string topic, expression;
    std::set<std::string> tags;  // empty: every tag (or a SQL92 subscription)
    int64_t sub_version = 0;
    std::string expression_type = "TAG";  // or "SQL92"
  };
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

  // Posts `task` to the control or pull executor via the gate (no-op once shut down).
  static void via_gate(const std::shared_ptr<Gate>& gate, bool control, std::function<void(PushConsumerImpl&)> task);
  void schedule_pull(const PQ& pq, std::chrono::milliseconds delay);

  void rebalance();
  void rebalance_topic(const std::string& topic);
  std::vector<std::string> find_consumer_ids(const std::string& topic);
  int64_t compute_pull_from(const MessageQueue& mq);
  void pull(const PQ& pq);
  void on_pull(const PQ& pq, Result<remoting::RemotingCommand> response);
  void submit_consume(const PQ& pq, std::vector<MessageExt> batch);
  void consume(const PQ& pq, std::vector<MessageExt> batch);
  void consume_orderly(const PQ& pq);
  // A message from %RETRY%<group> gets its original topic back (RETRY_TOPIC) for the listener.
  void reset_retry_topic(MessageExt& m) const;
  // RocketMQ's sendMessageBack: CONSUMER_SEND_MSG_BACK to the broker of `mq` with
  // `delay_level`; when that fails, a send to %RETRY%<group> through the inner producer.
  // False when both failed (the caller then consumes the message again locally).
  bool send_message_back(const MessageExt& m, int delay_level, const MessageQueue& mq);
  bool send_back_to_broker(const MessageExt& m, int delay_level, const MessageQueue& mq);
  bool send_back_by_producer(const MessageExt& m);
  // The producer for send_back_by_producer, started on first use; null if it cannot start.
  ProducerImpl* inner_producer();
  void update_offset(const PQ& pq);
  void persist_all(bool sync);
  void persist_one(const MessageQueue& mq, int64_t offset, bool sync);
  // BROADCASTING: the local offset file (RocketMQ's LocalFileOffsetStore).
  std::string local_offset_file() const;
  void load_local_offsets();
  void write_local_offsets();

  const std::string group_;
  const ClientConfig config_;
  const MessageListenerConcurrentlyWithContext listener_;
  const MessageListenerOrderly orderly_listener_;
  const MessageModel model_;
  const ConsumeFromWhere from_where_;
  const int64_t consume_timestamp_;
  const int threads_, batch_max_, pull_batch_;
  const int max_reconsume_times_;  // resolved: 16 (concurrent) / INT_MAX (orderly) when unset
  const std::chrono::milliseconds rebalance_interval_, persist_interval_;
  std::vector<Subscription> subscriptions_;  // fixed after construction
  std::string local_offset_dir_;

  std::shared_ptr<MQClientInstance> instance_;
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::unique_ptr<Executor> control_, puller_, consumers_;
  std::atomic<bool> running_{false};
  bool shut_down_ = false;

  mutable std::mutex mu_;
  std::map<MessageQueue, PQ> queues_;           // assigned; guarded by mu_
  std::map<MessageQueue, int64_t> offsets_;     // the offset store; guarded by mu_
  std::map<MessageQueue, int64_t> local_offsets_;  // BROADCASTING: from/for the file; guarded by mu_

  std::mutex producer_mu_;
  std::unique_ptr<ProducerImpl> inner_producer_;  // guarded by producer_mu_
  bool inner_producer_failed_ = false;            // guarded by producer_mu_
};

}  // namespace tern::client::internal
