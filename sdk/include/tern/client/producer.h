// DefaultMQProducer: sends messages to the brokers that a name server routes a topic to,
// shaped like RocketMQ's DefaultMQProducer (same settings, same defaults, same retry rules).
//
//   tern::client::DefaultMQProducer producer("my_group");
//   producer.set_namesrv_addr("127.0.0.1:9876");        // or NAMESRV_ADDR
//   producer.start();
//   SendResult r = producer.send(make_message("TopicTest", "TagA", "hello"));
//   producer.shutdown();
//
// Sends:
//   - send(msg): synchronous; returns the broker's SendResult or throws MQClientException
//     (mq_client_exception.h). Retries up to retry_times_when_send_failed() more times on
//     connection failures, timeouts of an attempt and the broker answers RocketMQ retries
//     (1 SYSTEM_ERROR, 14 SERVICE_NOT_AVAILABLE, 16 NO_PERMISSION, 17 TOPIC_NOT_EXIST,
//     204, 205), each time on a queue of another broker when there is one. No attempt
//     starts once the send's total time passed send_msg_timeout(): then it throws
//     client_error::kRequestTimeout. A send with a queue or a selector is not retried
//     on another queue (order would break) and has one attempt.
//   - send_async(msg[, callbacks]): one attempt (RocketMQ does not retry async sends); the
//     result goes to the returned future or to a callback, run on one of the producer's
//     async threads (never an io thread, so it may send again).
//   - send_oneway(msg): one attempt, no answer; a broker that cannot be reached drops it.
//   - send(batch): one request for messages of one topic; their encoded size must not
//     pass max_message_size().
// Bodies of at least compress_msg_body_over_howmuch() bytes (not in batches) are sent
// zlib-deflated with sys flag 1 (COMPRESSED). Every message gets a UNIQ_KEY (its msgId).
//
// Threads: after start(), every send may be called from any number of threads at once.
// start() and shutdown() are called once each, from one thread; shutdown() waits for
// the async sends in flight (each ends within its timeout), unregisters the group from
// the brokers and closes the connections when no other client of the instance is left.
// The destructor shuts down. Setters are for before start().
#pragma once

#include <any>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "tern/client/client_config.h"
#include "tern/client/message.h"
#include "tern/client/message_queue_selector.h"
#include "tern/client/mq_client_exception.h"
#include "tern/client/query_result.h"
#include "tern/client/send_result.h"

namespace tern::client {

namespace internal {
class ProducerImpl;
}
class TransactionListener;

// RocketMQ's SendCallback as two callables; on_exception may be null (then failures are
// only logged).
struct SendCallback {
  std::function<void(const SendResult&)> on_success;
  std::function<void(const MQClientException&)> on_exception;
};

class DefaultMQProducer : public ClientConfig {
 public:
  explicit DefaultMQProducer(std::string producer_group);
  ~DefaultMQProducer();  // shutdown()
  DefaultMQProducer(const DefaultMQProducer&) = delete;
  DefaultMQProducer& operator=(const DefaultMQProducer&) = delete;

  const std::string& producer_group() const { return producer_group_; }

  // Settings (RocketMQ's names and defaults). Call before start().
  void set_send_msg_timeout(std::chrono::milliseconds t) { send_msg_timeout_ = t; }           // 3000 ms
  std::chrono::milliseconds send_msg_timeout() const { return send_msg_timeout_; }
  void set_retry_times_when_send_failed(int n) { retry_times_when_send_failed_ = n; }         // 2
  int retry_times_when_send_failed() const { return retry_times_when_send_failed_; }
  void set_compress_msg_body_over_howmuch(int bytes) { compress_msg_body_over_howmuch_ = bytes; }  // 4096
  int compress_msg_body_over_howmuch() const { return compress_msg_body_over_howmuch_; }
  void set_max_message_size(int bytes) { max_message_size_ = bytes; }                          // 4 MiB
  int max_message_size() const { return max_message_size_; }
  // Retry on another broker when the broker stored the message but answered a status
  // other than SEND_OK (retryAnotherBrokerWhenNotStoreOK, false).
  void set_retry_another_broker_when_not_store_ok(bool b) { retry_another_broker_when_not_store_ok_ = b; }
  bool retry_another_broker_when_not_store_ok() const { return retry_another_broker_when_not_store_ok_; }
  // Queues of a topic the broker creates on first send (defaultTopicQueueNums, 4).
  void set_default_topic_queue_nums(int n) { default_topic_queue_nums_ = n; }
  int default_topic_queue_nums() const { return default_topic_queue_nums_; }
  // Threads that run async sends and their callbacks (2).
  void set_async_send_threads(int n) { async_send_threads_ = n; }
  int async_send_threads() const { return async_send_threads_; }

