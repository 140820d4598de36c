// ConsumeQueue: the index of one queue of one topic, store/consumequeue/<topic>/<queueId>/,
// a sequence of 20-byte units (commit-log offset int64, size int32, tag hash int64;
// big-endian, RocketMQ's layout) at position queue_offset * 20. The dispatcher writes
// units in queue-offset order; pulls read them.
//
// Thread-safety: one writer (the dispatch thread, or recovery before start) and any number
// of readers; min/max offsets are atomics published after the unit is written.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "mapped_file_queue.h"

namespace tern::store_mmap {

inline constexpr int64_t kConsumeQueueUnitSize = 20;

struct ConsumeQueueUnit {
  int64_t commit_log_offset = 0;
  int32_t size = 0;
  int64_t tags_code = 0;
};

class ConsumeQueue {
 public:
  // `file_size` is rounded down to a multiple of 20.
  ConsumeQueue(std::string topic, int32_t queue_id, std::string dir, int64_t file_size);

  // Maps the files and finds the last unit written.
  Status load();
  // Writes the unit for `queue_offset` (overwriting: re-dispatch after a crash is safe).
  Status put(int64_t queue_offset, const ConsumeQueueUnit& unit);
  std::optional<ConsumeQueueUnit> get(int64_t queue_offset) const;

  int64_t min_offset() const { return min_offset_.load(std::memory_order_acquire); }
  // The next queue offset to be written.
  int64_t max_offset() const { return max_offset_.load(std::memory_order_acquire); }

  // Clears the unit at `queue_offset` if it points at `commit_log_offset` (recovery found
  // that record corrupt); reads pass over a cleared unit.
  void clear_if_points_at(int64_t queue_offset, int64_t commit_log_offset);
  // Drops units that point at or past `commit_log_end` (recovery truncated the log there).
  void truncate_from_commit_log_offset(int64_t commit_log_end);
  // Retention: deletes files whose units all point below `commit_log_min` and moves the
  // min offset to the first unit at or above it. Returns the number of files deleted.
  int delete_expired(int64_t commit_log_min);

  Status flush();
  const std::string& topic() const { return topic_; }
  int32_t queue_id() const { return queue_id_; }

 private:
  std::string topic_;
  int32_t queue_id_;
  MappedFileQueue files_;
  std::atomic<int64_t> min_offset_{0};
  std::atomic<int64_t> max_offset_{0};
  std::atomic<int64_t> flushed_bytes_{0};  // the flush thread's progress
};

}  // namespace tern::store_mmap
