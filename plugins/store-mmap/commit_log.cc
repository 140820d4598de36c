// CommitLog: the append critical section, segment roll-over, flush and recovery scan.
#include "commit_log.h"

#include <sys/mman.h>

#include <chrono>
#include <climits>
#include <cstring>

#include "tern/check.h"

namespace tern::store_mmap {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Prepared and rolled-back transaction messages take no queue offset: they are not
// visible in any queue (RocketMQ's rule).
bool takes_queue_offset(int32_t flag) {
  int32_t t = sys_flag::transaction_type(flag);
  return t == sys_flag::kTransactionNotType || t == sys_flag::kTransactionCommitType;
}

}  // namespace

CommitLog::CommitLog(std::string dir, int64_t segment_size) : segments_(std::move(dir), segment_size) {}

Status CommitLog::load() { return segments_.load(); }

int64_t CommitLog::min_offset() const {
  auto first = segments_.first();
  return first ? first->start : 0;
}

void CommitLog::set_next_queue_offset(const std::string& topic, int32_t queue_id, int64_t next) {
  std::lock_guard lock(append_mutex_);
  next_queue_offset_[QueueKey(topic, queue_id)] = next;
}

void CommitLog::remove_topic(const std::string& topic) {
  std::lock_guard lock(append_mutex_);
  auto it = next_queue_offset_.lower_bound(QueueKeyView(topic, INT32_MIN));
  while (it != next_queue_offset_.end() && it->first.first == topic) it = next_queue_offset_.erase(it);
}

Result<AppendOutcome> CommitLog::append(std::vector<PendingRecord>& records) {
  int64_t total = 0;
  for (auto& r : records) total += record_size(r.message, r.properties.size());
  if (total + kBlankRecordMinSize > segments_.file_size()) {
    return Status::invalid_argument("a record of " + std::to_string(total) + " bytes does not fit in a commit-log segment of " +
                                    std::to_string(segments_.file_size()) + " bytes");
  }
  AppendOutcome out;
  out.messages.reserve(records.size());
  {
    std::lock_guard lock(append_mutex_);
    int64_t pos = write_offset_.load(std::memory_order_relaxed);
    int64_t seg_start = pos - pos % segments_.file_size();
    auto seg = segments_.get_or_create(seg_start);
    if (!seg) return seg.status();
    if (total + kBlankRecordMinSize > seg->end() - pos) {
      // Not enough room: close the segment with a blank record and move to the next one.
      encode_blank_record(static_cast<int32_t>(seg->end() - pos), seg->file->data() + (pos - seg->start));
      pos = seg->end();
      write_offset_.store(pos, std::memory_order_release);
      seg = segments_.get_or_create(pos);
      if (!seg) return seg.status();
    }
    out.store_timestamp = now_ms();
    for (size_t i = 0; i < records.size(); ++i) {
      MessageExt& m = records[i].message;
      auto next_it = next_queue_offset_.find(QueueKeyView(m.topic, m.queue_id));
      if (next_it == next_queue_offset_.end()) next_it = next_queue_offset_.emplace(QueueKey(m.topic, m.queue_id), 0).first;
      int64_t& next = next_it->second;
      m.queue_offset = takes_queue_offset(m.sys_flag) ? next++ : 0;
      m.commit_log_offset = pos;
      m.store_timestamp = out.store_timestamp;
      m.store_size = record_size(m, records[i].properties.size());
      encode_record(m, records[i].properties, seg->file->data() + (pos - seg->start));
      out.messages.push_back({m.queue_offset, pos, m.store_size, {}});
      pos += m.store_size;
    }
    write_offset_.store(pos, std::memory_order_release);
    out.end_offset = pos;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    MessageExt& m = records[i].message;
    m.msg_id = make_offset_msg_id(m.store_host, m.commit_log_offset);
    out.messages[i].msg_id = m.msg_id;
  }
  if (prefault_running_.load(std::memory_order_relaxed) &&
      out.end_offset + prefault_window() / 2 > prefaulted_to_.load(std::memory_order_relaxed)) {
    prefault_requested_.store(true, std::memory_order_relaxed);
    prefault_cv_.notify_one();  // the window ahead is half used: map the next part
  }
  return out;
}

