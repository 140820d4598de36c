// QueueLockProcessor (contract in queue_lock_processor.h).
#include "queue_lock_processor.h"

#include "codes.h"
#include "lock_batch_body.h"

namespace tern::remoting {

bool QueueLockProcessor::handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  const bool lock = request.code == request_code::kLockBatchMq;
  if (!lock && request.code != request_code::kUnlockBatchMq) return false;
  auto body = decode_lock_batch_request(request.body);
  if (!body.is_ok()) {
    ctx_.logger.debug(lock ? "LOCK" : "UNLOCK", "_BATCH_MQ from ", conn->peer(), ": ", body.status().message());
    conn->respond(request, make_response(request, response_code::kSystemError, body.status().message()));
    return true;
  }
  QueueLocks& locks = ctx_.broker().queue_locks();
  auto response = make_response(request, response_code::kSuccess);
  if (lock) {
    response.body =
        encode_lock_batch_response(locks.try_lock_batch(body->consumer_group, body->client_id, body->mq_set));
  } else {
    locks.unlock_batch(body->consumer_group, body->client_id, body->mq_set);
  }
  conn->respond(request, std::move(response));
  return true;
}

}  // namespace tern::remoting
