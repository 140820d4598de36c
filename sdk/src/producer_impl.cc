// See producer_impl.h. The retry loop follows seed 004 and RocketMQ's sendDefaultImpl:
//   - a sync send makes 1 + retryTimesWhenSendFailed attempts, async and oneway one;
//   - an attempt starts only while the total time since the send began is below the
//     timeout, and gets the time left as its own timeout, so a timed-out attempt is never
//     followed by another (no retry after the timeout) and many retries cost no more time;
//   - a retry goes to a queue of another broker when the topic has one;
//   - connection failures and attempt timeouts are retried; broker answers only for the
//     codes RocketMQ retries (is_retryable_response); others end the send at once.
#include "producer_impl.h"

#include <algorithm>
#include <random>

#include "codes.h"
#include "message_batch.h"
#include "message_util.h"
#include "response_fields.h"
#include "tern/client/mq_client_exception.h"

namespace tern::client::internal {
namespace {

namespace rc = remoting::request_code;
namespace code = remoting::response_code;
using remoting::RemotingCommand;

constexpr char kDefaultTopic[] = "TBW102";
constexpr int32_t kNoBuyerId = 204;
constexpr int32_t kNotInCurrentUnit = 205;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::milliseconds left_until(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
}

uint32_t random_start() {
  static thread_local std::minstd_rand rng(std::random_device{}());
  return static_cast<uint32_t>(rng());
}

}  // namespace

bool is_retryable_response(int32_t c) {
  return c == code::kTopicNotExist || c == code::kServiceNotAvailable || c == code::kSystemError ||
         c == code::kNoPermission || c == kNoBuyerId || c == kNotInCurrentUnit;
}

std::string response_code_name(int32_t c) {
  switch (c) {
    case code::kSuccess: return "SUCCESS";
    case code::kSystemError: return "SYSTEM_ERROR";
    case code::kSystemBusy: return "SYSTEM_BUSY";
    case code::kRequestCodeNotSupported: return "REQUEST_CODE_NOT_SUPPORTED";
    case code::kFlushDiskTimeout: return "FLUSH_DISK_TIMEOUT";
    case code::kSlaveNotAvailable: return "SLAVE_NOT_AVAILABLE";
    case code::kFlushSlaveTimeout: return "FLUSH_SLAVE_TIMEOUT";
    case code::kMessageIllegal: return "MESSAGE_ILLEGAL";
    case code::kServiceNotAvailable: return "SERVICE_NOT_AVAILABLE";
    case code::kVersionNotSupported: return "VERSION_NOT_SUPPORTED";
    case code::kNoPermission: return "NO_PERMISSION";
    case code::kTopicNotExist: return "TOPIC_NOT_EXIST";
    case kNoBuyerId: return "NO_BUYER_ID";
    case kNotInCurrentUnit: return "NOT_IN_CURRENT_UNIT";
    default: return "code " + std::to_string(c);
  }
}

ProducerImpl::ProducerImpl(ProducerSettings settings, const ClientConfig& config)
    : settings_(std::move(settings)), config_(config) {}

ProducerImpl::~ProducerImpl() { shutdown(); }

void ProducerImpl::start() {
  if (Status s = check_topic(settings_.group); settings_.group.empty() || !s.is_ok()) {
    throw MQClientException(client_error::kNotRunning,
                            "the producer group '" + settings_.group + "' is empty or not a valid name");
  }
  if (settings_.max_message_size <= 0 || settings_.send_msg_timeout.count() <= 0 ||
      settings_.retry_times_when_send_failed < 0) {
    throw MQClientException(client_error::kNotRunning,
                            "producer " + settings_.group +
                                ": maxMessageSize and sendMsgTimeout must be positive, retryTimesWhenSendFailed >= 0");
  }
  if (config_.resolved_namesrv_addr().empty()) {
    throw MQClientException(client_error::kNoNameServerException,
                            "producer " + settings_.group +
                                ": no name server address; call set_namesrv_addr or set NAMESRV_ADDR");
  }
  instance_ = MQClientInstance::acquire(config_);
  // Before registering: a broker's check-back may arrive as soon as the group is known.
  if (settings_.transaction_listener) check_executor_ = std::make_unique<Executor>(settings_.check_threads);
  if (Status s = instance_->register_producer(settings_.group, this); !s.is_ok()) {
    instance_.reset();
    throw MQClientException(client_error::kNotRunning, s.message());
  }
  executor_ = std::make_unique<Executor>(settings_.async_send_threads);
  if (settings_.transaction_listener) {
    // The brokers must know a transactional producer before it sends anything (a producer
    // restarted after a crash is asked about its predecessor's transactions): as
    // RocketMQ's producers do with createTopicKey, look up TBW102, whose route names every
    // broker that creates topics, so the instance heartbeats them now.
    (void)instance_->update_topic_route(kCreateTopicKey, settings_.send_msg_timeout);
    instance_->send_heartbeat_to_all_brokers();
  }
  running_ = true;
  instance_->logger().info("producer ", settings_.group, " started in client ", instance_->client_id());
}

void ProducerImpl::shutdown() {
  if (shut_down_ || !instance_) return;
  shut_down_ = true;
  running_ = false;
  {
    std::unique_lock lock(mu_);
    async_cv_.wait(lock, [this] { return async_in_flight_ == 0; });
  }
  executor_->stop();
  instance_->unregister_producer(settings_.group, std::chrono::milliseconds(3000));
  if (check_executor_) check_executor_->stop();  // after unregistering: no check arrives any more
  instance_->logger().info("producer ", settings_.group, " shut down");
  instance_.reset();
}

void ProducerImpl::check_running(const char* what) const {
  if (!running_) {
    throw MQClientException(client_error::kNotRunning, std::string("producer ") + settings_.group + ": " + what +
                                                           " needs a started producer (call start(); not after shutdown())");
  }
}

std::vector<std::string> ProducerImpl::topics_in_use() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  if (settings_.transaction_listener) out.emplace_back(kCreateTopicKey);  // see start()
  for (const auto& [topic, info] : publish_) out.push_back(topic);
  return out;
}

