// IndexService: the message-key index under storePathIndex, a list of IndexFiles in
// RocketMQ 4.x's format (index_file.h) named by their creation time, yyyyMMddHHmmssSSS in
// local time, and ordered by name. The dispatcher indexes each message under
// `topic#key` for every key in its KEYS and its UNIQ_KEY; queryMessage (query by key, by
// unique key) looks them up. A hit is only a candidate (hashes collide, stale entries
// survive a commit-log truncation): callers read the message and check it.
//
// Thread-safety: every method is safe from any thread. One std::shared_mutex guards the
// file list and the mapped bytes: query() and max_indexed_offset() take it shared (many io
// threads at once); the writers (add, forget_from, delete_files_below) take it exclusive,
// and new readers wait while a writer does, so queries cannot starve the dispatcher.
// flush() holds the lock only to pick the files to sync, so fdatasync never blocks queries.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "index_file.h"
#include "tern/status.h"

namespace tern::store_mmap {

struct IndexServiceOptions {
  std::string dir;                     // storePathIndex
  int32_t max_hash_slots = 5000000;    // maxHashSlotNum
  int32_t max_index_count = 20000000;  // maxIndexNum; a file holds max_index_count - 1 entries
};

class IndexService {
 public:
  explicit IndexService(IndexServiceOptions options);

  // Creates the directory and maps existing index files. InvalidArgument when the options
  // cannot make a file (max_hash_slots < 1, max_index_count < 2); Corruption naming the
  // file when a name is not 17 digits or a file has a bad size or header; IoError when the
  // directory cannot be made or read.
  [[nodiscard]] Status load();

  // Indexes one message under each of `keys` (the caller passes the KEYS split on spaces
  // plus UNIQ_KEY; empty and repeated keys are skipped). Adds nothing for
  // commit_log_offset <= the highest offset already indexed (recovery re-dispatches
  // messages, and indexing must be idempotent). Starts a new file when the current one is
  // full. Errors (cannot create a file: disk full) are returned naming the file; the keys
  // added before the error stay, and a retry in this process adds the rest (repeating
  // those, which query() folds together). After a restart the file header already carries
  // the offset, so that message keeps only the keys that made it.
  [[nodiscard]] Status add(std::string_view topic, const std::vector<std::string_view>& keys,
                           int64_t commit_log_offset, int64_t store_timestamp_ms);

  struct Hits {
    std::vector<int64_t> commit_log_offsets;  // newest first, at most max_count, no duplicates
    int64_t last_update_timestamp = 0;        // endTimestamp of the newest file
    int64_t last_update_phy_offset = 0;       // endPhyOffset of the newest file
  };
  // Offsets of messages indexed under topic#key whose store time is in [begin_ms, end_ms],
  // newest first. Hash collisions are possible: the caller checks each hit against the
  // message itself. Entries keep their store time to the second only, so a message stored
  // at t is found whenever begin_ms <= t <= end_ms, and messages stored up to 999 ms
  // before begin_ms or after end_ms may be returned too (the caller checks the time).
  Hits query(std::string_view topic, std::string_view key, int32_t max_count, int64_t begin_ms,
             int64_t end_ms) const;

  // The highest commit-log offset indexed (-1 when none). After load() it is the
  // endPhyOffset of the newest file.
  int64_t max_indexed_offset() const;

  // Lowers the idempotency mark: recovery truncated the commit log at `commit_log_offset`,
  // so new messages may reuse offsets from there on (stale entries stay; query callers
  // verify hits). The lowered endPhyOffset is written to the file headers, so it survives
  // a restart once flush() has run.
  void forget_from(int64_t commit_log_offset);

  // Makes every entry added so far durable (fdatasync of the files written since the last
  // flush, then of the directory when files were created or deleted). IoError naming the
  // file; the file is retried by the next flush.
  [[nodiscard]] Status flush();

  // Deletes files whose every entry points below min_commit_log_offset (retention),
  // oldest first and never the newest file; returns how many were deleted.
  int delete_files_below(int64_t min_commit_log_offset);

 private:
  struct OpenFile {
    std::unique_ptr<IndexFile> file;
    bool dirty = false;  // written since the last flush
  };
  // The file to append to: the newest one, or a new one when there is none or it is full.
  Result<OpenFile*> writable_file();
  std::string next_file_name();
  std::unique_lock<std::shared_mutex> lock_exclusive() const;
  std::shared_lock<std::shared_mutex> lock_shared() const;

  const IndexServiceOptions options_;
  std::mutex flush_mutex_;              // one flush at a time: a flush returns after its syncs
  mutable std::shared_mutex mutex_;
  mutable std::atomic<int> writers_waiting_{0};  // readers yield to waiting writers
  std::vector<OpenFile> files_;             // GUARDED_BY(mutex_), oldest first
  int64_t max_indexed_offset_ = -1;     // GUARDED_BY(mutex_)
  bool dir_dirty_ = false;              // GUARDED_BY(mutex_): files created or deleted
  std::string last_name_;               // GUARDED_BY(mutex_): names must keep increasing
};

}  // namespace tern::store_mmap
