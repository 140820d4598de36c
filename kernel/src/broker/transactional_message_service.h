// TransactionalMessageService: the kernel's TransactionalMessages (tern/broker.h), RocketMQ's
// TransactionalMessageServiceImpl, EndTransactionProcessor and TransactionalMessageCheckService.
//
// A prepared message is rewritten by the write path (BrokerMessageWriter, to_half) into a
// half message: RMQ_SYS_TRANS_HALF_TOPIC queue 0, its topic and queue kept in REAL_TOPIC /
// REAL_QID, sys flag reset to "not a transaction" so that the store indexes it in the half
// queue, where no consumer looks. Every outcome is recorded as an op message in
// RMQ_SYS_TRANS_OP_HALF_TOPIC (body: the half message's queue offset, tag "d"), which is
// how a restart learns which half messages are done.
//
// The check thread walks the half queue every check_interval from its progress (kept, as
// RocketMQ does, as the consumer offset of group CID_SYS_RMQ_TRANS on the half topic): a
// half message without an outcome older than the timeout (or its
// CHECK_IMMUNITY_TIME_IN_SECONDS) is written again at the end of the half queue with
// TRANSACTION_CHECK_TIMES one higher, the old copy is marked done, and a producer of its
// group is asked about the new copy; one already checked check_max times is dropped with a
// log line naming its group, topic and msgId. An answer naming a copy that was checked
// back since is refused (NotFound): the answer to the check ends the transaction.
//
// Thread-safety: every method from any thread; start/stop from the main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>

#include "tern/broker.h"
#include "tern/logger.h"
#include "tern/store.h"

namespace tern::kernel {

struct TransactionOptions {
  std::chrono::milliseconds timeout{6000};           // transactionTimeOut
  int32_t check_max = 15;                            // transactionCheckMax
  std::chrono::milliseconds check_interval{60000};   // transactionCheckInterval
  bool reject = false;                               // rejectTransactionMessage
  bool check = true;                                 // false on a SLAVE: it checks nothing back
};

// The consumer group whose offsets hold the check progress (RocketMQ's CID_SYS_RMQ_TRANS).
inline constexpr std::string_view kTransactionCheckGroup = "CID_SYS_RMQ_TRANS";

class TransactionalMessageService final : public TransactionalMessages {
 public:
  // `writer` stores committed messages (so their delay level or timer applies then).
  TransactionalMessageService(TransactionOptions options, ConsumerOffsets& offsets, ClientRegistry& clients,
                              MessageWriter& writer, Logger& logger);
  ~TransactionalMessageService() override;  // stop()

  // A producer's prepared message: sys flag TRANSACTION_PREPARED or property TRAN_MSG=true.
  static bool is_prepared(const MessageExt& message);
  // Rewrites a prepared message into its half message. PermissionDenied when the broker
  // refuses transaction messages (rejectTransactionMessage).
  Status to_half(MessageExt& message) const;

  // Reads the op queue to learn which half messages are done and starts the check thread
  // (when options.check). `store` may be null: nothing then runs, ends fail Unavailable.
  void start(MessageStore* store);
  void stop();  // idempotent

  void end_transaction(EndTransactionRequest request, std::function<void(Status)> done) override;

  // One pass of the check thread, now (tests).
  void check_once();

 private:
  void run();
  // Records that the half message at queue offset `half_offset` is done.
  void write_op(MessageStore& store, int64_t half_offset, const MessageExt& half);
  // Checks back one half message; false when the walk should stop here (too young, or the
  // store refused the new copy).
  bool check_one(MessageStore& store, const MessageExt& half, int64_t now_ms);
  // Marks `half_offset` done; false when it already was.
  bool mark_done(int64_t half_offset);
  void unmark_done(int64_t half_offset);

  const TransactionOptions options_;
  ConsumerOffsets& offsets_;
  ClientRegistry& clients_;
  MessageWriter& writer_;
  Logger& logger_;
  std::atomic<MessageStore*> store_{nullptr};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                 // guarded by mu_
  int64_t progress_ = 0;                  // first half offset not yet done; guarded by mu_
  std::set<int64_t> done_;                // done offsets >= progress_; guarded by mu_
  std::mutex check_mu_;                   // one check pass at a time
  std::thread thread_;
};

}  // namespace tern::kernel