void ProducerImpl::on_route_changed(const std::string& topic, const TopicRouteData& route) {
  std::lock_guard lock(mu_);
  auto it = publish_.find(topic);
  if (it == publish_.end()) return;
  it->second = std::make_shared<const TopicPublishInfo>(topic, route, 0, random_start());
}

// ---------------------------------------------------------------------------------------
// Preparing messages.

ProducerImpl::Prepared ProducerImpl::prepare(const Message& msg) const {
  if (Status s = check_message(msg, settings_.max_message_size); !s.is_ok()) {
    throw MQClientException(client_error::kMessageIllegal, s.message(), msg.topic);
  }
  Prepared p;
  p.topic = msg.topic;
  p.flag = msg.flag;
  PropertyMap props = msg.properties;
  auto uniq = props.find(property::kUniqueClientMessageId);
  if (uniq == props.end() || uniq->second.empty()) {
    p.msg_id = create_uniq_id();
    props.insert_or_assign(std::string(property::kUniqueClientMessageId), p.msg_id);
  } else {
    p.msg_id = uniq->second;  // a resend of a message keeps its id (RocketMQ does)
  }
  if (msg.topic.rfind("%RETRY%", 0) == 0) {
    // A consumer's send-back: the counters travel in the header, not as properties.
    if (auto it = props.find(property::kReconsumeTime); it != props.end()) {
      p.reconsume_times = static_cast<int32_t>(to_int64(it->second, 0));
      props.erase(it);
    }
    if (auto it = props.find(property::kMaxReconsumeTimes); it != props.end()) {
      p.max_reconsume_times = static_cast<int32_t>(to_int64(it->second, 16));
      props.erase(it);
    }
  }
  if (msg.property(property::kTransactionPrepared) == "true") p.sys_flag |= sys_flag::kTransactionPreparedType;
  if (settings_.compress_msg_body_over_howmuch >= 0 &&
      msg.body.size() >= static_cast<size_t>(settings_.compress_msg_body_over_howmuch)) {
    auto compressed = zlib_compress(msg.body);
    if (compressed.is_ok()) {
      p.body = std::move(*compressed);
      p.sys_flag |= sys_flag::kCompressed;
    } else {
      p.body = msg.body;  // RocketMQ sends it uncompressed too
    }
  } else {
    p.body = msg.body;
  }
  p.properties = encode_properties(props);
  return p;
}

