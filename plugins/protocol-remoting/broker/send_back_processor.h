// SendBackProcessor: CONSUMER_SEND_MSG_BACK (36), a consumer handing back a message it
// failed to consume. The header (RocketMQ's ConsumerSendMsgBackRequestHeader): offset
// (commit-log offset of the message, required), group (required), delayLevel (required; 0
// lets the broker choose, < 0 sends to the DLQ), originMsgId, originTopic, unitMode,
// maxReconsumeTimes. The retry and dead-letter logic is the kernel's (ConsumerRetry), so
// every protocol gets the same; this file only decodes and answers:
//   SUCCESS (0)                          stored in %RETRY%<group> or %DLQ%<group>
//   SUBSCRIPTION_GROUP_NOT_EXIST (26)    unknown group (autoCreateSubscriptionGroup off)
//   NO_PERMISSION (16)                   broker or retry topic not writeable
//   SYSTEM_ERROR (1)                     bad header, no message at the offset, store refusal
//
// Thread-safety: handle() from any io thread; answers may be sent from store threads.
#pragma once

#include <memory>

#include "broker_context.h"
#include "remoting_connection.h"
#include "tern/broker.h"

namespace tern::remoting {

// The header's fields; a failed Status names the missing or malformed field.
Result<SendBackRequest> decode_send_back_header(const RemotingCommand& request);

class SendBackProcessor {
 public:
  explicit SendBackProcessor(const BrokerContext& context) : ctx_(context) {}
  void handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);

 private:
  const BrokerContext& ctx_;
};

}  // namespace tern::remoting
