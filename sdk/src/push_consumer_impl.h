// PushConsumerImpl: the machinery behind DefaultMQPushConsumer (RocketMQ's
// DefaultMQPushConsumerImpl + RebalancePushImpl + PullMessageService +
// ConsumeMessageConcurrentlyService / ConsumeMessageOrderlyService).
//
// The shared pieces live beside it: SubscriptionData, PullAPIWrapper (pull_api_wrapper.h),
// OffsetStore (offset_store.h), the rebalance steps (rebalance.h), Gate (gate.h).
//
// Orderly listener in CLUSTERING (push_consumer_orderly.cc): a queue is consumed only
// under its broker lock (LOCK_BATCH_MQ), as RocketMQ's RebalanceImpl does it: a newly
// assigned queue is locked before it is pulled (refused: tried again soon, the previous
// owner is still releasing it); every held queue is re-locked every lock interval
// (lockAll); a batch starts only while the lock is held and younger than the client-side
// lock lifetime; a queue taken away by rebalance is released after the batch in progress
// (its consume lock), its offset persisted, then unlocked; shutdown unlocks everything
// after persisting the offsets. A lock the broker gave to another member is dropped here.
//
// Retry (CLUSTERING, concurrent listener): failed messages are sent back
// (CONSUMER_SEND_MSG_BACK), else re-sent to %RETRY%<group> through an inner producer, else
// consumed again locally.
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
#include "producer_impl.h"
#include "tern/client/push_consumer.h"

namespace tern::client::internal {

class PushConsumerImpl final : public ConsumerMember {
 public:
  explicit PushConsumerImpl(const DefaultMQPushConsumer& c);
  ~PushConsumerImpl() override;

  void start();     // throws MQClientException
  void shutdown();  // idempotent
  MQClientInstance& instance() const { return *instance_; }

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
    // Orderly clustering (RocketMQ's ProcessQueue.locked / lastLockTimestamp / consumeLock):
    std::atomic<bool> locked{false};        // the broker granted this client the queue's lock
    std::atomic<int64_t> last_lock_ms{0};   // steady-clock ms of the last grant or renewal
    std::timed_mutex consume_lock;          // held while a batch is consumed and its offset noted
    void mark_locked() {
      last_lock_ms = steady_ms();
      locked = true;
    }
    int64_t lock_age_ms() const { return steady_ms() - last_lock_ms; }
    static int64_t steady_ms() {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    }
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
  // Starts pulling `mq` from `from` with a fresh process queue. Orderly clustering: the
  // caller holds the queue's broker lock, granted or last renewed at `locked_at_ms`
  // (ProcessQueue::steady_ms()).
  void take_queue(const MessageQueue& mq, int64_t from, int64_t locked_at_ms);
  void pull(const PQ& pq);
  void on_pull(const PQ& pq, Result<remoting::RemotingCommand> response);
  void submit_consume(const PQ& pq, std::vector<MessageExt> batch);
  void consume(const PQ& pq, std::vector<MessageExt> batch);
  void consume_orderly(const PQ& pq);
  // Posts consume_orderly(pq) to the consume threads after `delay`.
  void schedule_consume_orderly(const PQ& pq, std::chrono::milliseconds delay);
  // Removal of a queue taken away by rebalance: waits up to `wait` for the batch in
  // progress (orderly clustering), then persists the offset and unlocks the queue. False
  // when the batch did not end in time (the queue then waits in releasing_).
  bool release(const PQ& pq, std::chrono::milliseconds wait);

  // Orderly clustering: the broker's queue locks (push_consumer_orderly.cc).
  bool orderly_clustering() const { return orderly_listener_ && model_ == MessageModel::CLUSTERING; }
  // LOCK_BATCH_MQ of queues of one broker: the ones this client holds now.
  Result<std::set<MessageQueue>> lock_batch(const std::string& broker_name, const std::vector<MessageQueue>& mqs);
  void unlock_batch(const std::string& broker_name, const std::vector<MessageQueue>& mqs, bool oneway);
  // Locks newly assigned queues (one request per broker): those granted.
  std::set<MessageQueue> lock_new_queues(const std::vector<MessageQueue>& mqs);
  void lock_all();    // renews every held queue's lock (RocketMQ's lockAll)
  void unlock_all();  // at shutdown, synchronously
  // The lock is held and not older than the client-side lifetime.
  bool lock_usable(const ProcessQueue& pq) const;
  // RocketMQ's tryLockLaterAndReconsume: after `delay`, lock the queue again and resume.
  void try_lock_later(const PQ& pq, std::chrono::milliseconds delay);
  void relock(const PQ& pq);
  // The broker gave the queue to another member: stop consuming it (no offset persisted:
  // the other member owns it now) and rebalance soon.
  void drop_lost(const PQ& pq);
  // Retries the queues whose batch was still running when rebalance took them away.
  void finish_releases();
  // Rebalances `topic` again soon (once, however many ask) after a lock was refused.
  void schedule_lock_retry(const std::string& topic);
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
  const std::chrono::milliseconds lock_interval_, lock_max_live_;
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
  // Orderly clustering, on the control thread only (and shutdown once it stopped): queues
  // taken away whose batch was still running, and topics with a lock retry scheduled.
  std::map<MessageQueue, PQ> releasing_;
  std::set<std::string> lock_retry_topics_;

  std::mutex producer_mu_;
  std::unique_ptr<ProducerImpl> inner_producer_;  // guarded by producer_mu_
  bool inner_producer_failed_ = false;            // guarded by producer_mu_
};

}  // namespace tern::client::internal
