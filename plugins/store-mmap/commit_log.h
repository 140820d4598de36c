// CommitLog: every message of every topic, appended in arrival order to mapped segments
// (files named by their 20-digit start offset, mappedFileSizeCommitLog bytes each).
// An append assigns each message its queue offset (per topic and queue), its commit-log
// offset and its store time, and copies the records into the mapping, all in one short
// critical section; a producer batch is appended in one go. A batch that does not fit in
// the rest of a segment goes to the next one, behind a blank record (RocketMQ's layout).
//
// Thread-safety: append, views, flush and the offset table are safe from any thread.
// Readers see only bytes below max_offset(), which is published after the copy.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mapped_file_queue.h"
#include "message_record.h"
#include "queue_key.h"
#include "tern/store.h"

namespace tern::store_mmap {

// A message ready to append: the message and its encoded properties.
struct PendingRecord {
  MessageExt message;
  std::string properties;
};

struct AppendOutcome {
  std::vector<AppendedMessage> messages;
  int64_t end_offset = 0;  // commit-log offset after the last record
  int64_t store_timestamp = 0;
};

// What recovery found, for the log and the tests.
struct RecoveryReport {
  int64_t from = 0;        // where the scan started
  int64_t end = 0;         // the new write position
  int64_t records = 0;     // good records scanned
  struct Skipped {
    int64_t offset;
    std::string topic;  // the record's structure is intact: these fields are readable
    int32_t queue_id;
    int64_t queue_offset;
    std::string problem;
  };
  std::vector<Skipped> skipped;  // corrupt records kept out of the queues
  std::optional<std::pair<int64_t, std::string>> truncated;  // a torn tail dropped at this offset
};

class CommitLog {
 public:
  CommitLog(std::string dir, int64_t segment_size);

  Status load();
  // Scans from `from` (a record boundary) to the end, calling `on_record` for every good
  // record, skips records whose only fault is the body CRC, drops a torn tail (zeroing it)
  // and sets the write position after the last good record.
  Result<RecoveryReport> recover(int64_t from, const std::function<void(const RecordView&)>& on_record);

  // Appends `records` (all of one topic and queue for a batch). Fills in the offsets and
  // store time of each message. ResourceExhausted when a new segment cannot be allocated.
  Result<AppendOutcome> append(std::vector<PendingRecord>& records);
  // Appends raw records replicated from a master; `from` must equal max_offset().
  Status append_raw(int64_t from, std::string_view bytes);

  int64_t min_offset() const;
  int64_t max_offset() const { return write_offset_.load(std::memory_order_acquire); }
  int64_t flushed_offset() const { return flushed_offset_.load(std::memory_order_acquire); }
  int64_t segment_size() const { return segments_.file_size(); }
  MappedFileQueue& segments() { return segments_; }

  // Makes everything below `up_to` durable; returns the flushed offset.
  Result<int64_t> flush(int64_t up_to);

  // A view of `size` bytes at `offset` if they lie in one segment below max_offset().
  std::optional<StoredRecord> view(int64_t offset, int64_t size) const;
  // Parses the record at `offset` (no CRC check): nullopt when none is readable there.
  std::optional<ParsedRecord> parse_at(int64_t offset, std::shared_ptr<MappedFile>* owner = nullptr) const;

  // Starts the prefault thread: as appends advance, it maps the pages ahead of the write
  // position (a window of up to 32 MiB, and the next segment's file) so that appends do
  // not take page faults inside the append lock. Nothing is touched while no one writes,
  // so an idle broker stays small.
  void start_prefault();
  void stop_prefault();

  // The queue-offset table: the next queue offset of each topic and queue.
  void set_next_queue_offset(const std::string& topic, int32_t queue_id, int64_t next);
  void remove_topic(const std::string& topic);

 private:
  MappedFileQueue segments_;
  std::mutex append_mutex_;
  std::map<QueueKey, int64_t, QueueKeyLess> next_queue_offset_;  // guarded by append_mutex_
  std::atomic<int64_t> write_offset_{0};
  std::mutex flush_mutex_;
  std::atomic<int64_t> flushed_offset_{0};

  void run_prefault();
  int64_t prefault_window() const;
  std::atomic<int64_t> prefaulted_to_{0};  // pages below are mapped (or were written)
  std::atomic<bool> prefault_running_{false};
  std::atomic<bool> prefault_requested_{false};
  std::mutex prefault_mutex_;
  std::condition_variable prefault_cv_;
  bool prefault_stopping_ = false;
  std::thread prefault_thread_;
};

}  // namespace tern::store_mmap
