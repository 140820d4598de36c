// The commit log's flushers, one per flushDiskType:
// - AsyncFlushService (ASYNC_FLUSH): a thread that fsyncs every flushIntervalCommitLog when
//   at least flushCommitLogLeastPages are dirty, and at least every thorough interval.
// - GroupCommitService (SYNC_FLUSH): puts wait for durability; all puts waiting when an
//   fsync starts share it (group commit). A put not durable within syncFlushTimeout is
//   answered FLUSH_DISK_TIMEOUT (its message is stored; the fsync goes on).
// Both keep fsync off the io threads.
//
// Thread-safety: wait_durable() from any thread; start/stop from one owner.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "commit_log.h"
#include "tern/logger.h"

namespace tern::store_mmap {

class AsyncFlushService {
 public:
  AsyncFlushService(CommitLog& log, std::chrono::milliseconds interval, int64_t least_bytes,
                    std::chrono::milliseconds thorough_interval, Logger& logger);
  ~AsyncFlushService();
  void start();
  void stop();  // flushes everything first

 private:
  void run();
  CommitLog& log_;
  std::chrono::milliseconds interval_, thorough_interval_;
  int64_t least_bytes_;
  Logger& logger_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

class GroupCommitService {
 public:
  // Makes the commit log durable up to an offset and returns the offset now durable: the
  // store passes CommitLog::flush; tests pass a slow or failing one.
  using FlushFunction = std::function<Result<int64_t>(int64_t up_to)>;

  GroupCommitService(FlushFunction flush, std::chrono::milliseconds timeout, Logger& logger);
  ~GroupCommitService();
  void start();
  // Completes every waiting put (flushing first), then stops the threads.
  void stop();
  // Runs done(true) once the commit log is durable up to end_offset, or done(false) when
  // syncFlushTimeout passes first (or fsync failed). Runs exactly once, on a flush thread.
  void wait_durable(int64_t end_offset, std::function<void(bool)> done);
  uint64_t fsync_count() const { return fsyncs_.load(std::memory_order_relaxed); }

 private:
  struct Request {
    int64_t end_offset;
    std::chrono::steady_clock::time_point deadline;
    std::function<void(bool)> done;
    std::atomic<bool> completed{false};
    void complete(bool flushed) {
      if (!completed.exchange(true)) done(flushed);
    }
  };
  void run_flusher();
  void run_timer();

  FlushFunction flush_;
  std::chrono::milliseconds timeout_;
  Logger& logger_;
  std::mutex mutex_;
  std::condition_variable flush_cv_, timer_cv_;
  std::deque<std::shared_ptr<Request>> pending_;      // not yet picked by the flusher
  std::deque<std::shared_ptr<Request>> outstanding_;  // not yet completed, oldest first (deadline order)
  bool stopping_ = false;
  std::atomic<uint64_t> fsyncs_{0};
  std::thread flusher_, timer_;
};

}  // namespace tern::store_mmap
