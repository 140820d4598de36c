// The SDK's error model: a send or a start that fails throws MQClientException (a
// std::runtime_error), as RocketMQ's Java client does. what() names the topic, the broker
// (name and address) and the cause; code() says which kind of failure it was:
//   - a client_error:: code (no name server, no route, cannot connect, timeout, ...), or
//     ResponseCode 13 MESSAGE_ILLEGAL for a message refused before sending;
//   - for MQBrokerException, the broker's response code (16 NO_PERMISSION, 17
//     TOPIC_NOT_EXIST, 1 SYSTEM_ERROR, ...) and its remark.
// Asynchronous sends hand the same exception to their callback or future; nothing is
// thrown across an io thread.
//
// Thread-safety: exceptions are immutable values.
#pragma once

#include <stdexcept>
#include <string>

namespace tern::client {

// RocketMQ's ClientErrorCode numbers (and -1 for a client in the wrong state).
namespace client_error {
inline constexpr int kNotRunning = -1;            // not started, or shut down
inline constexpr int kMessageIllegal = 13;        // ResponseCode.MESSAGE_ILLEGAL: refused before sending
inline constexpr int kNoMessage = 208;             // ResponseCode.NO_MESSAGE: a lookup found nothing
inline constexpr int kConnectBrokerException = 10001;
inline constexpr int kAccessBrokerTimeout = 10002;
inline constexpr int kBrokerNotExist = 10003;
inline constexpr int kNoNameServerException = 10004;
inline constexpr int kNotFoundTopicException = 10005;
inline constexpr int kRequestTimeout = 10006;     // the whole send (all attempts) passed its timeout
inline constexpr int kSendFailed = 10010;         // every attempt failed; what() lists them
}  // namespace client_error

class MQClientException : public std::runtime_error {
 public:
  MQClientException(int code, const std::string& message, std::string topic = {}, std::string broker = {})
      : std::runtime_error(message), code_(code), topic_(std::move(topic)), broker_(std::move(broker)) {}

  int code() const { return code_; }
  // The topic of the send, "" when the failure has none.
  const std::string& topic() const { return topic_; }
  // "brokerName@host:port" (or what is known of it) of the last broker tried, "" when none.
  const std::string& broker() const { return broker_; }

 private:
  int code_;
  std::string topic_;
  std::string broker_;
};

// The broker answered with an error: code() is its response code, remark() its text.
class MQBrokerException : public MQClientException {
 public:
  MQBrokerException(int response_code, std::string remark, const std::string& message, std::string topic,
                    std::string broker)
      : MQClientException(response_code, message, std::move(topic), std::move(broker)), remark_(std::move(remark)) {}
  const std::string& remark() const { return remark_; }

 private:
  std::string remark_;
};

}  // namespace tern::client