ProducerImpl::Prepared ProducerImpl::prepare_batch(const std::vector<Message>& batch) const {
  std::vector<Message> copy = batch;
  std::string ids;
  for (Message& m : copy) {
    std::string_view existing = m.property(property::kUniqueClientMessageId);
    std::string id = existing.empty() ? create_uniq_id() : std::string(existing);
    if (existing.empty()) m.set_property(property::kUniqueClientMessageId, id);
    ids += (ids.empty() ? "" : ",") + id;
  }
  auto body = encode_batch(copy, settings_.max_message_size);
  if (!body.is_ok()) {
    throw MQClientException(client_error::kMessageIllegal, body.status().message(),
                            batch.empty() ? std::string() : batch.front().topic);
  }
  Prepared p;
  p.topic = copy.front().topic;
  p.batch = true;
  p.body = std::move(*body);
  p.msg_id = std::move(ids);
  PropertyMap props;
  if (!copy.front().wait_store_msg_ok()) props.insert_or_assign(std::string(property::kWaitStoreMsgOk), "false");
  p.properties = encode_properties(props);
  return p;
}

// ---------------------------------------------------------------------------------------
// Routes.

std::shared_ptr<const TopicPublishInfo> ProducerImpl::find_publish_info(const std::string& topic,
                                                                        Clock::time_point deadline) {
  {
    std::lock_guard lock(mu_);
    auto it = publish_.find(topic);
    if (it != publish_.end() && it->second->ok()) return it->second;
  }
  auto timeout = std::max(left_until(deadline), std::chrono::milliseconds(1));
  auto route = instance_->update_topic_route(topic, timeout);
  std::shared_ptr<const TopicPublishInfo> info;
  if (route.is_ok()) {
    info = std::make_shared<const TopicPublishInfo>(topic, **route, 0, random_start());
  } else if (route.status().is_not_found()) {
    // Not created yet: borrow TBW102's brokers; the broker creates the topic on first
    // send when autoCreateTopicEnable is on (RocketMQ's tryToFindTopicPublishInfo).
    auto fallback = instance_->update_topic_route(kDefaultTopic, std::max(left_until(deadline), timeout));
    if (fallback.is_ok()) {
      auto borrowed = std::make_shared<TopicPublishInfo>(topic, **fallback, settings_.default_topic_queue_nums,
                                                         random_start());
      borrowed->borrowed_default_route = true;
      info = std::move(borrowed);
    }
  } else {
    throw MQClientException(client_error::kNotFoundTopicException,
                            "no route info of topic " + topic + ": " + route.status().message(), topic);
  }
  if (!info || !info->ok()) {
    throw MQClientException(client_error::kNotFoundTopicException,
                            "no route info of topic " + topic +
                                ": the name server knows no writable queue of it (create the topic, or enable "
                                "autoCreateTopicEnable on a broker)",
                            topic);
  }
  std::lock_guard lock(mu_);
  publish_[topic] = info;
  return info;
}

