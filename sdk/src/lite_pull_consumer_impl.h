// LitePullConsumerImpl: the machinery behind DefaultLitePullConsumer (RocketMQ's
// DefaultLitePullConsumerImpl + RebalanceLitePullImpl + AssignedMessageQueue). It builds
// on the pieces the push consumer uses: SubscriptionData, PullAPIWrapper, OffsetStore,
// the rebalance steps, MQAdmin queries and Gate.
//
// State: every assigned queue is a ProcessQueue in `queues_`, all under `mu_`, with one
// condition variable that poll() waits on. A queue's pull loop is a chain of single pulls:
// pull() sends one, on_pull() buffers its answer and, unless the queue is paused, full or
// dropped, sends the next; poll() and resume() restart a loop that stopped. A seek or a
// drop starts a new epoch, so answers of older pulls are discarded.
//
// Threads: the application's threads (poll, seek, commit; they may block on the network,
// never while holding mu_); `control_` (one thread: rebalance, offset persistence,
// subscription changes); `puller_` (one thread: sends pulls, computes where a new queue
// starts, handles the answers the io thread hands back). Io callbacks and scheduler tasks
// reach this object only through `gate_`.
//
// Lock order: mu_, then sub_mu_; both are taken by calls from the client instance
// (topics_in_use, consumer_data: sub_mu_ only), so neither is ever held across a call into
// the instance or the network.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "client_instance.h"
#include "executor.h"
#include "gate.h"
#include "offset_store.h"
#include "process_queue.h"
#include "subscription_data.h"
#include "tern/client/lite_pull_consumer.h"

namespace tern::client::internal {

class LitePullConsumerImpl final : public ConsumerMember {
 public:
  explicit LitePullConsumerImpl(std::string group) : group_(std::move(group)) {}
  ~LitePullConsumerImpl() override;

  void start(const DefaultLitePullConsumer& settings);  // throws MQClientException
  void shutdown();                                      // idempotent

  void subscribe(const std::string& topic, const MessageSelector& selector);
  void unsubscribe(const std::string& topic);
  void assign(const std::vector<MessageQueue>& queues);
  std::vector<MessageQueue> assignment() const;

  std::vector<MessageExt> poll(std::chrono::milliseconds timeout);
  void seek(const MessageQueue& mq, int64_t offset);
  void seek_to_begin(const MessageQueue& mq);
  void seek_to_end(const MessageQueue& mq);
  void pause(const std::vector<MessageQueue>& queues, bool paused);
  std::vector<MessageQueue> fetch_message_queues(const std::string& topic);
  int64_t offset_for_timestamp(const MessageQueue& mq, int64_t timestamp_ms);
  void commit_sync();
  int64_t committed(const MessageQueue& mq);

  std::chrono::milliseconds poll_timeout() const { return settings_.poll_timeout; }

  // ConsumerMember
  std::vector<std::string> topics_in_use() const override;
  JsonValue consumer_data() const override;
  void on_route_changed(const std::string& topic, const TopicRouteData& route) override;
  void on_consumer_ids_changed() override;

 private:
  enum class Mode { kNone, kSubscribe, kAssign };
  using PQ = std::shared_ptr<ProcessQueue>;
  using Gate = internal::Gate<LitePullConsumerImpl>;

  // Which executor a gated task runs on.
  static Executor& on_control(LitePullConsumerImpl& c) { return *c.control_; }
  static Executor& on_puller(LitePullConsumerImpl& c) { return *c.puller_; }

  // What start() copies from DefaultLitePullConsumer; fixed afterwards.
  struct Settings {
    ClientConfig client;
    MessageModel model = MessageModel::CLUSTERING;
    ConsumeFromWhere from_where = ConsumeFromWhere::CONSUME_FROM_LAST_OFFSET;
    int64_t consume_timestamp = 0;
    size_t pull_batch = 10;
    size_t threshold_for_queue = 1000;
    int64_t threshold_bytes_for_queue = 100LL << 20;
    size_t threshold_for_all = 10000;
    std::chrono::milliseconds pull_delay_on_error{1000};
    bool auto_commit = true;
    std::chrono::milliseconds auto_commit_interval{5000};
    std::chrono::milliseconds poll_timeout{5000};
    std::chrono::milliseconds rebalance_interval{20000};
    std::chrono::milliseconds persist_interval{5000};
    std::string local_offset_dir;
  };

