// DefaultMQProducer: the public face; the work is in ProducerImpl (producer_impl.h).
#include "tern/client/producer.h"

#include "mq_admin.h"
#include "producer_impl.h"

namespace tern::client {

DefaultMQProducer::DefaultMQProducer(std::string producer_group) : producer_group_(std::move(producer_group)) {}

DefaultMQProducer::~DefaultMQProducer() { shutdown(); }

void DefaultMQProducer::start() {
  if (impl_) {
    throw MQClientException(client_error::kNotRunning,
                            "producer " + producer_group_ + " was already started (a producer starts once)");
  }
  internal::ProducerSettings s;
  s.group = producer_group_;
  s.send_msg_timeout = send_msg_timeout_;
  s.retry_times_when_send_failed = retry_times_when_send_failed_;
  s.compress_msg_body_over_howmuch = compress_msg_body_over_howmuch_;
  s.max_message_size = max_message_size_;
  s.retry_another_broker_when_not_store_ok = retry_another_broker_when_not_store_ok_;
  s.default_topic_queue_nums = default_topic_queue_nums_;
  s.async_send_threads = async_send_threads_;
  s.transaction_listener = transaction_listener_;
  s.check_threads = check_threads_;
  auto impl = std::make_shared<internal::ProducerImpl>(std::move(s), static_cast<const ClientConfig&>(*this));
  impl->start();
  impl_ = std::move(impl);
}

void DefaultMQProducer::shutdown() {
  if (impl_) impl_->shutdown();
}

internal::ProducerImpl& DefaultMQProducer::running(const char* what) {
  if (!impl_) {
    throw MQClientException(client_error::kNotRunning,
                            "producer " + producer_group_ + ": " + what + " before start()");
  }
  return *impl_;
}

SendResult DefaultMQProducer::send(const Message& msg) { return running("send").send(msg, send_msg_timeout_); }
SendResult DefaultMQProducer::send(const Message& msg, std::chrono::milliseconds timeout) {
  return running("send").send(msg, timeout);
}
SendResult DefaultMQProducer::send(const Message& msg, const MessageQueue& mq) {
  return running("send").send_to_queue(msg, mq, send_msg_timeout_);
}
SendResult DefaultMQProducer::send(const Message& msg, const MessageQueueSelector& selector, const std::any& arg) {
  return running("send").send_select(msg, selector, arg, send_msg_timeout_);
}
SendResult DefaultMQProducer::send(const Message& msg, const MessageQueueSelector& selector, const std::any& arg,
                                   std::chrono::milliseconds timeout) {
  return running("send").send_select(msg, selector, arg, timeout);
}
SendResult DefaultMQProducer::send(const std::vector<Message>& batch) {
  return running("send").send_batch(batch, send_msg_timeout_);
}
SendResult DefaultMQProducer::send(const std::vector<Message>& batch, std::chrono::milliseconds timeout) {
  return running("send").send_batch(batch, timeout);
}

std::future<SendResult> DefaultMQProducer::send_async(const Message& msg) {
  auto promise = std::make_shared<std::promise<SendResult>>();
  auto future = promise->get_future();
  SendCallback cb{
      [promise](const SendResult& r) { promise->set_value(r); },
      [promise](const MQClientException& e) {
        if (const auto* be = dynamic_cast<const MQBrokerException*>(&e)) {
          promise->set_exception(std::make_exception_ptr(*be));
        } else {
          promise->set_exception(std::make_exception_ptr(e));
        }
      },
  };
  running("send_async").send_async(msg, nullptr, {}, std::move(cb), send_msg_timeout_);
  return future;
}
void DefaultMQProducer::send_async(const Message& msg, SendCallback callback) {
  running("send_async").send_async(msg, nullptr, {}, std::move(callback), send_msg_timeout_);
}
void DefaultMQProducer::send_async(const Message& msg, SendCallback callback, std::chrono::milliseconds timeout) {
  running("send_async").send_async(msg, nullptr, {}, std::move(callback), timeout);
}
void DefaultMQProducer::send_async(const Message& msg, const MessageQueueSelector& selector, const std::any& arg,
                                   SendCallback callback) {
  running("send_async").send_async(msg, selector, arg, std::move(callback), send_msg_timeout_);
}

void DefaultMQProducer::send_oneway(const Message& msg) { running("send_oneway").send_oneway(msg, nullptr, nullptr); }
void DefaultMQProducer::send_oneway(const Message& msg, const MessageQueueSelector& selector, const std::any& arg) {
  running("send_oneway").send_oneway(msg, &selector, &arg);
}

std::vector<MessageQueue> DefaultMQProducer::fetch_publish_message_queues(const std::string& topic) {
  return running("fetch_publish_message_queues").fetch_publish_message_queues(topic);
}

MessageExt DefaultMQProducer::view_message(const std::string& offset_msg_id) {
  return internal::view_message_or_throw(running("view_message").instance(), "producer " + producer_group_,
                                         offset_msg_id);
}

MessageExt DefaultMQProducer::view_message(const std::string& topic, const std::string& msg_id) {
  return internal::view_message_or_throw(running("view_message").instance(), "producer " + producer_group_, topic,
                                         msg_id);
}

QueryResult DefaultMQProducer::query_message(const std::string& topic, const std::string& key, int max_num,
                                             int64_t begin_ms, int64_t end_ms) {
  return internal::query_message_or_throw(running("query_message").instance(), "producer " + producer_group_, topic,
                                          key, max_num, begin_ms, end_ms);
}

}  // namespace tern::client
