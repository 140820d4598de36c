// The broker's services, owned by the kernel and shared by every protocol plugin, so that
// a topic created over one protocol, an offset committed over another and a consumer
// group seen by a third are one and the same:
//   TopicRegistry         topics.json: topic configs, auto-creation, permissions
//   SubscriptionGroups    subscriptionGroup.json: consumer-group configs
//   ConsumerOffsets       consumerOffset.json: committed offsets per group, topic, queue
//   ClientRegistry        live producers and consumers (from heartbeats), group membership
//   PullHoldService       long polls: a pull parked until its queue grows or it times out
//   MessageWriter         the write path every protocol sends through: what the broker does
//                         to a message before the store sees it (delay levels park it in
//                         SCHEDULE_TOPIC_XXXX until due)
//   ConsumerRetry         consumer retry: a consumed message sent back goes to %RETRY%<group>
//                         with the next delay level, or to %DLQ%<group> after its last try
//   QueueLocks            queue locks of orderly consumers (LOCK/UNLOCK_BATCH_MQ), with expiry
// Metadata files live under <storePathRootDir>/config/ in RocketMQ's layouts (standard
// JSON: map keys are always quoted) and are replaced atomically (temp file + rename).
// Changes take effect in memory at once; the files are written by a kernel thread soon
// after (offsets every flushConsumerOffsetInterval ms), never on the caller's thread,
// and all of them when the broker stops.
//
// Life cycle: the services exist before any plugin is created (a plugin may keep
// references from create()); the files are loaded after the store plugin started and
// before filter, ha and protocol plugins start; they are written, held pulls answered and
// client channels released after those plugins stopped and before the store stops.
//
// Thread-safety: every method of every service may be called from any thread, and none
// blocks on disk. Callbacks into plugins (ClientChannel, hold wake-ups, change listeners)
// are made without any service lock held.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tern/message.h"
#include "tern/status.h"
#include "tern/store.h"
#include "tern/topic_config.h"

namespace tern {

// RocketMQ's DataVersion: changes whenever a metadata table changes, so that a name server
// can tell a broker's topic table changed.
struct DataVersion {
  int64_t timestamp = 0;  // ms since the epoch of the last change
  int64_t counter = 0;    // number of changes since the file was created

  friend bool operator==(const DataVersion&, const DataVersion&) = default;
};

class TopicRegistry {
 public:
  virtual ~TopicRegistry() = default;
  virtual std::optional<TopicConfig> find(std::string_view topic) const = 0;
  virtual std::vector<TopicConfig> all() const = 0;
  // Creates or replaces a topic (UPDATE_AND_CREATE_TOPIC); written to topics.json soon
  // after. InvalidArgument for an illegal name (empty, over 127 characters, characters
  // other than [%|a-zA-Z0-9_-]), a system topic ("The topic[X] is conflict with system
  // topic.": TBW102, SCHEDULE_TOPIC_XXXX, the cluster and broker name topics, ...) or
  // queue counts outside 1..1024.
  virtual Status create_or_update(TopicConfig config) = 0;
  // Removes a topic's config; NotFound when it does not exist, InvalidArgument for a system
  // topic. Offsets and messages stay: callers remove those (ConsumerOffsets::remove_topic,
  // MessageStore::delete_topic).
  virtual Status remove(std::string_view topic) = 0;

  // The topic a producer may send to, as RocketMQ's send path decides it:
  //   - an illegal name: InvalidArgument; a topic only the broker writes
  //     (SCHEDULE_TOPIC_XXXX, RMQ_SYS_TRANS_HALF_TOPIC, ...): PermissionDenied;
  //   - an existing topic without the write permission (or a broker without it): a
  //     PermissionDenied status naming the topic;
  //   - a %RETRY% topic of a known group (or one autoCreateSubscriptionGroup creates) is
  //     created on first use with the group's retryQueueNums, perm 6;
  //   - another unknown topic: created from the TBW102 template with
  //     min(requested_queue_nums, TBW102's queues = defaultTopicQueueNums) queues when
  //     autoCreateTopicEnable is on, otherwise NotFound whose message says how to create it
  //     (`mqadmin updateTopic` or autoCreateTopicEnable=true).
  virtual Result<TopicConfig> topic_for_send(std::string_view topic, int32_t requested_queue_nums) = 0;

