// IndexService: loading, appending to, querying, syncing and trimming the index files.
// Locking is described in index_service.h.
#include "index_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <thread>
#include <unordered_set>

#include "tern/check.h"

namespace tern::store_mmap {
namespace {

constexpr size_t kNameLength = 17;  // yyyyMMddHHmmssSSS

bool is_index_file_name(const std::string& name) {
  return name.size() == kNameLength && name.find_first_not_of("0123456789") == std::string::npos;
}

// RocketMQ's UtilAll.timeMillisToHumanString: local time, to the millisecond.
std::string time_name(std::chrono::system_clock::time_point now) {
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const int64_t secs = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y%m%d%H%M%S", &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%03d", date, static_cast<int>(ms - secs * 1000));
  return buf;
}

// `name` plus one, as a 17-digit decimal number.
std::string increment(std::string name) {
  for (size_t i = name.size(); i-- > 0;) {
    if (name[i] != '9') {
      ++name[i];
      return name;
    }
    name[i] = '0';
  }
  TERN_CHECK(false, "index file names ran past 99999999999999999");
  return name;
}

Status sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::io_error("cannot open directory " + dir + ": " + std::strerror(errno));
  Status status;
  if (::fsync(fd) != 0) status = Status::io_error("cannot fsync directory " + dir + ": " + std::strerror(errno));
  ::close(fd);
  return status;
}

}  // namespace

IndexService::IndexService(IndexServiceOptions options) : options_(std::move(options)) {}

// glibc's shared_mutex lets a steady stream of readers starve a writer (measured: four
// threads querying in a loop held 2000 adds back for a minute), and a starved dispatcher
// delays consume queues too. Readers therefore give way while a writer waits.
std::unique_lock<std::shared_mutex> IndexService::lock_exclusive() const {
  writers_waiting_.fetch_add(1, std::memory_order_acq_rel);
  std::unique_lock lock(mutex_);
  writers_waiting_.fetch_sub(1, std::memory_order_acq_rel);
  return lock;
}

std::shared_lock<std::shared_mutex> IndexService::lock_shared() const {
  while (writers_waiting_.load(std::memory_order_acquire) > 0) std::this_thread::yield();
  return std::shared_lock(mutex_);
}

Status IndexService::load() {
  if (options_.max_hash_slots < 1 || options_.max_index_count < 2) {
    return Status::invalid_argument("index files need maxHashSlotNum >= 1 and maxIndexNum >= 2 (got " +
                                    std::to_string(options_.max_hash_slots) + " and " +
                                    std::to_string(options_.max_index_count) + ")");
  }
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) return Status::io_error("cannot create directory " + options_.dir + ": " + ec.message());
  std::vector<std::string> names;
  // increment(ec), not a range-for: a listing error must not throw.
  for (std::filesystem::directory_iterator it(options_.dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!is_index_file_name(name)) {
      return Status::corruption("unexpected file " + it->path().string() +
                                " in the index directory (index files are named yyyyMMddHHmmssSSS)");
    }
    names.push_back(std::move(name));
  }
  if (ec) return Status::io_error("cannot list " + options_.dir + ": " + ec.message());
  std::sort(names.begin(), names.end());

  std::vector<OpenFile> loaded;
  for (const auto& name : names) {
    auto file = IndexFile::open(options_.dir + "/" + name, options_.max_hash_slots, options_.max_index_count);
    if (!file) return file.status();
    loaded.push_back({std::move(*file), false});
  }
  // The mark is the highest endPhyOffset of any non-empty file: a crash can leave the
  // newest file with entries but no mark yet (mark_indexed() comes after the puts).
  int64_t mark = -1;
  for (const auto& f : loaded) {
    if (!f.file->empty()) mark = std::max(mark, f.file->header().end_phy_offset);
  }
  auto lock = lock_exclusive();
  files_ = std::move(loaded);
  max_indexed_offset_ = mark;
  last_name_ = names.empty() ? std::string() : names.back();
  return Status::ok();
}

std::string IndexService::next_file_name() {
  std::string name = time_name(std::chrono::system_clock::now());
  // Two files in one millisecond, or a clock that went back, must not reuse or reorder a
  // name: the list order is the name order.
  if (!last_name_.empty() && name <= last_name_) name = increment(last_name_);
  last_name_ = name;
  return name;
}

Result<IndexService::OpenFile*> IndexService::writable_file() {
  if (!files_.empty() && !files_.back().file->full()) return &files_.back();
  std::string path = options_.dir + "/" + next_file_name();
  auto file = IndexFile::open(path, options_.max_hash_slots, options_.max_index_count);
  if (!file) return file.status().with_context("cannot create index file " + path);
  if (!(*file)->empty()) return Status::corruption("new index file " + path + " already holds entries");
  if (!files_.empty()) (*file)->continue_from(files_.back().file->header());
  files_.push_back({std::move(*file), true});
  dir_dirty_ = true;
  return &files_.back();
}

