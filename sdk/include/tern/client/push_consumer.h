// DefaultMQPushConsumer: RocketMQ's push consumer (concurrently consuming listener) on
// top of long-polling pulls.
//
//   tern::client::DefaultMQPushConsumer consumer("my_group");
//   consumer.set_namesrv_addr("127.0.0.1:9876");   // or NAMESRV_ADDR
//   consumer.subscribe("TopicTest", "TagA || TagB");  // or "*"
//   consumer.register_message_listener([](const std::vector<MessageExt>& msgs) {
//     return ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
//   });
//   consumer.start();
//   ...
//   consumer.shutdown();   // persists the consumed offsets
//
// Behaviour (RocketMQ's): queues of the subscribed topics (and %RETRY%<group> in
// clustering) are allocated averagely among the group's live consumers every
// rebalance_interval (20 s) and at once when a broker sends NOTIFY_CONSUMER_IDS_CHANGED.
// Each assigned queue starts at the group's offset on the broker or, when it has none,
// per consume_from_where; one long-poll pull loop per queue feeds the consume threads
// in batches of consume_message_batch_max_size. The offset committed for a queue is its
// lowest unconsumed message; offsets are persisted every 5 s, when a queue is taken away,
// and at shutdown() (BROADCASTING: to a local file, see set_local_offset_store_dir).
//
// Retry (RocketMQ's, CLUSTERING): RECONSUME_LATER (or a listener exception) sends each
// message of the batch back to the broker it came from (CONSUMER_SEND_MSG_BACK with the
// context's delay level), which stores it in %RETRY%<group> with the next delay level
// (3, 4, ... of messageDelayLevel: 10 s, 30 s, 1 min, ... by default); the consumer
// subscribes that topic itself and hands the message back to the listener with its
// original topic and reconsume_times + 1. After max_reconsume_times (16) the broker
// moves it to %DLQ%<group> instead. If the send-back fails, the message is sent to
// %RETRY%<group> through a producer (group CLIENT_INNER_PRODUCER_<group>), and if that
// fails too it is consumed again locally after 5 s. BROADCASTING consumers do not retry: a
// failed message is logged and dropped. Orderly listeners retry locally
// (SUSPEND_CURRENT_QUEUE_A_MOMENT, 1 s); only when max_reconsume_times is set, a message
// suspended that many times goes to the DLQ and the queue moves on.
// An orderly listener in CLUSTERING consumes a queue only while this client holds the
// queue's lock on its broker (LOCK_BATCH_MQ, as RocketMQ), so two members of a group never
// consume one queue at the same time, even while a rebalance moves it: a newly assigned
// queue is locked before it is pulled, locks are renewed every rebalance_lock_interval,
// a queue taken away is unlocked once its batch in progress ends, and shutdown() unlocks
// after persisting the offsets. A member that dies without unlocking keeps its queues
// until the broker's lock expires (rebalanceLockMaxLiveTime, 60 s).
//
// Threads: setters and subscribe before start(); start() and shutdown() once each from
// one thread; the listener runs on consume_thread_max threads. The destructor shuts down.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "tern/client/client_config.h"
#include "tern/client/consumer.h"
#include "tern/client/message.h"
#include "tern/client/mq_client_exception.h"
#include "tern/client/query_result.h"

namespace tern::client {

namespace internal {
class PushConsumerImpl;
}

class DefaultMQPushConsumer : public ClientConfig {
 public:
  explicit DefaultMQPushConsumer(std::string consumer_group);
  ~DefaultMQPushConsumer();
  DefaultMQPushConsumer(const DefaultMQPushConsumer&) = delete;
  DefaultMQPushConsumer& operator=(const DefaultMQPushConsumer&) = delete;

  const std::string& consumer_group() const { return group_; }

  // `expression`: "*" (or "") for every tag, else tags joined by "||".
  void subscribe(const std::string& topic, const std::string& expression);
  // By tag or, with MessageSelector::by_sql, by a SQL92 expression the broker evaluates.
  void subscribe(const std::string& topic, const MessageSelector& selector);
  void register_message_listener(MessageListenerConcurrently listener) {
    listener_ = [l = std::move(listener)](const std::vector<MessageExt>& msgs, ConsumeConcurrentlyContext&) {
      return l(msgs);
    };
    orderly_listener_ = nullptr;
  }
  void register_message_listener(MessageListenerConcurrentlyWithContext listener) {
    listener_ = std::move(listener);
    orderly_listener_ = nullptr;
  }
  // Orderly: each queue's messages in order, one batch at a time per queue; in CLUSTERING
  // only under the queue's broker lock (see the top of the file).
  void register_message_listener(MessageListenerOrderly listener) {
    orderly_listener_ = std::move(listener);
    listener_ = nullptr;
  }

