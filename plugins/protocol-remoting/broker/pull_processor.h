// PullProcessor: PULL_MESSAGE (11). Reads up to maxMsgNums records of a queue from the
// store, filtered on the broker by the subscription (tag hash first, properties second),
// and answers with the records as stored, written from the mapped commit log without
// copying. When nothing is there yet and the client allows suspending, the pull is held
// (long polling) until the queue grows or suspendTimeoutMillis passes, then answered.
// Also commits the consumer's offset when the client piggybacks it (COMMIT_OFFSET flag).
//
// Thread-safety: handle() from any io thread; held pulls are answered from kernel threads.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "broker_context.h"
#include "remoting_connection.h"
#include "tern/filter.h"

namespace tern::remoting {

// Bits of a pull request's sysFlag (RocketMQ's PullSysFlag).
namespace pull_sys_flag {
inline constexpr int32_t kCommitOffset = 0x1;
inline constexpr int32_t kSuspend = 0x2;
inline constexpr int32_t kSubscription = 0x4;
inline constexpr int32_t kClassFilter = 0x8;
inline constexpr int32_t kLitePull = 0x10;
}  // namespace pull_sys_flag

class PullProcessor {
 public:
  explicit PullProcessor(const BrokerContext& context) : ctx_(context) {}
  void handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);

 private:
  // One pull, parsed and checked, that may be run twice (again after a hold).
  struct Pull;
  void run(const std::shared_ptr<RemotingConnection>& conn, const std::shared_ptr<Pull>& pull, bool allow_suspend);
  // The compiled matcher of an expression (null for "everything"); cached because every
  // pull of a consumer carries the same expression.
  Result<std::shared_ptr<const MessageMatcher>> matcher(const std::string& type, const std::string& expression);

  const BrokerContext& ctx_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const MessageMatcher>> matchers_;  // "TYPE\0expression"
};

}  // namespace tern::remoting
