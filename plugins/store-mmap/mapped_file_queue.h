// MappedFileQueue: a directory of equal-size MappedFiles that together hold one growing
// byte sequence (the commit log, one consume queue). Each file is named by the 20-digit
// offset of its first byte, as RocketMQ names them, so the sequence can start anywhere
// (retention removes files from the front).
//
// Thread-safety: all methods are safe from any thread (a shared mutex guards the list;
// lookups take it shared).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "mapped_file.h"
#include "tern/status.h"

namespace tern::store_mmap {

struct Segment {
  int64_t start = 0;  // offset of the file's first byte in the sequence
  std::shared_ptr<MappedFile> file;
  int64_t end() const { return start + file->size(); }
};

class MappedFileQueue {
 public:
  MappedFileQueue(std::string dir, int64_t file_size);

  // Creates the directory if needed and maps the files in it. Corruption, naming the file,
  // when a name is not an offset, a size differs, or the offsets leave a gap.
  Status load();

  // The segment holding `offset`; nullopt when no file holds it.
  std::optional<Segment> find(int64_t offset) const;
  // The segment starting at `start` (a multiple of the file size), created when it is the
  // next one. Creating any other is a bug.
  Result<Segment> get_or_create(int64_t start);
  std::optional<Segment> first() const;
  std::optional<Segment> last() const;
  std::vector<Segment> segments() const;
  bool empty() const;
  int64_t file_size() const { return file_size_; }
  const std::string& dir() const { return dir_; }

  // Deletes every file that starts at or after `offset` (recovery drops a tail).
  void delete_from(int64_t offset);
  // Deletes the first file; returns it (callers log it), or nullopt when only one is left.
  std::optional<Segment> delete_first();

  static std::string file_name(int64_t offset);  // 20 digits, zero-padded

 private:
  std::string dir_;
  int64_t file_size_;
  mutable std::shared_mutex mutex_;
  std::vector<Segment> segments_;  // ordered by start
};

}  // namespace tern::store_mmap
