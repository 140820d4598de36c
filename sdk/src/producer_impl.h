// ProducerImpl: the machinery behind DefaultMQProducer (RocketMQ's DefaultMQProducerImpl):
// publish info per topic, the send request (SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE, PROTOCOL.md
// §6), the retry loop of seed 004, async sends on an Executor, and the answer's
// mapping to SendResult or MQClientException.
//
// Thread-safety: every send from any thread once started; start/shutdown from one thread.
#pragma once

#include <any>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "client_instance.h"
#include "executor.h"
#include "tern/client/producer.h"
#include "tern/client/transaction_producer.h"
#include "topic_route.h"

namespace tern::client::internal {

struct ProducerSettings {
  std::string group;
  std::chrono::milliseconds send_msg_timeout{3000};
  int retry_times_when_send_failed = 2;
  int compress_msg_body_over_howmuch = 4096;
  int max_message_size = 4 * 1024 * 1024;
  bool retry_another_broker_when_not_store_ok = false;
  int default_topic_queue_nums = 4;
  int async_send_threads = 2;
  std::shared_ptr<TransactionListener> transaction_listener;  // TransactionMQProducer only
  int check_threads = 1;
};

// The topic whose route names the brokers that create topics (RocketMQ's createTopicKey).
inline constexpr const char* kCreateTopicKey = "TBW102";

// The ResponseCodes a sync send retries on (RocketMQ's retryResponseCodes).
bool is_retryable_response(int32_t code);
// "SYSTEM_ERROR", "NO_PERMISSION", ... or "code N".
std::string response_code_name(int32_t code);

class ProducerImpl final : public ProducerMember {
 public:
  ProducerImpl(ProducerSettings settings, const ClientConfig& config);
  ~ProducerImpl() override;

  void start();     // throws MQClientException
  void shutdown();  // idempotent

  SendResult send(const Message& msg, std::chrono::milliseconds timeout);
  SendResult send_to_queue(const Message& msg, const MessageQueue& mq, std::chrono::milliseconds timeout);
  SendResult send_select(const Message& msg, const MessageQueueSelector& selector, const std::any& arg,
                         std::chrono::milliseconds timeout);
  SendResult send_batch(const std::vector<Message>& batch, std::chrono::milliseconds timeout);
  // `selector` may be null (then the rotation picks the queue).
  void send_async(const Message& msg, MessageQueueSelector selector, std::any arg, SendCallback callback,
                  std::chrono::milliseconds timeout);
  void send_oneway(const Message& msg, const MessageQueueSelector* selector, const std::any* arg);
  std::vector<MessageQueue> fetch_publish_message_queues(const std::string& topic);
  // TransactionMQProducer's (transaction_producer.h).
  TransactionSendResult send_message_in_transaction(const Message& msg, const std::any& arg);
  void on_check_transaction_state(const std::string& broker_addr, MessageExt message,
                                  std::map<std::string, std::string> header) override;

  std::vector<std::string> topics_in_use() const override;
  void on_route_changed(const std::string& topic, const TopicRouteData& route) override;

  const std::string& client_id() const { return instance_->client_id(); }
  MQClientInstance& instance() const { return *instance_; }

 private:
  using Clock = std::chrono::steady_clock;
  enum class Mode { kSync, kAsync, kOneway };

  // A message ready for the wire: UNIQ_KEY set, body maybe compressed.
  struct Prepared {
    std::string topic;
    int32_t flag = 0;
    int32_t sys_flag = 0;
    std::string properties;  // encoded
    std::string body;
    bool batch = false;
    std::string msg_id;  // UNIQ_KEY, or the batch's joined
    int32_t reconsume_times = 0;
    std::optional<int32_t> max_reconsume_times;
  };
  // Why one attempt failed.
  struct AttemptError {
    int code = 0;               // client_error:: or the broker's response code
    bool broker_refused = false;
    bool retryable = false;
    std::string remark;         // the broker's, when refused
    std::string text;           // "broker b@addr: cause"
    std::string broker;         // "b@addr"
  };
  using Outcome = std::variant<SendResult, AttemptError>;

  void check_running(const char* what) const;
  Prepared prepare(const Message& msg) const;
  Prepared prepare_batch(const std::vector<Message>& batch) const;
  std::shared_ptr<const TopicPublishInfo> find_publish_info(const std::string& topic, Clock::time_point deadline);
  // The master of mq's broker, refreshing the route once if unknown; "" if still unknown.
  std::string broker_addr_of(const MessageQueue& mq, Clock::time_point deadline);
  remoting::RemotingCommand build_request(const Prepared& p, const MessageQueue& mq) const;
  Outcome attempt_sync(const Prepared& p, const MessageQueue& mq, Clock::time_point deadline);
  Outcome to_outcome(const Result<remoting::RemotingCommand>& response, const std::string& topic,
                     const std::string& msg_id, const MessageQueue& mq, const std::string& addr) const;
  SendResult send_default_impl(const Prepared& p, Clock::time_point begin, std::chrono::milliseconds timeout);
  SendResult send_once(const Prepared& p, const MessageQueue& mq, Clock::time_point deadline);
  MessageQueue select_queue(const Message& msg, const MessageQueueSelector& selector, const std::any& arg,
                            Clock::time_point deadline);
  [[noreturn]] void throw_attempt(const std::string& topic, const AttemptError& e) const;
  // END_TRANSACTION (oneway) to `broker_addr`; failures are logged.
  void end_transaction(const std::string& broker_addr, std::map<std::string, std::string> header,
                       LocalTransactionState state);
  void async_done();

  const ProducerSettings settings_;
  const ClientConfig config_;
  std::shared_ptr<MQClientInstance> instance_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Executor> check_executor_;  // check_local_transaction; transactional producers only
  std::atomic<bool> running_{false};
  bool shut_down_ = false;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const TopicPublishInfo>> publish_;  // guarded by mu_
  std::condition_variable async_cv_;
  size_t async_in_flight_ = 0;  // guarded by mu_
};

}  // namespace tern::client::internal
