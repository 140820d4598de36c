// QueueLockProcessor: LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42), the queue locks of
// orderly consumers (RocketMQ's AdminBrokerProcessor.lockBatchMQ / unlockBatchMQ) over the
// kernel's QueueLocks. LOCK answers SUCCESS with the queues the client holds now
// (LockBatchResponseBody); UNLOCK releases the client's own and answers SUCCESS with no
// body (nothing when sent oneway). A malformed body gets SYSTEM_ERROR naming the field.
// onlyThisBroker is read and needs nothing: RocketMQ's lockInStrictMode (locking on every
// broker of the group) is off by default and not offered, so each broker locks its own.
//
// Thread-safety: handle() from any io thread.
#pragma once

#include <memory>

#include "broker_context.h"
#include "remoting_connection.h"

namespace tern::remoting {

class QueueLockProcessor {
 public:
  explicit QueueLockProcessor(const BrokerContext& context) : ctx_(context) {}
  // False when `request.code` is not one of this processor's.
  bool handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);

 private:
  const BrokerContext& ctx_;
};

}  // namespace tern::remoting
