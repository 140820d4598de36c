// IndexFile: one file of the message-key index (storePathIndex), laid out byte for byte as
// RocketMQ 4.x lays out its IndexFile, so index directories move between the two brokers.
//
// Layout, all integers big-endian (Java's ByteBuffer order):
//   header, 40 bytes: beginTimestamp i64 | endTimestamp i64 | beginPhyOffset i64 |
//                     endPhyOffset i64 | hashSlotCount i32 | indexCount i32
//   hash slots, slots * 4 bytes: i32 number of the newest entry in the slot, 0 = empty
//   entries, max_entries * 20 bytes: keyHash i32 | phyOffset i64 | timeDiff i32 | prevIndex i32
// Entry n sits at 40 + slots*4 + n*20. Numbers start at 1 (0 means "none"), so the first
// 20 bytes of the entry area are never used and a file holds max_entries - 1 entries: that
// is RocketMQ's arithmetic, kept for compatibility. indexCount is the next number to use.
// timeDiff is whole seconds since beginTimestamp (the first entry's store time);
// prevIndex chains the entries of one slot, newest first. hashSlotCount counts slots in
// use (4.x; 5.x counts entries instead, so it is only range-checked on load).
//
// Thread-safety: none. IndexService serialises writers against readers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "mapped_file.h"
#include "tern/status.h"

namespace tern::store_mmap {

struct IndexHeader {
  int64_t begin_timestamp = 0;  // ms, store time of the first entry
  int64_t end_timestamp = 0;    // ms, store time of the last entry
  int64_t begin_phy_offset = 0;
  int64_t end_phy_offset = 0;   // commit-log offset of the last entry
  int32_t hash_slot_count = 0;
  int32_t index_count = 1;      // next entry number; 1 when the file is empty
};

class IndexFile {
 public:
  static constexpr int64_t kHeaderSize = 40;
  static constexpr int64_t kSlotSize = 4;
  static constexpr int64_t kEntrySize = 20;

  static int64_t file_size(int32_t slots, int32_t max_entries) {
    return kHeaderSize + slots * kSlotSize + max_entries * kEntrySize;
  }
  // RocketMQ's indexKeyHashMethod: |String.hashCode()| of `topic#key`, Integer.MIN_VALUE
  // (whose absolute value is itself) mapped to 0.
  static int32_t key_hash(std::string_view topic, std::string_view key);

  // Maps `path` (creating it, zero-filled, when absent) and reads its header. Corruption
  // naming the file when its size is not file_size(slots, max_entries) or a header field is
  // out of range; IoError / ResourceExhausted (disk full) naming it when it cannot be made.
  static Result<std::unique_ptr<IndexFile>> open(const std::string& path, int32_t slots, int32_t max_entries);

  // A new file continues the previous one: until its first entry its begin and end are the
  // previous file's end, so the idempotency mark and last-update values carry over.
  void continue_from(const IndexHeader& previous);

  bool full() const { return header_.index_count >= max_entries_; }
  bool empty() const { return header_.index_count <= 1; }
  const IndexHeader& header() const { return header_; }
  const std::string& path() const { return file_->path(); }
  const std::shared_ptr<MappedFile>& mapped_file() const { return file_; }

  // Appends an entry (the file must not be full) and links it at the head of its slot.
  // It does not move endPhyOffset: see mark_indexed().
  void put(int32_t key_hash, int64_t phy_offset, int64_t store_timestamp_ms);
  // Raises endPhyOffset to `phy_offset` once every key of that message is in. It is the
  // persisted "indexed up to" mark recovery trusts: raised per key, a crash between a
  // message's keys would leave its later keys out for good.
  void mark_indexed(int64_t phy_offset);

  // Whether [begin_ms, end_ms] meets [beginTimestamp, endTimestamp]; false when empty.
  bool overlaps(int64_t begin_ms, int64_t end_ms) const;

  // Walks the chain of key_hash's slot, newest first, appending to `out` the offsets of
  // entries with that hash whose store second meets [begin_ms, end_ms] and that `seen`
  // lacks, until `out` holds max_count. A corrupt chain ends the walk; it never loops.
  void select(int32_t key_hash, int64_t begin_ms, int64_t end_ms, size_t max_count, std::vector<int64_t>& out,
              std::unordered_set<int64_t>& seen) const;

  // Lowers endPhyOffset to `offset` when above it (recovery truncated the commit log).
  void lower_end_phy_offset(int64_t offset);

 private:
  IndexFile(std::shared_ptr<MappedFile> file, int32_t slots, int32_t max_entries);
  Status read_header();
  // The newest live entry of a slot, given `count` counted entries (see index_file.cc).
  int32_t live_head(const uint8_t* d, int64_t slot_position, int32_t count) const;
  void write_header();
  int64_t slot_pos(int32_t key_hash) const { return kHeaderSize + (key_hash % slots_) * kSlotSize; }
  int64_t entry_pos(int32_t number) const { return kHeaderSize + slots_ * kSlotSize + number * kEntrySize; }

  std::shared_ptr<MappedFile> file_;
  int32_t slots_;
  int32_t max_entries_;
  IndexHeader header_;  // a copy of the mapped header, written through on every change
};

}  // namespace tern::store_mmap
