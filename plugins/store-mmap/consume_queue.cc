// ConsumeQueue: unit encoding, load-time end detection, truncation and retention.
#include "consume_queue.h"

namespace tern::store_mmap {
namespace {

void write_unit(uint8_t* p, const ConsumeQueueUnit& u) {
  auto put = [&p](uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) *p++ = static_cast<uint8_t>(v >> (8 * i));
  };
  put(static_cast<uint64_t>(u.commit_log_offset), 8);
  put(static_cast<uint32_t>(u.size), 4);
  put(static_cast<uint64_t>(u.tags_code), 8);
}

ConsumeQueueUnit read_unit(const uint8_t* p) {
  auto get = [&p](int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | *p++;
    return v;
  };
  ConsumeQueueUnit u;
  u.commit_log_offset = static_cast<int64_t>(get(8));
  u.size = static_cast<int32_t>(static_cast<uint32_t>(get(4)));
  u.tags_code = static_cast<int64_t>(get(8));
  return u;
}

// A unit is written when its size is positive (units are zero until written).
bool is_written(const ConsumeQueueUnit& u) { return u.size > 0 && u.commit_log_offset >= 0; }

}  // namespace

ConsumeQueue::ConsumeQueue(std::string topic, int32_t queue_id, std::string dir, int64_t file_size)
    : topic_(std::move(topic)),
      queue_id_(queue_id),
      files_(std::move(dir), std::max<int64_t>(kConsumeQueueUnitSize, file_size - file_size % kConsumeQueueUnitSize)) {}

Status ConsumeQueue::load() {
  TERN_RETURN_IF_ERROR(files_.load());
  auto first = files_.first();
  auto last = files_.last();
  if (!first) return Status::ok();
  // The first written unit of the first file is the min (retention may have left a prefix
  // of units in it that are no longer in the commit log; delete_expired() fixes that).
  int64_t units_per_file = files_.file_size() / kConsumeQueueUnitSize;
  int64_t min = first->start / kConsumeQueueUnitSize;
  for (int64_t i = 0; i < units_per_file; ++i) {
    if (is_written(read_unit(first->file->data() + i * kConsumeQueueUnitSize))) {
      min = first->start / kConsumeQueueUnitSize + i;
      break;
    }
  }
  // The last written unit of the last file ends the queue. Scan back from the file's end:
  // a unit can be missing in the middle (a corrupt record recovery kept out), so the
  // written units are not always a prefix and a binary search could stop at a hole.
  int64_t lo = units_per_file;
  while (lo > 0 && !is_written(read_unit(last->file->data() + (lo - 1) * kConsumeQueueUnitSize))) --lo;
  min_offset_.store(min, std::memory_order_release);
  max_offset_.store(last->start / kConsumeQueueUnitSize + lo, std::memory_order_release);
  return Status::ok();
}

Status ConsumeQueue::put(int64_t queue_offset, const ConsumeQueueUnit& unit) {
  int64_t pos = queue_offset * kConsumeQueueUnitSize;
  auto seg = files_.find(pos);
  if (!seg) {
    // A queue's files may start anywhere (its first message can come late); later files
    // are created in order.
    int64_t start = pos - pos % files_.file_size();
    auto last = files_.last();
    if (last && start != last->end()) {
      // A gap (units skipped): create the files in between so the sequence stays whole.
      for (int64_t s = last->end(); s < start; s += files_.file_size()) {
        auto gap = files_.get_or_create(s);
        if (!gap) return gap.status();
      }
    } else if (!last) {
      min_offset_.store(queue_offset, std::memory_order_release);
    }
    auto created = files_.get_or_create(start);
    if (!created) return created.status();
    seg = *created;
  }
  write_unit(seg->file->data() + (pos - seg->start), unit);
  if (queue_offset + 1 > max_offset()) max_offset_.store(queue_offset + 1, std::memory_order_release);
  return Status::ok();
}

std::optional<ConsumeQueueUnit> ConsumeQueue::get(int64_t queue_offset) const {
  if (queue_offset < min_offset() || queue_offset >= max_offset()) return std::nullopt;
  int64_t pos = queue_offset * kConsumeQueueUnitSize;
  auto seg = files_.find(pos);
  if (!seg) return std::nullopt;
  ConsumeQueueUnit u = read_unit(seg->file->data() + (pos - seg->start));
  if (!is_written(u)) return std::nullopt;
  return u;
}

void ConsumeQueue::clear_if_points_at(int64_t queue_offset, int64_t commit_log_offset) {
  auto u = get(queue_offset);
  if (!u || u->commit_log_offset != commit_log_offset) return;
  int64_t pos = queue_offset * kConsumeQueueUnitSize;
  if (auto seg = files_.find(pos)) write_unit(seg->file->data() + (pos - seg->start), ConsumeQueueUnit{});
}

void ConsumeQueue::truncate_from_commit_log_offset(int64_t commit_log_end) {
  int64_t max = max_offset();
  while (max > min_offset()) {
    auto u = get(max - 1);
    if (u && u->commit_log_offset + u->size <= commit_log_end) break;
    int64_t pos = (max - 1) * kConsumeQueueUnitSize;
    if (auto seg = files_.find(pos)) write_unit(seg->file->data() + (pos - seg->start), ConsumeQueueUnit{});
    --max;
  }
  max_offset_.store(max, std::memory_order_release);
  files_.delete_from((max * kConsumeQueueUnitSize) - (max * kConsumeQueueUnitSize) % files_.file_size() +
                     files_.file_size());
}

int ConsumeQueue::delete_expired(int64_t commit_log_min) {
  int deleted = 0;
  // A file may go when its last written unit points below the commit log's min offset.
  while (true) {
    auto first = files_.first();
    auto last = files_.last();
    if (!first || first->start == last->start) break;
    int64_t last_unit = first->end() / kConsumeQueueUnitSize - 1;
    auto u = read_unit(first->file->data() + (last_unit * kConsumeQueueUnitSize - first->start));
    if (is_written(u) && u.commit_log_offset >= commit_log_min) break;
    files_.delete_first();
    ++deleted;
  }
  // Move the min to the first unit still in the commit log.
  int64_t min = min_offset();
  if (auto first = files_.first(); first) min = std::max(min, first->start / kConsumeQueueUnitSize);
  while (min < max_offset()) {
    auto u = get(min);
    if (u && u->commit_log_offset >= commit_log_min) break;
    ++min;
  }
  min_offset_.store(min, std::memory_order_release);
  return deleted;
}

Status ConsumeQueue::flush() {
  int64_t target = max_offset() * kConsumeQueueUnitSize;
  int64_t flushed = flushed_bytes_.load(std::memory_order_acquire);
  if (target <= flushed) return Status::ok();
  for (const Segment& s : files_.segments()) {
    if (s.end() > flushed && s.start < target) TERN_RETURN_IF_ERROR(s.file->sync());
  }
  flushed_bytes_.store(target, std::memory_order_release);
  return Status::ok();
}

}  // namespace tern::store_mmap