std::string ProducerImpl::broker_addr_of(const MessageQueue& mq, Clock::time_point deadline) {
  std::string addr = instance_->find_broker_master(mq.broker_name);
  if (addr.empty()) {
    (void)instance_->update_topic_route(mq.topic, std::max(left_until(deadline), std::chrono::milliseconds(1)));
    addr = instance_->find_broker_master(mq.broker_name);
  }
  return addr;
}

std::vector<MessageQueue> ProducerImpl::fetch_publish_message_queues(const std::string& topic) {
  check_running("fetch_publish_message_queues");
  return find_publish_info(topic, Clock::now() + settings_.send_msg_timeout)->queues();
}

// ---------------------------------------------------------------------------------------
// One attempt.

RemotingCommand ProducerImpl::build_request(const Prepared& p, const MessageQueue& mq) const {
  std::map<std::string, std::string> h{
      {"a", settings_.group},
      {"b", p.topic},
      {"c", kDefaultTopic},
      {"d", std::to_string(settings_.default_topic_queue_nums)},
      {"e", std::to_string(mq.queue_id)},
      {"f", std::to_string(p.sys_flag)},
      {"g", std::to_string(now_ms())},
      {"h", std::to_string(p.flag)},
      {"i", p.properties},
      {"j", std::to_string(p.reconsume_times)},
      {"k", "false"},
      {"m", p.batch ? "true" : "false"},
  };
  if (p.max_reconsume_times) h["l"] = std::to_string(*p.max_reconsume_times);
  return MQClientInstance::make_request(p.batch ? rc::kSendBatchMessage : rc::kSendMessageV2, std::move(h), p.body);
}

ProducerImpl::Outcome ProducerImpl::to_outcome(const Result<RemotingCommand>& response, const std::string& topic,
                                               const std::string& msg_id, const MessageQueue& mq,
                                               const std::string& addr) const {
  std::string broker = mq.broker_name + "@" + addr;
  if (!response.is_ok()) {
    AttemptError e;
    e.broker = broker;
    e.retryable = true;
    if (response.status().is_timeout()) {
      e.code = client_error::kAccessBrokerTimeout;
      e.text = "broker " + broker + ": no answer in time (" + response.status().message() + ")";
    } else {
      e.code = client_error::kConnectBrokerException;
      e.text = "broker " + broker + ": cannot reach it (" + response.status().message() + ")";
    }
    return e;
  }
  const RemotingCommand& r = *response;
  SendStatus status;
  switch (r.code) {
    case code::kSuccess: status = SendStatus::SEND_OK; break;
    case code::kFlushDiskTimeout: status = SendStatus::FLUSH_DISK_TIMEOUT; break;
    case code::kFlushSlaveTimeout: status = SendStatus::FLUSH_SLAVE_TIMEOUT; break;
    case code::kSlaveNotAvailable: status = SendStatus::SLAVE_NOT_AVAILABLE; break;
    default: {
      AttemptError e;
      e.broker = broker;
      e.code = r.code;
      e.broker_refused = true;
      e.retryable = is_retryable_response(r.code);
      e.remark = r.remark.value_or("");
      e.text = "broker " + broker + " refused the send with " + response_code_name(r.code) + " (" +
               std::to_string(r.code) + "): " + e.remark;
      return e;
    }
  }
  SendResult result;
  result.send_status = status;
  result.msg_id = msg_id;
  result.offset_msg_id = ext_field(r, "msgId");
  result.message_queue = MessageQueue{topic, mq.broker_name, static_cast<int32_t>(to_int64(ext_field(r, "queueId"), mq.queue_id))};
  result.queue_offset = to_int64(ext_field(r, "queueOffset"), -1);
  result.transaction_id = ext_field(r, "transactionId");
  result.region_id = ext_field(r, "MSG_REGION");
  if (result.region_id.empty()) result.region_id = "DefaultRegion";
  result.trace_on = ext_field(r, "TRACE_ON") != "false";
  return result;
}