  virtual DataVersion data_version() const = 0;
  // Called (on the thread that made the change) after every change of the table; the
  // broker re-registers with its name servers. Listeners stay for the registry's life.
  virtual void add_change_listener(std::function<void()> listener) = 0;
};

class SubscriptionGroups {
 public:
  virtual ~SubscriptionGroups() = default;
  // The group's config; when unknown and autoCreateSubscriptionGroup is on, a default one
  // is created (and persisted); otherwise nullopt.
  virtual std::optional<SubscriptionGroupConfig> find_or_create(std::string_view group) = 0;
  virtual std::optional<SubscriptionGroupConfig> find(std::string_view group) const = 0;
  virtual std::vector<SubscriptionGroupConfig> all() const = 0;
  virtual Status create_or_update(SubscriptionGroupConfig config) = 0;
  virtual Status remove(std::string_view group) = 0;
  virtual DataVersion data_version() const = 0;
};

class ConsumerOffsets {
 public:
  virtual ~ConsumerOffsets() = default;
  // Records the group's next offset to consume. Kept in memory, written every
  // flushConsumerOffsetInterval ms (when something changed) and at shutdown.
  virtual void commit(std::string_view group, std::string_view topic, int32_t queue_id, int64_t offset) = 0;
  // nullopt when the group never committed an offset for that queue.
  virtual std::optional<int64_t> query(std::string_view group, std::string_view topic, int32_t queue_id) const = 0;
  // queue id -> offset, for one group and topic.
  virtual std::map<int32_t, int64_t> offsets(std::string_view group, std::string_view topic) const = 0;
  // Groups with offsets on `topic` (QUERY_TOPIC_CONSUME_BY_WHO), and topics of a group;
  // both sorted.
  virtual std::vector<std::string> groups_of_topic(std::string_view topic) const = 0;
  virtual std::vector<std::string> topics_of_group(std::string_view group) const = 0;
  virtual void remove_group(std::string_view group) = 0;
  virtual void remove_topic(std::string_view topic) = 0;
  // Writes consumerOffset.json now if an offset changed since the last write; blocks on
  // disk (not for io threads: the kernel already writes it periodically). IoError naming
  // the file on failure.
  virtual Status persist() = 0;
};

// A client connection as the kernel sees it; each protocol plugin implements it for its
// connections. The registry keeps a weak reference: a closed connection simply expires.
class ClientChannel {
 public:
  virtual ~ClientChannel() = default;
  // "ip:port" of the client.
  virtual std::string remote_address() const = 0;
  // The consumer group's membership changed (RocketMQ's NOTIFY_CONSUMER_IDS_CHANGED push,
  // so members rebalance at once). Must not block.
  virtual void notify_consumer_ids_changed(const std::string& group) = 0;
  // An operator reset `group`'s offsets on `topic` (to the first message stored at or after
  // `timestamp_ms`, or -1 for the end): the client should drop what it buffered of those
  // queues and continue from `offsets` (RocketMQ's RESET_CONSUMER_CLIENT_OFFSET push, so a
  // running consumer does not overwrite the reset with its own offsets). The broker has
  // already committed them. Must not block. A protocol without such a push leaves this as
  // it is: its clients pick the offsets up when they next read them.
  virtual void reset_consumer_offsets(const std::string& group, const std::string& topic, int64_t timestamp_ms,
                                      const std::map<MessageQueue, int64_t>& offsets) {
    (void)group, (void)topic, (void)timestamp_ms, (void)offsets;
  }
  // A prepared (half) message of one of this client's producer groups has had no outcome
  // for transactionTimeout: the client should ask its local transaction and answer with
  // TransactionalMessages::end_transaction (RocketMQ's CHECK_TRANSACTION_STATE push).
  // `message` has its real topic and queue; its queue_offset, commit_log_offset and msg_id
  // are those of the half message to name in the answer. Must not block. A protocol
  // without transactions leaves this as it is.
  virtual void check_transaction_state(const std::string& producer_group, const MessageExt& message) {
    (void)producer_group, (void)message;
  }
};

enum class ConsumeType { kActively, kPassively };  // CONSUME_ACTIVELY (pull), CONSUME_PASSIVELY (push)
enum class MessageModel { kClustering, kBroadcasting };
enum class ConsumeFromWhere { kLastOffset, kFirstOffset, kTimestamp };

// One subscription of a consumer, as its heartbeat states it.
struct Subscription {
  std::string topic;
  std::string expression;              // "*", "TagA || TagB", a SQL92 selector
  std::string expression_type = "TAG";
  int64_t version = 0;                 // subVersion: ms when the client made it
  std::vector<std::string> tags;       // tagsSet, as sent
  std::vector<int32_t> codes;          // codeSet, as sent
  bool class_filter_mode = false;

