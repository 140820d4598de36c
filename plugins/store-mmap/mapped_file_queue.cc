// MappedFileQueue: naming, loading, finding, growing and trimming the file list.
#include "mapped_file_queue.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>

#include "tern/check.h"

namespace tern::store_mmap {

MappedFileQueue::MappedFileQueue(std::string dir, int64_t file_size) : dir_(std::move(dir)), file_size_(file_size) {}

std::string MappedFileQueue::file_name(int64_t offset) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(offset));
  return buf;
}

Status MappedFileQueue::load() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::io_error("cannot create directory " + dir_ + ": " + ec.message());
  std::vector<std::pair<int64_t, std::string>> found;
  std::filesystem::directory_iterator it(dir_, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const auto& entry = *it;
    std::string name = entry.path().filename().string();
    if (name.size() != 20 || name.find_first_not_of("0123456789") != std::string::npos) {
      return Status::corruption("unexpected file " + entry.path().string() + " in " + dir_ +
                                " (store files are named by a 20-digit offset)");
    }
    found.emplace_back(std::stoll(name), entry.path().string());
  }
  if (ec) return Status::io_error("cannot list " + dir_ + ": " + ec.message());
  std::sort(found.begin(), found.end());
  std::vector<Segment> loaded;
  for (const auto& [start, path] : found) {
    if (start % file_size_ != 0) {
      return Status::corruption("file " + path + " starts at " + std::to_string(start) +
                                ", not a multiple of the file size " + std::to_string(file_size_));
    }
    if (!loaded.empty() && loaded.back().end() != start) {
      return Status::corruption("gap before " + path + ": the previous file ends at " +
                                std::to_string(loaded.back().end()));
    }
    auto file = MappedFile::open(path, file_size_);
    if (!file) return file.status();
    loaded.push_back({start, std::move(*file)});
  }
  std::unique_lock lock(mutex_);
  segments_ = std::move(loaded);
  return Status::ok();
}

std::optional<Segment> MappedFileQueue::find(int64_t offset) const {
  std::shared_lock lock(mutex_);
  if (segments_.empty() || offset < segments_.front().start || offset >= segments_.back().end()) return std::nullopt;
  size_t index = static_cast<size_t>((offset - segments_.front().start) / file_size_);
  return segments_[index];
}

Result<Segment> MappedFileQueue::get_or_create(int64_t start) {
  {
    std::shared_lock lock(mutex_);
    if (!segments_.empty() && start >= segments_.front().start && start < segments_.back().end()) {
      return segments_[static_cast<size_t>((start - segments_.front().start) / file_size_)];
    }
  }
  std::unique_lock lock(mutex_);
  // Another thread (the appender or the prefault thread) may have created it meanwhile.
  if (!segments_.empty() && start >= segments_.front().start && start < segments_.back().end()) {
    return segments_[static_cast<size_t>((start - segments_.front().start) / file_size_)];
  }
  TERN_CHECK(start % file_size_ == 0, "segment start not aligned to the file size");
  TERN_CHECK(segments_.empty() || start == segments_.back().end(), "segments must be created in order");
  if (segments_.empty()) {
    // The first file of a new sequence (a consume queue's first message) makes its directory.
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return Status::io_error("cannot create directory " + dir_ + ": " + ec.message());
  }
  auto file = MappedFile::open(dir_ + "/" + file_name(start), file_size_);
  if (!file) return file.status();
  segments_.push_back({start, std::move(*file)});
  return segments_.back();
}

std::optional<Segment> MappedFileQueue::first() const {
  std::shared_lock lock(mutex_);
  if (segments_.empty()) return std::nullopt;
  return segments_.front();
}

std::optional<Segment> MappedFileQueue::last() const {
  std::shared_lock lock(mutex_);
  if (segments_.empty()) return std::nullopt;
  return segments_.back();
}

std::vector<Segment> MappedFileQueue::segments() const {
  std::shared_lock lock(mutex_);
  return segments_;
}

bool MappedFileQueue::empty() const {
  std::shared_lock lock(mutex_);
  return segments_.empty();
}

void MappedFileQueue::delete_from(int64_t offset) {
  std::unique_lock lock(mutex_);
  while (!segments_.empty() && segments_.back().start >= offset) {
    segments_.back().file->mark_deleted();
    segments_.pop_back();
  }
}

std::optional<Segment> MappedFileQueue::delete_first() {
  std::unique_lock lock(mutex_);
  if (segments_.size() <= 1) return std::nullopt;
  Segment s = segments_.front();
  s.file->mark_deleted();
  segments_.erase(segments_.begin());
  return s;
}

}  // namespace tern::store_mmap