ProducerImpl::Outcome ProducerImpl::attempt_sync(const Prepared& p, const MessageQueue& mq, Clock::time_point deadline) {
  std::string addr = broker_addr_of(mq, deadline);
  if (addr.empty()) {
    AttemptError e;
    e.code = client_error::kBrokerNotExist;
    e.retryable = true;
    e.broker = mq.broker_name;
    e.text = "broker " + mq.broker_name + " has no master address in the route";
    return e;
  }
  auto timeout = left_until(deadline);
  if (timeout.count() <= 0) {
    AttemptError e;
    e.code = client_error::kAccessBrokerTimeout;
    e.retryable = true;
    e.broker = mq.broker_name + "@" + addr;
    e.text = "broker " + e.broker + ": no time left to send";
    return e;
  }
  auto response = instance_->remoting().invoke_sync(addr, build_request(p, mq), timeout);
  return to_outcome(response, p.topic, p.msg_id, mq, addr);
}

void ProducerImpl::throw_attempt(const std::string& topic, const AttemptError& e) const {
  std::string message = "send to topic " + topic + " failed: " + e.text;
  if (e.broker_refused) throw MQBrokerException(e.code, e.remark, message, topic, e.broker);
  throw MQClientException(e.code, message, topic, e.broker);
}

SendResult ProducerImpl::send_default_impl(const Prepared& p, Clock::time_point begin,
                                           std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = begin + timeout;
  auto info = find_publish_info(p.topic, deadline);
  const int times_total = 1 + settings_.retry_times_when_send_failed;
  std::string last_broker;
  std::vector<AttemptError> errors;
  std::optional<SendResult> not_stored;
  bool call_timeout = false;
  int times = 0;
  for (; times < times_total; ++times) {
    MessageQueue mq = info->select_one_message_queue(last_broker);
    if (Clock::now() - begin >= timeout || left_until(deadline).count() <= 0) {
      call_timeout = true;
      break;
    }
    Outcome outcome = attempt_sync(p, mq, deadline);
    if (auto* result = std::get_if<SendResult>(&outcome)) {
      if (result->send_status != SendStatus::SEND_OK && settings_.retry_another_broker_when_not_store_ok &&
          times + 1 < times_total) {
        not_stored = *result;
        last_broker = mq.broker_name;
        continue;
      }
      return *result;
    }
    AttemptError& e = std::get<AttemptError>(outcome);
    instance_->logger().info("send to topic ", p.topic, " attempt ", times + 1, "/", times_total, ": ", e.text);
    if (!e.retryable) throw_attempt(p.topic, e);
    last_broker = mq.broker_name;
    const bool timed_out = e.code == client_error::kAccessBrokerTimeout;
    errors.push_back(std::move(e));
    if (timed_out) {
      // The attempt had all the time left: the send's timeout has passed (seed 004: a
      // timeout is not retried).
      ++times;
      call_timeout = true;
      break;
    }
    // Routes may have moved: the next attempt uses what the name server says now.
    std::lock_guard lock(mu_);
    auto it = publish_.find(p.topic);
    if (it != publish_.end() && it->second->ok()) info = it->second;
  }
  if (not_stored) return *not_stored;
  auto cost = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begin).count();
  std::string detail;
  for (size_t i = 0; i < errors.size(); ++i) {
    detail += (i ? "; " : "") + std::string("[") + std::to_string(i + 1) + "] " + errors[i].text;
  }
  if (call_timeout) {
    throw MQClientException(client_error::kRequestTimeout,
                            "send to topic " + p.topic + " timed out (sendDefaultImpl call timeout): " +
                                std::to_string(cost) + " ms passed the send timeout of " +
                                std::to_string(timeout.count()) + " ms after " + std::to_string(times) +
                                " attempt(s)" + (detail.empty() ? "" : "; " + detail),
                            p.topic, errors.empty() ? std::string() : errors.back().broker);
  }
  const AttemptError& last = errors.back();
  std::string message = "send to topic " + p.topic + " failed after " + std::to_string(times) + " attempt(s) in " +
                        std::to_string(cost) + " ms: " + detail;
  if (last.broker_refused) throw MQBrokerException(last.code, last.remark, message, p.topic, last.broker);
  throw MQClientException(last.code, message, p.topic, last.broker);
}

