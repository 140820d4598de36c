// EndTransactionProcessor: END_TRANSACTION (37), a producer's outcome for a half message
// (usually oneway). The header (RocketMQ's EndTransactionRequestHeader): producerGroup,
// tranStateTableOffset (the half message's queue offset), commitLogOffset,
// commitOrRollback (8 commit, 12 rollback, 0 unknown), fromTransactionCheck, msgId,
// transactionId. The transaction logic is the kernel's (TransactionalMessages); this file
// decodes, answers when asked (SUCCESS, or SYSTEM_ERROR naming the problem) and logs a
// refused outcome, since a oneway sender never sees the answer.
//
// Thread-safety: handle() from any io thread; answers may be sent from store threads.
#pragma once

#include <memory>

#include "broker_context.h"
#include "remoting_connection.h"
#include "tern/broker.h"

namespace tern::remoting {

// The header's fields; a failed Status names the missing or malformed field.
Result<EndTransactionRequest> decode_end_transaction_header(const RemotingCommand& request);

class EndTransactionProcessor {
 public:
  explicit EndTransactionProcessor(const BrokerContext& context) : ctx_(context) {}
  void handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request);

 private:
  const BrokerContext& ctx_;
};

}  // namespace tern::remoting
