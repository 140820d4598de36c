// EndTransactionProcessor (contract in end_transaction_processor.h).
#include "end_transaction_processor.h"

#include "codes.h"
#include "header_reader.h"

namespace tern::remoting {

Result<EndTransactionRequest> decode_end_transaction_header(const RemotingCommand& request) {
  HeaderReader h(request);
  EndTransactionRequest out;
  out.producer_group = h.str("producerGroup");
  out.tran_state_table_offset = h.i64("tranStateTableOffset");
  out.commit_log_offset = h.i64("commitLogOffset");
  int32_t outcome = h.i32("commitOrRollback");
  out.from_transaction_check = h.bool_or("fromTransactionCheck", false);
  out.msg_id = h.str_or("msgId", "");
  out.transaction_id = h.str_or("transactionId", "");
  if (!h.ok()) return Status::invalid_argument(h.error());
  switch (outcome) {
    case sys_flag::kTransactionCommitType: out.outcome = EndTransactionRequest::Outcome::kCommit; break;
    case sys_flag::kTransactionRollbackType: out.outcome = EndTransactionRequest::Outcome::kRollback; break;
    case sys_flag::kTransactionNotType: out.outcome = EndTransactionRequest::Outcome::kUnknown; break;
    default:
      return Status::invalid_argument("the request header field 'commitOrRollback' is " + std::to_string(outcome) +
                                      ": expected 8 (commit), 12 (rollback) or 0 (unknown)");
  }
  if (out.producer_group.empty()) return Status::invalid_argument("the request header field 'producerGroup' is empty");
  if (out.commit_log_offset < 0 || out.tran_state_table_offset < 0) {
    return Status::invalid_argument("the request header fields 'commitLogOffset' and 'tranStateTableOffset' must "
                                    "not be negative");
  }
  return out;
}

void EndTransactionProcessor::handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  auto decoded = decode_end_transaction_header(request);
  if (!decoded) {
    ctx_.logger.warn("END_TRANSACTION from ", conn->peer(), " refused: ", decoded.status().message());
    conn->respond(request, make_response(request, response_code::kSystemError, decoded.status().message()));
    return;
  }
  std::weak_ptr<RemotingConnection> weak = conn;
  std::string peer = conn->peer();
  ctx_.broker().transactions().end_transaction(
      std::move(*decoded), [weak, peer = std::move(peer), request = answer_stub(request), &logger = ctx_.logger](Status s) {
        if (!s.is_ok()) logger.warn("END_TRANSACTION from ", peer, " refused: ", s.message());
        auto c = weak.lock();
        if (!c) return;
        c->respond(request, s.is_ok() ? make_response(request, response_code::kSuccess)
                                      : make_response(request, response_code::kSystemError, s.message()));
      });
}

}  // namespace tern::remoting