  void set_message_model(MessageModel m) { message_model_ = m; }  // CLUSTERING
  MessageModel message_model() const { return message_model_; }
  void set_consume_from_where(ConsumeFromWhere w) { consume_from_where_ = w; }  // CONSUME_FROM_LAST_OFFSET
  ConsumeFromWhere consume_from_where() const { return consume_from_where_; }
  // For CONSUME_FROM_TIMESTAMP: ms since the epoch (default: half an hour ago).
  void set_consume_timestamp(int64_t ms) { consume_timestamp_ = ms; }
  void set_consume_thread_min(int n) { consume_thread_min_ = n; }  // 20
  void set_consume_thread_max(int n) { consume_thread_max_ = n; }  // 20 (the pool has max threads)
  int consume_thread_max() const { return consume_thread_max_; }
  void set_consume_message_batch_max_size(int n) { consume_message_batch_max_size_ = n; }  // 1
  void set_pull_batch_size(int n) { pull_batch_size_ = n; }                                // 32
  // Not in RocketMQ's API (its rebalanceInterval is a system property): 20 s.
  void set_rebalance_interval(std::chrono::milliseconds t) { rebalance_interval_ = t; }
  void set_persist_consumer_offset_interval(std::chrono::milliseconds t) { persist_interval_ = t; }  // 5 s
  // Orderly CLUSTERING, Tern additions for RocketMQ's system properties
  // rocketmq.client.rebalance.lockInterval and .lockMaxLiveTime: how often the held queue
  // locks are renewed on the brokers (20 s), and how long after its last renewal a lock is
  // trusted here (30 s: past it, the queue's consumption pauses until the broker renews it).
  // Keep the interval below both lifetimes (this one and the broker's 60 s).
  void set_rebalance_lock_interval(std::chrono::milliseconds t) { rebalance_lock_interval_ = t; }
  void set_rebalance_lock_max_live_time(std::chrono::milliseconds t) { rebalance_lock_max_live_ = t; }
  // Tries before a message goes to %DLQ%<group> (RocketMQ's maxReconsumeTimes). -1 (the
  // default): 16 for concurrent listeners, unlimited for orderly ones.
  void set_max_reconsume_times(int n) { max_reconsume_times_ = n; }
  int max_reconsume_times() const { return max_reconsume_times_; }
  // BROADCASTING keeps offsets in <dir>/<clientId>/<group>/offsets.json (RocketMQ's
  // LocalFileOffsetStore; its rocketmq.client.localOffsetStoreDir): $HOME/.rocketmq_offsets.
  void set_local_offset_store_dir(std::string dir) { local_offset_store_dir_ = std::move(dir); }

  // Throws MQClientException (kNotRunning: no listener, no subscription, bad group or
  // already started; kNoNameServerException).
  void start();
  void shutdown();  // idempotent

  // Message lookups, as DefaultMQProducer's (producer.h); after start().
  MessageExt view_message(const std::string& offset_msg_id);
  MessageExt view_message(const std::string& topic, const std::string& msg_id);
  QueryResult query_message(const std::string& topic, const std::string& key, int max_num, int64_t begin_ms,
                            int64_t end_ms);

 private:
  friend class internal::PushConsumerImpl;
  internal::PushConsumerImpl& running(const char* what);
  std::string group_;
  std::map<std::string, MessageSelector> subscriptions_;
  MessageListenerConcurrentlyWithContext listener_;
  MessageListenerOrderly orderly_listener_;
  int max_reconsume_times_ = -1;
  MessageModel message_model_ = MessageModel::CLUSTERING;
  ConsumeFromWhere consume_from_where_ = ConsumeFromWhere::CONSUME_FROM_LAST_OFFSET;
  int64_t consume_timestamp_ = 0;
  int consume_thread_min_ = 20, consume_thread_max_ = 20;
  int consume_message_batch_max_size_ = 1;
  int pull_batch_size_ = 32;
  std::chrono::milliseconds rebalance_interval_{20000};
  std::chrono::milliseconds persist_interval_{5000};
  std::chrono::milliseconds rebalance_lock_interval_{20000};
  std::chrono::milliseconds rebalance_lock_max_live_{30000};
  std::string local_offset_store_dir_;
  std::unique_ptr<internal::PushConsumerImpl> impl_;
};

}  // namespace tern::client
