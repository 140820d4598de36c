// PULL_MESSAGE as both consumers send it and read its answer (RocketMQ's PullAPIWrapper:
// pullKernelImpl and processPullResult). The request names the group, queue, offset,
// batch size, sysFlag, commit offset, long-poll hold and subscription; the answer's
// records are decoded (bodies inflated) and re-filtered by tag text.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "remoting_command.h"
#include "subscription_data.h"
#include "tern/client/message.h"
#include "tern/status.h"

namespace tern::client::internal {

// PULL_MESSAGE sysFlag bits (RocketMQ's PullSysFlag).
inline constexpr int32_t kPullCommitOffset = 1;  // commitOffset carries the group's offset to store
inline constexpr int32_t kPullSuspend = 2;       // long polling: the broker holds the pull until data or timeout
inline constexpr int32_t kPullSubscription = 4;  // the subscription travels with the pull

// A PULL_MESSAGE (11) of up to `max_nums` records of `mq` from `offset`; the broker holds
// it up to `suspend` when kPullSuspend is set and nothing is there.
remoting::RemotingCommand make_pull_request(const std::string& group, const MessageQueue& mq,
                                            const SubscriptionData& sub, int64_t offset, int max_nums,
                                            int32_t sys_flag, int64_t commit_offset,
                                            std::chrono::milliseconds suspend);

// RocketMQ's PullStatus.
enum class PullStatus {
  kFound,         // records (all may have been filtered out on the client)
  kNoNewMsg,      // PULL_NOT_FOUND (19): nothing at the offset yet
  kNoMatchedMsg,  // PULL_RETRY_IMMEDIATELY (20): nothing the filter accepts
  kOffsetIllegal  // PULL_OFFSET_MOVED (21): pull again from next_begin_offset
};

struct PullResult {
  PullStatus status = PullStatus::kNoNewMsg;
  int64_t next_begin_offset = 0;
  int64_t min_offset = 0;
  int64_t max_offset = 0;
  std::vector<MessageExt> msgs;  // kFound: the records `sub` accepts, in queue order
};

// The broker's answer to a pull from `offset`. Corruption naming the byte offset when
// the body does not decode; Unavailable with the broker's code and remark for an answer
// that is not one of the four statuses (SYSTEM_ERROR, SUBSCRIPTION_NOT_LATEST, ...).
[[nodiscard]] Result<PullResult> process_pull_response(const remoting::RemotingCommand& response,
                                                       const SubscriptionData& sub, int64_t offset);

}  // namespace tern::client::internal
