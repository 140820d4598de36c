// The bodies of LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) (PROTOCOL.md §5), RocketMQ's
// LockBatchRequestBody / UnlockBatchRequestBody (the same shape) and LockBatchResponseBody:
//   request:  {"consumerGroup":"G","clientId":"ip@instance","onlyThisBroker":false,
//              "mqSet":[{"topic":"T","brokerName":"broker-a","queueId":0}, ...]}
//   response: {"lockOKMQSet":[{"brokerName":"broker-a","queueId":0,"topic":"T"}, ...]}
// Java clients write them with fastjson (standard JSON, members in alphabetical order),
// the C++ client with jsoncpp; both are read here. Lenient on input as the clients differ:
// unknown members are ignored, queueId may be a number or a numeric string, onlyThisBroker
// a boolean or "true"/"false", a missing mqSet is empty. Strict on what matters: a missing
// or empty consumerGroup or clientId, an mqSet element without topic or brokerName, or a
// queueId that is not a 32-bit integer is an InvalidArgument naming it. Output is what
// fastjson writes (queueId a number), which both clients read.
// Shared by the broker (decode request, encode response) and the SDK (the other way).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tern/message.h"
#include "tern/status.h"

namespace tern::remoting {

struct LockBatchRequest {
  std::string consumer_group;
  std::string client_id;
  bool only_this_broker = false;
  std::vector<MessageQueue> mq_set;  // as sent (order kept, duplicates kept)
};

[[nodiscard]] Result<LockBatchRequest> decode_lock_batch_request(std::string_view body);
std::string encode_lock_batch_request(const LockBatchRequest& request);

// lockOKMQSet.
[[nodiscard]] Result<std::vector<MessageQueue>> decode_lock_batch_response(std::string_view body);
std::string encode_lock_batch_response(const std::vector<MessageQueue>& locked);

}  // namespace tern::remoting