int64_t CommitLog::prefault_window() const { return std::min<int64_t>(32 << 20, segments_.file_size()); }

void CommitLog::start_prefault() {
  prefaulted_to_.store(max_offset(), std::memory_order_relaxed);
  prefault_stopping_ = false;
  prefault_running_.store(true, std::memory_order_relaxed);
  prefault_thread_ = std::thread([this] { run_prefault(); });
}

void CommitLog::stop_prefault() {
  {
    std::lock_guard lock(prefault_mutex_);
    prefault_stopping_ = true;
  }
  prefault_running_.store(false, std::memory_order_relaxed);
  prefault_cv_.notify_all();
  if (prefault_thread_.joinable()) prefault_thread_.join();
}

void CommitLog::run_prefault() {
  while (true) {
    {
      std::unique_lock lock(prefault_mutex_);
      // Flags, not bare notifies: a stop or a request that came while the thread was
      // mapping pages must not wait for the timeout.
      prefault_cv_.wait_for(lock, std::chrono::seconds(1),
                            [this] { return prefault_stopping_ || prefault_requested_.exchange(false); });
      if (prefault_stopping_) return;
    }
    int64_t pos = max_offset();
    int64_t from = std::max(prefaulted_to_.load(std::memory_order_relaxed), pos);
    int64_t target = pos + prefault_window();
    if (from >= target) continue;
    while (from < target) {
      int64_t seg_start = from - from % segments_.file_size();
      // Create at most the segment after the one being written, the way the append would.
      auto seg = segments_.find(from);
      if (!seg) {
        auto last = segments_.last();
        if (!last || seg_start != last->end()) break;
        auto created = segments_.get_or_create(seg_start);
        if (!created) break;  // e.g. disk full: the append will report it
        seg = *created;
      }
      int64_t end = std::min(target, seg->end());
      // Reading maps the zero pages the preallocated file already has; no write, so no
      // page is dirtied and nothing extra is written back.
      uint8_t* addr = seg->file->data() + (from - seg->start);
      auto page = reinterpret_cast<uintptr_t>(addr) & ~uintptr_t{4095};
      ::madvise(reinterpret_cast<void*>(page), static_cast<size_t>(end - from) + (reinterpret_cast<uintptr_t>(addr) - page),
                MADV_POPULATE_READ);
      from = end;
    }
    prefaulted_to_.store(from, std::memory_order_relaxed);
  }
}

Status CommitLog::append_raw(int64_t from, std::string_view bytes) {
  std::lock_guard lock(append_mutex_);
  int64_t pos = write_offset_.load(std::memory_order_relaxed);
  if (from != pos) {
    return Status::invalid_argument("replicated bytes start at " + std::to_string(from) + " but the commit log ends at " +
                                    std::to_string(pos));
  }
  while (!bytes.empty()) {
    auto seg = segments_.get_or_create(pos - pos % segments_.file_size());
    if (!seg) return seg.status();
    size_t n = std::min<size_t>(bytes.size(), static_cast<size_t>(seg->end() - pos));
    std::memcpy(seg->file->data() + (pos - seg->start), bytes.data(), n);
    bytes.remove_prefix(n);
    pos += static_cast<int64_t>(n);
    write_offset_.store(pos, std::memory_order_release);
  }
  return Status::ok();
}

Result<int64_t> CommitLog::flush(int64_t up_to) {
  std::lock_guard lock(flush_mutex_);
  up_to = std::min(up_to, max_offset());
  int64_t flushed = flushed_offset_.load(std::memory_order_relaxed);
  if (up_to <= flushed) return flushed;
  for (const Segment& s : segments_.segments()) {
    if (s.end() <= flushed || s.start >= up_to) continue;
    TERN_RETURN_IF_ERROR(s.file->sync());
  }
  flushed_offset_.store(up_to, std::memory_order_release);
  return up_to;
}

