// IndexFile: the RocketMQ 4.x index-file layout (see index_file.h), read and written
// through a MappedFile. Not thread-safe; IndexService locks around it.
#include "index_file.h"

#include <algorithm>
#include <atomic>
#include <limits>

#include "tern/check.h"
#include "tern/tag_hash.h"

namespace tern::store_mmap {
namespace {

// Offsets inside the header.
constexpr int64_t kBeginTimestampPos = 0;
constexpr int64_t kEndTimestampPos = 8;
constexpr int64_t kBeginPhyOffsetPos = 16;
constexpr int64_t kEndPhyOffsetPos = 24;
constexpr int64_t kHashSlotCountPos = 32;
constexpr int64_t kIndexCountPos = 36;
// Offsets inside an entry.
constexpr int64_t kEntryPhyOffsetPos = 4;
constexpr int64_t kEntryTimeDiffPos = 12;
constexpr int64_t kEntryPrevIndexPos = 16;

constexpr int64_t kMsPerSecond = 1000;
// Store times beyond year 9999 are clamped on write and refused on load, so that
// beginTimestamp + timeDiff * 1000 can never overflow.
constexpr int64_t kMaxTimestamp = 253402300799999;

// Byte by byte, so the order is Java's whatever the host's.
void store_be(uint8_t* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
uint64_t load_be(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}
void store32(uint8_t* base, int64_t pos, int32_t v) { store_be(base + pos, static_cast<uint32_t>(v), 4); }
void store64(uint8_t* base, int64_t pos, int64_t v) { store_be(base + pos, static_cast<uint64_t>(v), 8); }
int32_t load32(const uint8_t* base, int64_t pos) { return static_cast<int32_t>(load_be(base + pos, 4)); }
int64_t load64(const uint8_t* base, int64_t pos) { return static_cast<int64_t>(load_be(base + pos, 8)); }

}  // namespace

int32_t IndexFile::key_hash(std::string_view topic, std::string_view key) {
  std::string full;
  full.reserve(topic.size() + 1 + key.size());
  full.append(topic).append("#").append(key);
  int32_t h = java_string_hash(full);
  if (h == std::numeric_limits<int32_t>::min()) return 0;
  return h < 0 ? -h : h;
}

IndexFile::IndexFile(std::shared_ptr<MappedFile> file, int32_t slots, int32_t max_entries)
    : file_(std::move(file)), slots_(slots), max_entries_(max_entries) {}

Result<std::unique_ptr<IndexFile>> IndexFile::open(const std::string& path, int32_t slots, int32_t max_entries) {
  TERN_CHECK(slots > 0 && max_entries > 1, "index file geometry validated by IndexService::load");
  auto mapped = MappedFile::open(path, file_size(slots, max_entries));
  if (!mapped) {
    if (!mapped.status().is_corruption()) return mapped.status();
    return mapped.status().with_context("index file (maxHashSlotNum " + std::to_string(slots) + ", maxIndexNum " +
                                        std::to_string(max_entries) + ")");
  }
  std::unique_ptr<IndexFile> file(new IndexFile(std::move(*mapped), slots, max_entries));
  TERN_RETURN_IF_ERROR(file->read_header());
  return file;
}

Status IndexFile::read_header() {
  const uint8_t* d = file_->data();
  IndexHeader h;
  h.begin_timestamp = load64(d, kBeginTimestampPos);
  h.end_timestamp = load64(d, kEndTimestampPos);
  h.begin_phy_offset = load64(d, kBeginPhyOffsetPos);
  h.end_phy_offset = load64(d, kEndPhyOffsetPos);
  h.hash_slot_count = load32(d, kHashSlotCountPos);
  h.index_count = load32(d, kIndexCountPos);
  auto bad = [this](const std::string& what) {
    return Status::corruption("index file " + path() + ": bad header: " + what);
  };
  // A freshly allocated file is all zeros; RocketMQ reads indexCount 0 as 1 too.
  if (h.index_count == 0) h.index_count = 1;
  if (h.index_count < 1 || h.index_count > max_entries_) {
    return bad("indexCount " + std::to_string(h.index_count) + " outside [0, " + std::to_string(max_entries_) + "]");
  }
  if (h.hash_slot_count < 0 || h.hash_slot_count > max_entries_) {
    return bad("hashSlotCount " + std::to_string(h.hash_slot_count) + " outside [0, " +
               std::to_string(max_entries_) + "]");
  }
  for (int64_t t : {h.begin_timestamp, h.end_timestamp}) {
    if (t < 0 || t > kMaxTimestamp) return bad("timestamp " + std::to_string(t) + " out of range");
  }
  // endPhyOffset is -1 after forget_from(0): nothing below offset 0 is indexed.
  if (h.begin_phy_offset < 0 || h.end_phy_offset < -1) {
    return bad("phy offsets " + std::to_string(h.begin_phy_offset) + ".." + std::to_string(h.end_phy_offset));
  }
  header_ = h;
  return Status::ok();
}

void IndexFile::write_header() {
  uint8_t* d = file_->data();
  store64(d, kBeginTimestampPos, header_.begin_timestamp);
  store64(d, kEndTimestampPos, header_.end_timestamp);
  store64(d, kBeginPhyOffsetPos, header_.begin_phy_offset);
  store64(d, kEndPhyOffsetPos, header_.end_phy_offset);
  store32(d, kHashSlotCountPos, header_.hash_slot_count);
  store32(d, kIndexCountPos, header_.index_count);
}

void IndexFile::continue_from(const IndexHeader& previous) {
  TERN_CHECK(empty(), "only an empty index file continues another");
  header_.begin_timestamp = header_.end_timestamp = previous.end_timestamp;
  header_.begin_phy_offset = std::max<int64_t>(previous.end_phy_offset, 0);
  header_.end_phy_offset = previous.end_phy_offset;
  write_header();
}

int32_t IndexFile::live_head(const uint8_t* d, int64_t slot_position, int32_t count) const {
  int32_t head = load32(d, slot_position);
  // A put cut short by a crash after linking its slot leaves the slot naming the uncounted
  // entry `count`; that entry's link was written first, so it names the real head. Dropping
  // the slot instead would cut off every older entry of the chain.
  if (head == count && count < max_entries_) head = load32(d, entry_pos(count) + kEntryPrevIndexPos);
  // Anything else that is not an earlier entry is damage: the chain starts afresh.
  if (head <= 0 || head >= count) head = 0;
  return head;
}

void IndexFile::put(int32_t key_hash, int64_t phy_offset, int64_t store_timestamp_ms) {
  TERN_CHECK(!full(), "put into a full index file");
  TERN_CHECK(key_hash >= 0, "index key hashes are non-negative");
  uint8_t* d = file_->data();
  const int32_t number = header_.index_count;
  const int64_t ts = std::clamp<int64_t>(store_timestamp_ms, 0, kMaxTimestamp);
  const int64_t sp = slot_pos(key_hash);
  int32_t head = live_head(d, sp, number);
  if (empty()) {
    // The first entry fixes the file's time base, so its own timeDiff is 0.
    header_.begin_timestamp = header_.end_timestamp = ts;
    header_.begin_phy_offset = phy_offset;
  }
  // Whole seconds, rounded down; a clock that went back is clamped to the file's start.
  const int64_t diff = std::clamp<int64_t>((ts - header_.begin_timestamp) / kMsPerSecond, 0,
                                           std::numeric_limits<int32_t>::max());
  const int64_t ep = entry_pos(number);
  store32(d, ep, key_hash);
  store64(d, ep + kEntryPhyOffsetPos, phy_offset);
  store32(d, ep + kEntryTimeDiffPos, static_cast<int32_t>(diff));
  store32(d, ep + kEntryPrevIndexPos, head);
  // The entry (with its link) before the slot, the slot before the count: a put cut short
  // leaves either nothing visible or a slot naming an uncounted entry whose link is sound.
  std::atomic_thread_fence(std::memory_order_release);
  store32(d, sp, number);
  std::atomic_thread_fence(std::memory_order_release);
  if (head == 0) ++header_.hash_slot_count;
  ++header_.index_count;
  // Kept monotonic (RocketMQ stores the last time): overlaps() relies on end >= every entry.
  header_.end_timestamp = std::max(header_.end_timestamp, ts);
  write_header();
}

bool IndexFile::overlaps(int64_t begin_ms, int64_t end_ms) const {
  return !empty() && header_.begin_timestamp <= end_ms && header_.end_timestamp >= begin_ms;
}

void IndexFile::select(int32_t key_hash, int64_t begin_ms, int64_t end_ms, size_t max_count,
                       std::vector<int64_t>& out, std::unordered_set<int64_t>& seen) const {
  const uint8_t* d = file_->data();
  const int32_t count = header_.index_count;
  int32_t number = live_head(d, slot_pos(key_hash), count);
  // Chains run to strictly lower numbers, so a sound chain ends within `count` steps;
  // the step cap and the `prev < number` test both stop a damaged one.
  for (int32_t steps = 0; number > 0 && number < count && steps < count; ++steps) {
    const int64_t ep = entry_pos(number);
    const int32_t hash = load32(d, ep);
    const int64_t phy_offset = load64(d, ep + kEntryPhyOffsetPos);
    const int32_t diff = load32(d, ep + kEntryTimeDiffPos);
    const int32_t prev = load32(d, ep + kEntryPrevIndexPos);
    if (diff < 0) break;  // never written so: damage
    // The entry knows its store time only to the second: [second, second + 999 ms].
    // It matches when that second meets [begin_ms, end_ms], so a message stored at t is
    // found by any range holding t (hits up to 999 ms outside are the caller's to drop).
    const int64_t second = header_.begin_timestamp + diff * kMsPerSecond;
    if (second + kMsPerSecond - 1 < begin_ms) break;  // older entries are older still
    if (hash == key_hash && second <= end_ms && seen.insert(phy_offset).second) {
      out.push_back(phy_offset);
      if (out.size() >= max_count) break;
    }
    if (prev >= number) break;
    number = prev;
  }
}

void IndexFile::mark_indexed(int64_t phy_offset) {
  if (header_.end_phy_offset >= phy_offset) return;
  header_.end_phy_offset = phy_offset;
  write_header();
}

void IndexFile::lower_end_phy_offset(int64_t offset) {
  if (header_.end_phy_offset <= offset) return;
  header_.end_phy_offset = offset;
  write_header();
}

}  // namespace tern::store_mmap
