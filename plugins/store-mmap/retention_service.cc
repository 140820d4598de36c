// Retention passes: time- and space-driven deletion of commit-log segments, then of the
// consume-queue and index files that pointed into them.
#include "retention_service.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <ctime>

namespace tern::store_mmap {
namespace {

constexpr int kMaxDeletesPerPass = 10;  // RocketMQ's deleteFileBatchMax: bounded work per pass

std::chrono::system_clock::time_point modified_at(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::chrono::system_clock::now();
  return std::chrono::system_clock::time_point(std::chrono::seconds(st.st_mtim.tv_sec));
}

int local_hour(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm {};
  localtime_r(&tt, &tm);
  return tm.tm_hour;
}

}  // namespace

double RetentionService::statvfs_usage(const std::string& path) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0 || vfs.f_blocks == 0) return 0;
  double used = static_cast<double>(vfs.f_blocks - vfs.f_bfree);
  double usable = used + static_cast<double>(vfs.f_bavail);
  return usable > 0 ? 100.0 * used / usable : 0;
}

RetentionService::RetentionService(const StoreConfig& config, CommitLog& log, ConsumeQueueSet& queues,
                                   IndexService* index, Logger& logger, DiskUsageProbe probe)
    : config_(config), log_(log), queues_(queues), index_(index), logger_(logger), probe_(std::move(probe)) {}

RetentionService::~RetentionService() { stop(); }

void RetentionService::set_disk_usage_probe(DiskUsageProbe probe) {
  std::lock_guard lock(mutex_);
  probe_ = std::move(probe);
}

void RetentionService::start() { thread_ = std::thread([this] { run(); }); }

void RetentionService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionService::run() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (cv_.wait_for(lock, config_.clean_interval, [this] { return stopping_; })) return;
    }
    run_once(std::chrono::system_clock::now());
  }
}

int RetentionService::run_once(std::chrono::system_clock::time_point now) {
  DiskUsageProbe probe;
  {
    std::lock_guard lock(mutex_);
    probe = probe_;
  }
  double usage = probe(config_.commit_log_dir);
  last_usage_.store(usage, std::memory_order_release);
  bool full = usage >= config_.disk_space_warning_ratio;
  if (full != disk_full_.exchange(full, std::memory_order_acq_rel)) {
    if (full) {
      logger_.error("disk holding ", config_.commit_log_dir, " is ", static_cast<int>(usage), "% used, at or over ",
                    "diskSpaceWarningLevelRatio ", config_.disk_space_warning_ratio, "%: writes are refused");
    } else {
      logger_.info("disk holding ", config_.commit_log_dir, " is back to ", static_cast<int>(usage), "%: writes resume");
    }
  }
  bool over_ratio = usage >= config_.disk_max_used_space_ratio;
  int hour = local_hour(now);
  bool delete_time = std::find(config_.delete_hours.begin(), config_.delete_hours.end(), hour) != config_.delete_hours.end();

  int deleted = 0;
  if (over_ratio || delete_time) {
    for (const Segment& s : log_.segments().segments()) {
      if (deleted >= kMaxDeletesPerPass || s.end() > log_.max_offset() || s.start == log_.segments().last()->start) break;
      bool expired = modified_at(s.file->path()) + config_.file_reserved_time <= now;
      if (!expired && !over_ratio) break;  // segments age in order: the rest are newer
      if (!log_.segments().delete_first()) break;
      ++deleted;
      logger_.info("retention deleted commit-log segment ", s.file->path(), expired ? " (expired)" : "",
                   over_ratio ? " (disk over diskMaxUsedSpaceRatio)" : "");
      if (over_ratio && !expired && probe(config_.commit_log_dir) < config_.disk_max_used_space_ratio) break;
    }
  }
  int64_t min = log_.min_offset();
  int queue_files = 0;
  for (const auto& q : queues_.all()) queue_files += q->delete_expired(min);
  int index_files = index_ ? index_->delete_files_below(min) : 0;
  if (queue_files || index_files) {
    logger_.info("retention deleted ", queue_files, " consume-queue and ", index_files, " index files below commit-log offset ", min);
  }
  return deleted;
}

}  // namespace tern::store_mmap