Status IndexService::add(std::string_view topic, const std::vector<std::string_view>& keys,
                         int64_t commit_log_offset, int64_t store_timestamp_ms) {
  TERN_CHECK(commit_log_offset >= 0, "commit-log offsets are non-negative");
  auto lock = lock_exclusive();
  if (commit_log_offset <= max_indexed_offset_) return Status::ok();
  bool added = false;
  // The files this message's keys went to: at most two (a roll-over). IndexFile pointers
  // stay valid when files_ grows; OpenFile pointers would not.
  IndexFile* touched[2] = {nullptr, nullptr};
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string_view key = keys[i];
    if (key.empty() || std::find(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(i), key) !=
                           keys.begin() + static_cast<std::ptrdiff_t>(i)) {
      continue;
    }
    auto target = writable_file();
    if (!target) return target.status();
    (*target)->file->put(IndexFile::key_hash(topic, key), commit_log_offset, store_timestamp_ms);
    (*target)->dirty = true;
    added = true;
    IndexFile* file = (*target)->file.get();
    if (touched[0] != file) touched[touched[0] ? 1 : 0] = file;
  }
  // Only now, with every key in, does the persisted mark move past this message.
  for (IndexFile* f : touched) {
    if (f) f->mark_indexed(commit_log_offset);
  }
  // Raised only once every key is in, so a retry after an error adds the missing keys.
  if (added) max_indexed_offset_ = commit_log_offset;
  return Status::ok();
}

IndexService::Hits IndexService::query(std::string_view topic, std::string_view key, int32_t max_count,
                                       int64_t begin_ms, int64_t end_ms) const {
  Hits hits;
  const int32_t key_hash = IndexFile::key_hash(topic, key);
  std::unordered_set<int64_t> seen;
  auto lock = lock_shared();
  if (files_.empty()) return hits;
  hits.last_update_timestamp = files_.back().file->header().end_timestamp;
  hits.last_update_phy_offset = files_.back().file->header().end_phy_offset;
  if (max_count <= 0 || begin_ms > end_ms) return hits;
  const auto limit = static_cast<size_t>(max_count);
  // Every file is checked (RocketMQ stops at the first file that began before begin_ms):
  // a clock that went back can leave an older file with later times, and files are few.
  for (auto it = files_.rbegin(); it != files_.rend() && hits.commit_log_offsets.size() < limit; ++it) {
    if (it->file->overlaps(begin_ms, end_ms)) {
      it->file->select(key_hash, begin_ms, end_ms, limit, hits.commit_log_offsets, seen);
    }
  }
  return hits;
}

int64_t IndexService::max_indexed_offset() const {
  auto lock = lock_shared();
  return max_indexed_offset_;
}

void IndexService::forget_from(int64_t commit_log_offset) {
  TERN_CHECK(commit_log_offset >= 0, "commit-log offsets are non-negative");
  const int64_t mark = commit_log_offset - 1;
  auto lock = lock_exclusive();
  max_indexed_offset_ = std::min(max_indexed_offset_, mark);
  // Every file, not only the newest: load() takes the mark from the newest non-empty one,
  // and retention must not keep a file for entries that point into the dropped tail.
  for (auto& f : files_) {
    if (f.file->header().end_phy_offset > mark) {
      f.file->lower_end_phy_offset(mark);
      f.dirty = true;
    }
  }
}

Status IndexService::flush() {
  std::lock_guard flush_lock(flush_mutex_);
  std::vector<std::shared_ptr<MappedFile>> to_sync;
  bool sync_dir = false;
  {
    auto lock = lock_exclusive();
    for (auto& f : files_) {
      if (f.dirty) to_sync.push_back(f.file->mapped_file());
      f.dirty = false;
    }
    std::swap(sync_dir, dir_dirty_);
  }
  // A deleted file is still synced (its mapping lives in to_sync): harmless, and simpler
  // than telling it apart.
  Status result;
  std::vector<std::shared_ptr<MappedFile>> failed;
  for (const auto& file : to_sync) {
    Status s = file->sync();
    if (!s.is_ok()) {
      if (result.is_ok()) result = s;
      failed.push_back(file);
    }
  }
  // The directory last: a new file's name is durable only once the directory is synced.
  if (sync_dir && result.is_ok()) result = sync_directory(options_.dir);
  if (!result.is_ok()) {
    auto lock = lock_exclusive();
    for (auto& f : files_) {
      if (std::find(failed.begin(), failed.end(), f.file->mapped_file()) != failed.end()) f.dirty = true;
    }
    if (sync_dir) dir_dirty_ = true;
  }
  return result;
}

int IndexService::delete_files_below(int64_t min_commit_log_offset) {
  auto lock = lock_exclusive();
  size_t n = 0;
  // Oldest first, stopping at the first file still needed: offsets grow with the files.
  while (n + 1 < files_.size() && files_[n].file->header().end_phy_offset < min_commit_log_offset) ++n;
  for (size_t i = 0; i < n; ++i) files_[i].file->mapped_file()->mark_deleted();
  files_.erase(files_.begin(), files_.begin() + static_cast<std::ptrdiff_t>(n));
  if (n > 0) dir_dirty_ = true;
  return static_cast<int>(n);
}

}  // namespace tern::store_mmap
