// RetentionService: deletes what is no longer kept (RocketMQ's CleanCommitLogService and
// CleanConsumeQueueService). Every cleanResourceInterval it:
//   - measures the disk holding the commit log; at diskSpaceWarningLevelRatio it refuses
//     writes (disk_full()), so the store fails puts with a clear error instead of SIGBUS;
//   - at an hour listed in deleteWhen, deletes commit-log segments older than
//     fileReservedTime; past diskMaxUsedSpaceRatio it deletes the oldest segments at once,
//     whatever their age, until the disk is back under the ratio;
//   - never deletes the segment being written;
//   - then drops consume-queue and index files that point only at deleted segments.
//
// Thread-safety: run_once() from one thread at a time; disk_full() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "commit_log.h"
#include "consume_queue_set.h"
#include "index_service.h"
#include "store_config.h"
#include "tern/logger.h"

namespace tern::store_mmap {

class RetentionService {
 public:
  // Percentage of the file system holding `path` in use, 0..100.
  using DiskUsageProbe = std::function<double(const std::string& path)>;
  static double statvfs_usage(const std::string& path);

  RetentionService(const StoreConfig& config, CommitLog& log, ConsumeQueueSet& queues, IndexService* index,
                   Logger& logger, DiskUsageProbe probe = statvfs_usage);
  ~RetentionService();
  void start();
  void stop();

  // One pass at time `now`; returns the number of commit-log segments deleted.
  int run_once(std::chrono::system_clock::time_point now);
  bool disk_full() const { return disk_full_.load(std::memory_order_acquire); }
  double last_disk_usage() const { return last_usage_.load(std::memory_order_acquire); }
  void set_disk_usage_probe(DiskUsageProbe probe);

 private:
  void run();
  const StoreConfig& config_;
  CommitLog& log_;
  ConsumeQueueSet& queues_;
  IndexService* index_;
  Logger& logger_;
  std::mutex mutex_;
  DiskUsageProbe probe_;  // guarded by mutex_
  std::atomic<bool> disk_full_{false};
  std::atomic<double> last_usage_{0};
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tern::store_mmap