  // Throws kNotRunning naming `what` unless started and not shut down.
  void require_running(const char* what) const;
  // As require_running, for a call that uses the client instance: shutdown() does not
  // release the instance while the returned lock is held.
  std::shared_lock<std::shared_mutex> enter(const char* what) const;
  [[noreturn]] void throw_status(const std::string& what, const Status& s, const std::string& topic,
                                 const std::string& broker) const;
  // The master address of mq's broker, asking the name server when the cache has none;
  // "" when there is none.
  std::string ensure_broker(const MessageQueue& mq);
  [[noreturn]] void throw_not_assigned(const char* what, const MessageQueue& mq) const;
  // The "offset" of a broker's answer to `request` about `mq`; throws on any failure.
  int64_t broker_offset(const std::string& what, const MessageQueue& mq, remoting::RemotingCommand request);
  void seek_checked(const MessageQueue& mq, int64_t offset, int64_t min, int64_t max);

  // The pull loop (see the file comment).
  void maybe_pull_locked(const PQ& pq);
  void retry_pull_later(const PQ& pq, uint64_t epoch);
  void pull(const PQ& pq, uint64_t epoch);
  void on_pull(const PQ& pq, uint64_t epoch, int64_t offset, const std::shared_ptr<const SubscriptionData>& sub,
               Result<remoting::RemotingCommand> response);
  // Moves up to pull_batch messages of unpaused queues to `out`, from the queue after
  // the one the last poll ended on.
  void take_locked(std::vector<MessageExt>* out);
  // Stores every assigned queue's consume offset in offsets_ (a commit, not persisted).
  void commit_to_store_locked();
  // Drops `pq`: no more pulls, no more polls of it.
  void drop_locked(const PQ& pq);
  // Drops and forgets the queues held for which `leave` is true; returns them.
  std::vector<MessageQueue> remove_queues_locked(const std::function<bool(const MessageQueue&)>& leave);
  // Holds each queue of `wanted` not held yet and starts its pull loop (when running).
  void add_queues_locked(const std::set<MessageQueue>& wanted);
  // Persists the committed offsets of queues no longer held, then forgets them.
  void release_queues(const std::vector<MessageQueue>& removed);

  void rebalance();
  void rebalance_topic(const std::string& topic);

  const std::string group_;
  Settings settings_;  // fixed once start() copied it

  std::shared_ptr<MQClientInstance> instance_;
  std::unique_ptr<OffsetStore> offsets_;
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::unique_ptr<Executor> control_, puller_;
  std::atomic<bool> started_{false};
  bool shut_down_ = false;  // guarded by mu_

  // Held shared by application calls that use instance_, exclusively by shutdown() to
  // release it.
  mutable std::shared_mutex instance_mu_;

  mutable std::mutex mu_;
  std::condition_variable cv_;             // a queue got messages, was resumed, or shutdown began
  bool running_ = false;                   // guarded by mu_: started and not shutting down
  Mode mode_ = Mode::kNone;                // guarded by mu_
  std::map<MessageQueue, PQ> queues_;      // assigned; guarded by mu_
  size_t buffered_ = 0;                    // messages in every queue's buffer; guarded by mu_
  MessageQueue poll_cursor_;               // the queue the last poll ended on; guarded by mu_
  std::chrono::steady_clock::time_point next_auto_commit_{};  // guarded by mu_

  mutable std::mutex sub_mu_;
  std::map<std::string, SubscriptionData> subscriptions_;  // subscribe mode; guarded by sub_mu_
  std::set<std::string> assigned_topics_;                  // assign mode; guarded by sub_mu_
};

}  // namespace tern::client::internal