  // Connects to nothing yet (routes are fetched on first send); validates the settings and
  // joins the process's client instance. Throws MQClientException: no name server
  // address (kNoNameServerException), a group already started in this instance, bad
  // settings, or already started (kNotRunning).
  void start();
  // Idempotent; see the header comment.
  void shutdown();

  // Synchronous sends; see the header comment. `timeout` overrides send_msg_timeout().
  SendResult send(const Message& msg);
  SendResult send(const Message& msg, std::chrono::milliseconds timeout);
  // To one given queue (one attempt).
  SendResult send(const Message& msg, const MessageQueue& mq);
  // To the queue `selector` picks among the topic's writable queues (one attempt).
  SendResult send(const Message& msg, const MessageQueueSelector& selector, const std::any& arg);
  SendResult send(const Message& msg, const MessageQueueSelector& selector, const std::any& arg,
                  std::chrono::milliseconds timeout);
  // One batch (same topic, no delay level, not a retry topic).
  SendResult send(const std::vector<Message>& batch);
  SendResult send(const std::vector<Message>& batch, std::chrono::milliseconds timeout);

  // Asynchronous sends: the future holds the SendResult or the MQClientException.
  std::future<SendResult> send_async(const Message& msg);
  void send_async(const Message& msg, SendCallback callback);
  void send_async(const Message& msg, SendCallback callback, std::chrono::milliseconds timeout);
  void send_async(const Message& msg, const MessageQueueSelector& selector, const std::any& arg,
                  SendCallback callback);

  // Fire and forget.
  void send_oneway(const Message& msg);
  void send_oneway(const Message& msg, const MessageQueueSelector& selector, const std::any& arg);

  // The writable queues of `topic` (fetching its route if needed), sorted; throws like send.
  std::vector<MessageQueue> fetch_publish_message_queues(const std::string& topic);

  // Message lookups (RocketMQ's MQAdmin). Each asks the brokers and waits up to 9 s for
  // each; MQClientException kNoMessage when nothing matches, else as a send's failures.
  // The message stored at an offset message id (SendResult::offset_msg_id, MessageExt::msg_id).
  MessageExt view_message(const std::string& offset_msg_id);
  // A message of `topic` by an offset message id or by the client's unique id
  // (SendResult::msg_id, the UNIQ_KEY); the first stored copy when a retried send stored two.
  MessageExt view_message(const std::string& topic, const std::string& msg_id);
  // Up to `max_num` messages per broker of `topic` whose KEYS hold `key`, stored between
  // `begin_ms` and `end_ms` (ms since the epoch). The index is built just after a send is
  // answered: a message sent a moment ago may not be found yet.
  QueryResult query_message(const std::string& topic, const std::string& key, int max_num, int64_t begin_ms,
                            int64_t end_ms);

 protected:
  internal::ProducerImpl& running(const char* what);
  // Set by TransactionMQProducer (transaction_producer.h); null for a plain producer.
  std::shared_ptr<TransactionListener> transaction_listener_;
  int check_threads_ = 1;

 private:
  std::string producer_group_;
  std::chrono::milliseconds send_msg_timeout_{3000};
  int retry_times_when_send_failed_ = 2;
  int compress_msg_body_over_howmuch_ = 4096;
  int max_message_size_ = 4 * 1024 * 1024;
  bool retry_another_broker_when_not_store_ok_ = false;
  int default_topic_queue_nums_ = 4;
  int async_send_threads_ = 2;
  std::shared_ptr<internal::ProducerImpl> impl_;
};

}  // namespace tern::client