  friend bool operator==(const Subscription&, const Subscription&) = default;
};

// What a consumer says about itself in a heartbeat.
struct ConsumerHeartbeat {
  std::string group;
  std::string client_id;  // "ip@instance"
  ConsumeType consume_type = ConsumeType::kPassively;
  MessageModel message_model = MessageModel::kClustering;
  ConsumeFromWhere consume_from_where = ConsumeFromWhere::kLastOffset;
  std::vector<Subscription> subscriptions;
  bool unit_mode = false;
  std::string language;  // "JAVA", "CPP", ...
  int32_t version = 0;
};

// A live member of a group, for the admin views.
struct ClientInfo {
  std::string client_id;
  std::string remote_address;
  std::string language;
  int32_t version = 0;
  int64_t last_update_ms = 0;
};

struct ConsumerGroupInfo {
  std::string group;
  ConsumeType consume_type = ConsumeType::kPassively;
  MessageModel message_model = MessageModel::kClustering;
  ConsumeFromWhere consume_from_where = ConsumeFromWhere::kLastOffset;
  std::map<std::string, Subscription> subscriptions;  // by topic, latest heartbeat wins
  std::vector<ClientInfo> members;                    // sorted by client id
};

class ClientRegistry {
 public:
  virtual ~ClientRegistry() = default;
  // Registers or refreshes a consumer. When the group gains a member (or the set of topics
  // it subscribes to changes) every member's channel is told, if
  // notifyConsumerIdsChangedEnable is on (broker-wide and in the group's config). As
  // RocketMQ's heartbeat does, it also finds or auto-creates the group's config and
  // creates the group's %RETRY% topic with its retryQueueNums.
  virtual void consumer_heartbeat(const std::shared_ptr<ClientChannel>& channel, ConsumerHeartbeat heartbeat) = 0;
  virtual void producer_heartbeat(const std::shared_ptr<ClientChannel>& channel, std::string_view group,
                                  std::string_view client_id, std::string_view language, int32_t version) = 0;
  // The client left the group (UNREGISTER_CLIENT); the remaining members are told. A
  // client not heard from for clientChannelExpiredTimeout ms (120 s), or whose channel
  // object is gone, is dropped the same way.
  virtual void unregister_consumer(std::string_view group, std::string_view client_id) = 0;
  virtual void unregister_producer(std::string_view group, std::string_view client_id) = 0;
  // The connection closed: every registration made over it is dropped, members are told.
  virtual void channel_closed(const ClientChannel* channel) = 0;

