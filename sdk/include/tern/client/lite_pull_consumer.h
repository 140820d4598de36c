// DefaultLitePullConsumer: RocketMQ 4.x's lite pull consumer. The application pulls:
// poll() hands out messages that background long-polling pulls have buffered, and the
// offsets of what poll() returned are committed automatically or by commit_sync().
//
//   tern::client::DefaultLitePullConsumer consumer("my_group");
//   consumer.set_namesrv_addr("127.0.0.1:9876");     // or NAMESRV_ADDR
//   consumer.subscribe("TopicTest", "TagA || TagB");  // the group shares the queues
//   consumer.start();
//   while (running) {
//     for (const MessageExt& m : consumer.poll()) handle(m);
//   }
//   consumer.shutdown();                              // commits and persists the offsets
//
// Which queues, in one of two modes (mixing them throws):
//   - subscribe(topic, expression): the topic's readable queues are shared among the
//     group's live members as the push consumer shares them (AllocateMessageQueueAveragely,
//     every rebalance_interval (20 s), at once on NOTIFY_CONSUMER_IDS_CHANGED and when the
//     topic's route changes); in BROADCASTING every member takes every queue. Tags are
//     filtered on the broker by hash and again here by text; MessageSelector::by_sql
//     is evaluated by the broker.
//   - assign(queues): exactly these queues (from fetch_message_queues, say), no rebalancing.
//
// Pulling: one long-poll loop per queue (PULL_MESSAGE of pull_batch_size messages, held
// up to 20 s by the broker) fills a buffer per queue. A queue stops pulling while it holds
// pull_threshold_for_queue messages (1000) or pull_threshold_size_for_queue MiB (100) of
// bodies, or the consumer holds pull_threshold_for_all (10000); polls restart it. A pull
// that fails is retried after pull_time_delay_when_exception (1 s).
//
// Offsets: a queue newly taken starts at the group's committed offset, else where
// consume_from_where says (as the push consumer). A queue's consume offset is the offset
// after the last message poll() returned from it (messages the client's tag check dropped
// count as returned); a commit stores the consume offsets of every assigned queue:
//   - commit_sync(): now, waiting for the brokers (or writing the BROADCASTING file);
//   - auto commit (enable by default): poll() commits when auto_commit_interval (5 s) has
//     passed since the last commit, before it takes new messages, so a message is committed
//     once the application polls again after handling it; shutdown() commits too.
// Committed offsets go to the brokers every persist_consumer_offset_interval (5 s), when
// a rebalance takes a queue away (the last committed offset: what was polled since may be
// delivered again to the new owner) and at shutdown(). BROADCASTING keeps them in the
// local file of the push consumer (set_local_offset_store_dir). seek() does not commit.
//
// Thread-safety: setters before start(). Every other method may be called from any
// thread and is internally synchronised. The intended use is RocketMQ's: one thread
// polls and, between polls, seeks and commits, so that a commit covers exactly what that
// thread has handled. poll() from several threads at once is safe, but each queue's
// messages may then be handled out of order across the threads, and a commit (auto commit
// included) also covers what another thread is still handling. A seek, pause or
// unsubscribe from another thread affects every poll that starts after it returns.
//
// Errors: MQClientException (what() names the consumer group, topic, broker and cause):
// kNotRunning for a call before start() / after shutdown() or a bad argument or state
// (subscribe and assign mixed, a queue not assigned, a seek offset out of range);
// kNoNameServerException; kNotFoundTopicException (no route); kBrokerNotExist,
// kConnectBrokerException, kAccessBrokerTimeout for a broker not known, not reached or
// not answering in time; MQBrokerException with the broker's code when it refuses.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tern/client/client_config.h"
#include "tern/client/consumer.h"
#include "tern/client/message.h"
#include "tern/client/mq_client_exception.h"

namespace tern::client {

namespace internal {
class LitePullConsumerImpl;
}

class DefaultLitePullConsumer : public ClientConfig {
 public:
  explicit DefaultLitePullConsumer(std::string consumer_group);
  ~DefaultLitePullConsumer();  // shutdown()
  DefaultLitePullConsumer(const DefaultLitePullConsumer&) = delete;
  DefaultLitePullConsumer& operator=(const DefaultLitePullConsumer&) = delete;

  const std::string& consumer_group() const { return group_; }