SendResult ProducerImpl::send_once(const Prepared& p, const MessageQueue& mq, Clock::time_point deadline) {
  Outcome outcome = attempt_sync(p, mq, deadline);
  if (auto* result = std::get_if<SendResult>(&outcome)) return *result;
  throw_attempt(p.topic, std::get<AttemptError>(outcome));
}

MessageQueue ProducerImpl::select_queue(const Message& msg, const MessageQueueSelector& selector, const std::any& arg,
                                        Clock::time_point deadline) {
  auto info = find_publish_info(msg.topic, deadline);
  MessageQueue mq;
  try {
    mq = selector(info->queues(), msg, arg);
  } catch (const std::exception& e) {
    throw MQClientException(client_error::kNotRunning,
                            "the message queue selector of a send to topic " + msg.topic + " threw: " + e.what(),
                            msg.topic);
  }
  if (std::find(info->queues().begin(), info->queues().end(), mq) == info->queues().end()) {
    throw MQClientException(client_error::kNotRunning,
                            "the message queue selector of a send to topic " + msg.topic + " chose queue " +
                                mq.broker_name + "/" + std::to_string(mq.queue_id) + " of topic " + mq.topic +
                                ", which is not one of the queues it was given",
                            msg.topic);
  }
  if (Clock::now() >= deadline) {
    throw MQClientException(client_error::kRequestTimeout,
                            "send to topic " + msg.topic + " timed out while its queue was selected", msg.topic);
  }
  return mq;
}

// ---------------------------------------------------------------------------------------
// The sends.

SendResult ProducerImpl::send(const Message& msg, std::chrono::milliseconds timeout) {
  check_running("send");
  auto begin = Clock::now();
  return send_default_impl(prepare(msg), begin, timeout);
}

SendResult ProducerImpl::send_batch(const std::vector<Message>& batch, std::chrono::milliseconds timeout) {
  check_running("send(batch)");
  auto begin = Clock::now();
  return send_default_impl(prepare_batch(batch), begin, timeout);
}

SendResult ProducerImpl::send_to_queue(const Message& msg, const MessageQueue& mq, std::chrono::milliseconds timeout) {
  check_running("send(msg, mq)");
  auto begin = Clock::now();
  if (mq.topic != msg.topic) {
    throw MQClientException(client_error::kMessageIllegal,
                            "send to topic " + msg.topic + ": the queue given is of topic " + mq.topic, msg.topic);
  }
  Prepared p = prepare(msg);
  auto deadline = begin + timeout;
  find_publish_info(msg.topic, deadline);  // knows the brokers of the topic
  return send_once(p, mq, deadline);
}

SendResult ProducerImpl::send_select(const Message& msg, const MessageQueueSelector& selector, const std::any& arg,
                                     std::chrono::milliseconds timeout) {
  check_running("send(msg, selector, arg)");
  auto begin = Clock::now();
  auto deadline = begin + timeout;
  Prepared p = prepare(msg);
  MessageQueue mq = select_queue(msg, selector, arg, deadline);
  return send_once(p, mq, deadline);
}

void ProducerImpl::send_oneway(const Message& msg, const MessageQueueSelector* selector, const std::any* arg) {
  check_running("send_oneway");
  auto deadline = Clock::now() + settings_.send_msg_timeout;
  Prepared p = prepare(msg);
  MessageQueue mq = selector != nullptr ? select_queue(msg, *selector, *arg, deadline)
                                        : find_publish_info(msg.topic, deadline)->select_one_message_queue();
  std::string addr = broker_addr_of(mq, deadline);
  if (addr.empty()) {
    throw MQClientException(client_error::kBrokerNotExist,
                            "send to topic " + msg.topic + " failed: broker " + mq.broker_name +
                                " has no master address in the route",
                            msg.topic, mq.broker_name);
  }
  instance_->remoting().invoke_oneway(addr, build_request(p, mq),
                                      std::max(left_until(deadline), std::chrono::milliseconds(1)));
}