  // Client ids of the group's live consumers, sorted; empty when none.
  virtual std::vector<std::string> consumer_ids(std::string_view group) const = 0;
  virtual std::optional<ConsumerGroupInfo> consumer_group(std::string_view group) const = 0;
  // The live channels of the group's consumers (one per connection), for pushes to them.
  virtual std::vector<std::shared_ptr<ClientChannel>> consumer_channels(std::string_view group) const = 0;
  virtual std::vector<std::string> consumer_groups() const = 0;
  // The newest subscription of `group` to `topic`, or nullopt.
  virtual std::optional<Subscription> subscription(std::string_view group, std::string_view topic) const = 0;
  virtual std::vector<ClientInfo> producers(std::string_view group) const = 0;
  // A live channel of one of the group's producers (transaction check-back), or null.
  virtual std::shared_ptr<ClientChannel> any_producer_channel(std::string_view group) const = 0;
};

// Long polling (RocketMQ's PullRequestHoldService): a pull that found nothing new waits
// here until the queue grows past its offset or its deadline passes.
class PullHoldService {
 public:
  virtual ~PullHoldService() = default;
  // Calls `wake(true)` once the queue's max offset is above `offset` (at once, on the
  // caller's thread, if it already is), or at `deadline` `wake(arrived)` after one last
  // look at the queue, whichever comes first; exactly once, and `wake(false)` for every
  // hold still parked at shutdown (or made after it). Otherwise runs on the store's
  // dispatch thread or a kernel thread, with no lock held: post real work elsewhere. With
  // no store plugin loaded, holds wake only at their deadline.
  virtual void hold(std::string_view topic, int32_t queue_id, int64_t offset,
                    std::chrono::steady_clock::time_point deadline, std::function<void(bool arrived)> wake) = 0;
};

// The broker's write path, shared by every protocol: a protocol plugin hands a producer's
// message here rather than to the store, so that what RocketMQ's send path does before the
// store sees a message (a delay level or a delivery time parks it until due, a prepared
// transaction message is kept invisible until its outcome) is the same for every protocol.
// A message with none of those is put into the store as it is.
class MessageWriter {
 public:
  virtual ~MessageWriter() = default;
  // As MessageStore::put_message / put_messages; `done` runs once. Without a store plugin
  // loaded (or before start / after stop), `done` gets Unavailable at once. A timer message
  // (TIMER_DELIVER_MS, TIMER_DELAY_SEC, TIMER_DELAY_MS, __STARTDELIVERTIME) due later is
  // parked until due (docs/timer-messages.md): `done` reports where the parked entry was
  // stored; a time that is not a whole number, negative, or beyond timerMaxDelaySec gets
  // InvalidArgument naming the property, its value and the limit.
  virtual void put_message(MessageExt message, PutCallback done) = 0;
  virtual void put_messages(std::vector<MessageExt> messages, PutCallback done) = 0;
};

// Queue locks for ordered consumption (RocketMQ's RebalanceLockManager). An orderly
// consumer in clustering mode locks each queue it is assigned before it pulls from it and
// renews its locks periodically (RocketMQ clients: every 20 s), so that one member of a
// group consumes a queue at a time even while a rebalance moves queues between members.
// A lock not renewed for rebalanceLockMaxLiveTime ms (60 s) expires: the queues of a member
// that died without unlocking pass to the next member that asks. A closed connection
// releases nothing (as RocketMQ: a client may reconnect and keep its queues).
// A queue is (topic, brokerName, queueId), as the client names it; locks are per consumer
// group, in memory only (a restarted broker starts with none, and members re-lock).
class QueueLocks {
 public:
  virtual ~QueueLocks() = default;
  // Locks for `client_id` each of `queues` that is free, already held by `client_id`
  // (renewed: its expiry starts again), or held by another client whose lock expired
  // (taken over). Returns the queues of `queues` that `client_id` holds now, sorted
  // without duplicates; the others are held by live locks of other clients. Nothing is
  // locked for an empty group or client id.
  virtual std::vector<MessageQueue> try_lock_batch(std::string_view group, std::string_view client_id,
                                                   const std::vector<MessageQueue>& queues) = 0;
  // Releases each of `queues` that `client_id` holds in `group` (expired or not); locks
  // of other clients stay.
  virtual void unlock_batch(std::string_view group, std::string_view client_id,
                            const std::vector<MessageQueue>& queues) = 0;
};

// What a consumer asks when it sends a message back (RocketMQ's CONSUMER_SEND_MSG_BACK).
struct SendBackRequest {
  int64_t commit_log_offset = 0;  // of the stored message the consumer failed to consume
  std::string group;              // the consumer group
  // 0: the broker picks 3 + the message's reconsume times; > 0: that level; < 0: straight
  // to the dead-letter queue.
  int32_t delay_level = 0;
  // When set, overrides the group's retryMaxTimes (clients send their maxReconsumeTimes).
  std::optional<int32_t> max_reconsume_times;
  std::string origin_msg_id;  // the client's id of the message (informational)
  std::string origin_topic;   // the topic it was consumed from (informational)
  bool unit_mode = false;
};

// Consumer retry and dead letters, as RocketMQ's SendMessageProcessor does them, for every
// protocol: a message a consumer could not handle is stored again in %RETRY%<group> (which
// the group's consumers subscribe to) with a delay level, its reconsume times one higher,
// RETRY_TOPIC naming its original topic and ORIGIN_MESSAGE_ID the first stored copy; its
// UNIQ_KEY, KEYS, TAGS, body and other properties are kept. After its last try (reconsume
// times >= max) it goes to %DLQ%<group> (one queue, perm 6) and is not delivered again.
class ConsumerRetry {
 public:
  virtual ~ConsumerRetry() = default;
  // Sends a stored message back. `done` runs once, on the caller's thread or a store
  // thread:
  //   OK                the copy is stored (in %RETRY%<group>, parked until its delay level
  //                     is due, or in %DLQ%<group>); also when the group's retryQueueNums
  //                     is 0, which drops the message as RocketMQ does;
  //   NotFound          the group does not exist (and autoCreateSubscriptionGroup is off)
  //                     — RocketMQ's SUBSCRIPTION_GROUP_NOT_EXIST;
  //   PermissionDenied  the broker or the retry topic is not writeable;
  //   other failures    no message at that commit-log offset, or the store refused the copy.
  virtual void send_back(SendBackRequest request, std::function<void(Status)> done) = 0;
  // For a producer's send to %RETRY%<group> (what a client does when its send-back failed):
  // when `message`'s reconsume times reached `max_reconsume_times` (else the group's
  // retryMaxTimes) it is redirected to %DLQ%<group> with its delay level cleared. NotFound
  // when the group does not exist; a message to any other topic is left alone (OK).
  virtual Status redirect_retry_send(MessageExt& message, std::optional<int32_t> max_reconsume_times) = 0;
};

// What a producer says of a prepared message's local transaction (RocketMQ's
// END_TRANSACTION): commit makes the message visible on its topic, rollback drops it.
struct EndTransactionRequest {
  enum class Outcome { kCommit, kRollback, kUnknown };
  std::string producer_group;
  int64_t tran_state_table_offset = 0;  // the half message's queue offset
  int64_t commit_log_offset = 0;        // the half message's commit-log offset
  Outcome outcome = Outcome::kUnknown;
  bool from_transaction_check = false;  // the answer to a check-back
  std::string msg_id;                   // the client's id (UNIQ_KEY), for the log
  std::string transaction_id;
};

// Transaction messages, as RocketMQ's TransactionalMessageService: a producer's prepared
// message (sys flag TRANSACTION_PREPARED, property TRAN_MSG=true) is stored as a half
// message in RMQ_SYS_TRANS_HALF_TOPIC, invisible to consumers, until its producer commits
// or rolls it back; one left without an outcome for transactionTimeout is checked back
// with a producer of its group (ClientChannel::check_transaction_state) every
// transactionCheckInterval, up to transactionCheckMax times, then dropped with a log line.
// docs/transactions.md has the whole story.
class TransactionalMessages {
 public:
  virtual ~TransactionalMessages() = default;
  // Ends the transaction of the half message at `commit_log_offset`. `done` runs once:
  //   OK               committed (the message is stored on its real topic and queue, with
  //                    sys flag TRANSACTION_COMMIT), rolled back, or kUnknown (nothing done:
  //                    the check-back goes on);
  //   NotFound         no half message there, or its transaction already ended (or was
  //                    checked back since: the answer to that check ends it);
  //   InvalidArgument  the producer group or the queue offset does not match the message;
  //   other failures   the store refused the committed message (the half message stays).
  virtual void end_transaction(EndTransactionRequest request, std::function<void(Status)> done) = 0;
};

// All of them, as KernelServices::broker() hands them out.
class BrokerServices {
 public:
  virtual ~BrokerServices() = default;
  virtual TopicRegistry& topics() = 0;
  virtual SubscriptionGroups& subscription_groups() = 0;
  virtual ConsumerOffsets& consumer_offsets() = 0;
  virtual ClientRegistry& clients() = 0;
  virtual PullHoldService& pull_holds() = 0;
  virtual MessageWriter& writer() = 0;
  virtual QueueLocks& queue_locks() = 0;
  virtual ConsumerRetry& retry() = 0;
  virtual TransactionalMessages& transactions() = 0;
  // Broker-wide counters for GET_BROKER_RUNTIME_INFO and friends: when the services
  // started (ms since the epoch).
  virtual int64_t start_time_ms() const = 0;
};

}  // namespace tern