  // --- Settings, before start(); RocketMQ's names and defaults.
  void set_message_model(MessageModel m) { message_model_ = m; }  // CLUSTERING
  MessageModel message_model() const { return message_model_; }
  void set_consume_from_where(ConsumeFromWhere w) { consume_from_where_ = w; }  // CONSUME_FROM_LAST_OFFSET
  ConsumeFromWhere consume_from_where() const { return consume_from_where_; }
  // For CONSUME_FROM_TIMESTAMP: ms since the epoch (default: half an hour before start()).
  void set_consume_timestamp(int64_t ms) { consume_timestamp_ = ms; }
  // Messages per pull, and at most per poll(): 10.
  void set_pull_batch_size(int n) { pull_batch_size_ = n; }
  int pull_batch_size() const { return pull_batch_size_; }
  void set_pull_threshold_for_queue(int n) { pull_threshold_for_queue_ = n; }            // 1000 messages
  void set_pull_threshold_size_for_queue(int mib) { pull_threshold_size_for_queue_ = mib; }  // 100 MiB
  void set_pull_threshold_for_all(int64_t n) { pull_threshold_for_all_ = n; }            // 10000 messages
  void set_pull_time_delay_when_exception(std::chrono::milliseconds t) { pull_delay_on_error_ = t; }  // 1 s
  void set_auto_commit(bool on) { auto_commit_ = on; }  // true
  bool is_auto_commit() const { return auto_commit_; }
  // At least 1 s (RocketMQ's MIN_AUTOCOMMIT_INTERVAL_MILLIS): 5 s.
  void set_auto_commit_interval(std::chrono::milliseconds t) { auto_commit_interval_ = t; }
  // How long poll() without an argument waits: 5 s.
  void set_poll_timeout(std::chrono::milliseconds t) { poll_timeout_ = t; }
  // Not in RocketMQ's API (its rebalanceInterval is a system property): 20 s.
  void set_rebalance_interval(std::chrono::milliseconds t) { rebalance_interval_ = t; }
  void set_persist_consumer_offset_interval(std::chrono::milliseconds t) { persist_interval_ = t; }  // 5 s
  // BROADCASTING offsets: <dir>/<clientId>/<group>/offsets.json; default $HOME/.rocketmq_offsets.
  void set_local_offset_store_dir(std::string dir) { local_offset_store_dir_ = std::move(dir); }

  // Starts the pulls of what is subscribed or assigned (either may also come later).
  // Throws MQClientException: kNotRunning (empty group, already started, group already
  // started in this client instance), kNoNameServerException.
  void start();
  // Commits (with auto commit), persists the committed offsets, stops the pulls and
  // unregisters. A poll() waiting in another thread returns at once, empty; calls after
  // it throw kNotRunning. Idempotent.
  void shutdown();

  // --- Subscribe mode (before or after start()).
  // `expression`: "*" (or "") for every tag, else tags joined by "||". Subscribing a
  // topic again replaces its expression. kNotRunning when queues were assigned.
  void subscribe(const std::string& topic, const std::string& expression);
  void subscribe(const std::string& topic, const MessageSelector& selector);
  // Stops the topic's queues at once (their buffered messages are dropped) and persists
  // their committed offsets.
  void unsubscribe(const std::string& topic);

  // --- Assign mode (before or after start()): replaces the assignment; queues left out
  // stop at once. kNotRunning when empty or when topics were subscribed.
  void assign(const std::vector<MessageQueue>& queues);
  // The queues this consumer holds now (assigned, or allocated by the last rebalance).
  std::vector<MessageQueue> assignment() const;

  // --- Consuming (after start()).
  // Up to pull_batch_size buffered messages, each queue's in queue order, from queues not
  // paused; waits up to `timeout` (poll_timeout without one) for the first. Empty when
  // none came (or shutdown() began).
  std::vector<MessageExt> poll();
  std::vector<MessageExt> poll(std::chrono::milliseconds timeout);

  // The next poll of `mq` starts at `offset` (between the queue's min and max offsets,
  // both allowed); its buffered messages are dropped. kNotRunning when `mq` is not
  // assigned now or the offset is out of range; broker errors as above.
  void seek(const MessageQueue& mq, int64_t offset);
  void seek_to_begin(const MessageQueue& mq);  // the queue's min offset
  void seek_to_end(const MessageQueue& mq);    // its max offset: only new messages

  // Paused queues stop pulling, and poll() returns none of their buffered messages until
  // they are resumed. Queues not assigned now are ignored; a queue that a rebalance
  // takes away and gives back later starts unpaused.
  void pause(const std::vector<MessageQueue>& queues);
  void resume(const std::vector<MessageQueue>& queues);

  // The readable queues of `topic`, asked of the name server (for assign()).
  // kNotFoundTopicException when it routes no such topic.
  std::vector<MessageQueue> fetch_message_queues(const std::string& topic);
  // The offset of the first message of `mq` stored at or after `timestamp_ms`
  // (SEARCH_OFFSET_BY_TIMESTAMP), for seek().
  int64_t offset_for_timestamp(const MessageQueue& mq, int64_t timestamp_ms);

  // Commits the consume offsets of every assigned queue and waits until the brokers (or
  // the BROADCASTING file) have them. Throws on the first queue that failed, after trying
  // all.
  void commit_sync();
  // The group's committed offset of `mq`: this consumer's last commit, else the broker's
  // (or the file's); -1 when there is none.
  int64_t committed(const MessageQueue& mq);

 private:
  friend class internal::LitePullConsumerImpl;

  std::string group_;
  MessageModel message_model_ = MessageModel::CLUSTERING;
  ConsumeFromWhere consume_from_where_ = ConsumeFromWhere::CONSUME_FROM_LAST_OFFSET;
  int64_t consume_timestamp_ = 0;
  int pull_batch_size_ = 10;
  int pull_threshold_for_queue_ = 1000;
  int pull_threshold_size_for_queue_ = 100;
  int64_t pull_threshold_for_all_ = 10000;
  std::chrono::milliseconds pull_delay_on_error_{1000};
  bool auto_commit_ = true;
  std::chrono::milliseconds auto_commit_interval_{5000};
  std::chrono::milliseconds poll_timeout_{5000};
  std::chrono::milliseconds rebalance_interval_{20000};
  std::chrono::milliseconds persist_interval_{5000};
  std::string local_offset_store_dir_;
  std::unique_ptr<internal::LitePullConsumerImpl> impl_;  // made in the constructor
};

}  // namespace tern::client