std::optional<StoredRecord> CommitLog::view(int64_t offset, int64_t size) const {
  if (size <= 0 || offset + size > max_offset()) return std::nullopt;
  auto seg = segments_.find(offset);
  if (!seg || offset + size > seg->end()) return std::nullopt;
  StoredRecord r;
  r.data = seg->file->data() + (offset - seg->start);
  r.size = static_cast<uint32_t>(size);
  r.commit_log_offset = offset;
  r.owner = std::move(seg->file);
  return r;
}

std::optional<ParsedRecord> CommitLog::parse_at(int64_t offset, std::shared_ptr<MappedFile>* owner) const {
  int64_t limit = max_offset();
  if (offset >= limit) return std::nullopt;
  auto seg = segments_.find(offset);
  if (!seg) return std::nullopt;
  size_t available = static_cast<size_t>(std::min(seg->end(), limit) - offset);
  // A blank record spans to the end of the segment, past what a reader may see only when
  // the segment is the last one; give the parser the whole segment rest in that case.
  size_t segment_rest = static_cast<size_t>(seg->end() - offset);
  ParsedRecord r = parse_record(seg->file->data() + (offset - seg->start), segment_rest, false);
  if (r.kind == RecordKind::kMessage && static_cast<size_t>(r.size) > available) return std::nullopt;
  if (owner) *owner = std::move(seg->file);
  return r;
}

Result<RecoveryReport> CommitLog::recover(int64_t from, const std::function<void(const RecordView&)>& on_record) {
  RecoveryReport report;
  int64_t min = min_offset();
  auto last = segments_.last();
  if (!last) {
    write_offset_.store(0, std::memory_order_release);
    flushed_offset_.store(0, std::memory_order_release);
    return report;
  }
  if (from < min || from > last->end()) from = min;  // checkpoint older than retention: scan all
  if (from != min) {
    // The checkpoint must name a record boundary; if it does not, trust nothing after min.
    auto seg = segments_.find(from);
    if (seg && parse_record(seg->file->data() + (from - seg->start), static_cast<size_t>(seg->end() - from), true).kind ==
                   RecordKind::kBad) {
      from = min;
    }
  }
  report.from = from;
  int64_t pos = from;
  while (true) {
    auto seg = segments_.find(pos);
    if (!seg) break;
    const uint8_t* at = seg->file->data() + (pos - seg->start);
    size_t available = static_cast<size_t>(seg->end() - pos);
    ParsedRecord r = parse_record(at, available, true);
    if (r.kind == RecordKind::kMessage) {
      if (r.view.physical_offset != pos) {
        r.kind = RecordKind::kBad;
        r.problem = Status::corruption("record says it is at " + std::to_string(r.view.physical_offset));
      } else {
        on_record(r.view);
        ++report.records;
        pos += r.size;
        continue;
      }
    }
    if (r.kind == RecordKind::kBlank) {
      pos = seg->end();
      continue;
    }
    if (r.kind == RecordKind::kEnd) break;
    // kBad. A record whose structure is intact but whose body fails its CRC is skipped
    // when a well-formed record (or the end) follows it: later messages are not lost.
    if (r.size_trusted && pos + r.size <= seg->end()) {
      ParsedRecord next = parse_record(at + r.size, available - static_cast<size_t>(r.size), true);
      if (next.kind != RecordKind::kBad) {
        const RecordView& v = r.view;
        report.skipped.push_back({pos, std::string(v.topic), v.queue_id, v.queue_offset, r.problem.message()});
        pos += r.size;
        continue;
      }
    }
    report.truncated = std::make_pair(pos, r.problem.message());
    // Zero the torn tail so that it can never be parsed again.
    std::memset(const_cast<uint8_t*>(at), 0, available);
    break;
  }
  // Files after the end hold nothing readable: drop them.
  int64_t end_seg_start = pos - pos % segments_.file_size();
  if (pos % segments_.file_size() == 0 && pos > 0) end_seg_start = pos;
  segments_.delete_from(end_seg_start + segments_.file_size());
  report.end = pos;
  write_offset_.store(pos, std::memory_order_release);
  flushed_offset_.store(std::min(pos, from), std::memory_order_release);
  return report;
}

}  // namespace tern::store_mmap