void ProducerImpl::async_done() {
  std::lock_guard lock(mu_);
  if (--async_in_flight_ == 0) async_cv_.notify_all();
}

void ProducerImpl::send_async(const Message& msg, MessageQueueSelector selector, std::any arg, SendCallback callback,
                              std::chrono::milliseconds timeout) {
  check_running("send_async");
  auto begin = Clock::now();
  {
    std::lock_guard lock(mu_);
    ++async_in_flight_;
  }
  auto deliver_error = [this](const SendCallback& cb, const MQClientException& e) {
    try {
      if (cb.on_exception) {
        cb.on_exception(e);
      } else {
        instance_->logger().warn("async send failed and has no on_exception callback: ", e.what());
      }
    } catch (const std::exception& ex) {
      instance_->logger().warn("an on_exception callback threw: ", ex.what());
    }
  };
  auto task = [this, msg, selector = std::move(selector), arg = std::move(arg), callback = std::move(callback), begin,
               timeout, deliver_error]() mutable {
    auto deadline = begin + timeout;
    Prepared p;
    MessageQueue mq;
    std::string addr;
    try {
      p = prepare(msg);
      mq = selector ? select_queue(msg, selector, arg, deadline)
                    : find_publish_info(msg.topic, deadline)->select_one_message_queue();
      addr = broker_addr_of(mq, deadline);
      if (addr.empty()) {
        throw MQClientException(client_error::kBrokerNotExist,
                                "send to topic " + msg.topic + " failed: broker " + mq.broker_name +
                                    " has no master address in the route",
                                msg.topic, mq.broker_name);
      }
      if (left_until(deadline).count() <= 0) {
        throw MQClientException(client_error::kRequestTimeout,
                                "send to topic " + msg.topic + " timed out (sendDefaultImpl call timeout) before " +
                                    "it was sent; timeout " + std::to_string(timeout.count()) + " ms",
                                msg.topic, mq.broker_name + "@" + addr);
      }
    } catch (const MQClientException& e) {
      deliver_error(callback, e);
      async_done();
      return;
    }
    auto request = build_request(p, mq);
    instance_->remoting().invoke(
        addr, std::move(request), left_until(deadline),
        [this, topic = p.topic, msg_id = p.msg_id, mq, addr, callback = std::move(callback),
         deliver_error](Result<RemotingCommand> response) mutable {
          // On the io thread: hand the answer to the async threads.
          executor_->post([this, response = std::move(response), topic, msg_id, mq, addr,
                           callback = std::move(callback), deliver_error]() {
            Outcome outcome = to_outcome(response, topic, msg_id, mq, addr);
            if (auto* result = std::get_if<SendResult>(&outcome)) {
              try {
                if (callback.on_success) callback.on_success(*result);
              } catch (const std::exception& ex) {
                instance_->logger().warn("an on_success callback threw: ", ex.what());
              }
            } else {
              const AttemptError& e = std::get<AttemptError>(outcome);
              std::string message = "async send to topic " + topic + " failed: " + e.text;
              if (e.broker_refused) {
                deliver_error(callback, MQBrokerException(e.code, e.remark, message, topic, e.broker));
              } else {
                deliver_error(callback, MQClientException(e.code, message, topic, e.broker));
              }
            }
            async_done();
          });
        });
  };
  if (!executor_->post(std::move(task))) {
    async_done();
    throw MQClientException(client_error::kNotRunning, "producer " + settings_.group + ": send_async while shutting down");
  }
}

}  // namespace tern::client::internal
