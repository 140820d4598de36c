// Dispatcher: turns commit-log records into consume-queue units and index entries, in
// commit-log order, on its own thread (RocketMQ's ReputMessageService), then tells the
// arrival listener so that held pulls wake. Recovery calls dispatch() directly for the
// records it re-reads before the thread starts.
//
// Thread-safety: dispatch() from one thread at a time (recovery, then the dispatch thread);
// wake(), dispatched_offset() and set_listener() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "commit_log.h"
#include "consume_queue_set.h"
#include "index_service.h"
#include "tern/logger.h"
#include "tern/store.h"

namespace tern::store_mmap {

class Dispatcher {
 public:
  // `index` may be null (messageIndexEnable=false).
  Dispatcher(CommitLog& log, ConsumeQueueSet& queues, IndexService* index, Logger& logger);
  ~Dispatcher();

  Status dispatch(const RecordView& record);
  void start(int64_t from);
  void stop();  // dispatches what is appended, then stops
  // Called after each append. Costs a syscall only when the dispatcher is asleep (not
  // while it pauses between busy passes).
  void wake();
  int64_t dispatched_offset() const { return dispatched_.load(std::memory_order_acquire); }
  // Store time of the last record dispatched (for the checkpoint).
  int64_t last_store_timestamp() const { return last_store_timestamp_.load(std::memory_order_acquire); }
  void set_listener(ArrivalListener listener);
  // Waits until everything appended before the call is dispatched.
  bool wait_caught_up(std::chrono::milliseconds timeout);

 private:
  void run();
  bool dispatch_available();  // false when stalled on a bad record

  // How long the thread pauses after a pass that dispatched something (RocketMQ's
  // ReputMessageService sleeps 1 ms between passes): the most a record waits for dispatch
  // while appends keep coming.
  static constexpr std::chrono::microseconds kBusyPause{200};

  CommitLog& log_;
  ConsumeQueueSet& queues_;
  IndexService* index_;
  Logger& logger_;
  std::atomic<int64_t> dispatched_{0};
  std::atomic<int64_t> last_store_timestamp_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::condition_variable caught_up_cv_;
  ArrivalListener listener_;  // guarded by mutex_ for replacement; copied before calling
  bool stopping_ = false;
  std::atomic<bool> sleeping_{false};  // set before the dispatcher waits (see run())
  std::thread thread_;
};

}  // namespace tern::store_mmap
