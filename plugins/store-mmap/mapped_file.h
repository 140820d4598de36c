// MappedFile: one fixed-size file of the store (a commit-log segment, a consume-queue file,
// an index file), preallocated on disk and mapped read-write. Appends are memcpy into the
// mapping; reads hand out pointers into it. Owners track their own write and flush
// positions; this class only maps, syncs and deletes.
//
// A MappedFile is shared (std::shared_ptr): a read view keeps the file mapped even after
// retention deleted it, so a pull response being written to a socket never faults.
//
// Thread-safety: data() may be read and written concurrently at disjoint ranges; sync()
// and mark_deleted() are safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "tern/status.h"

namespace tern::store_mmap {

class MappedFile {
 public:
  // Opens `path`, creating it when absent, with exactly `size` bytes (a new file is
  // preallocated, so a full disk fails here and not at a later page fault). An existing
  // file of another size is Corruption naming the file and both sizes.
  static Result<std::shared_ptr<MappedFile>> open(const std::string& path, int64_t size);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  int64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Makes every write so far durable (fdatasync: covers pages dirtied through the mapping).
  Status sync();
  // Unlinks the file now; the mapping lives until the last shared_ptr is released.
  void mark_deleted();
  bool deleted() const { return deleted_.load(std::memory_order_acquire); }
  // Tells the kernel the pages will be written or read in order.
  void advise_sequential();

 private:
  MappedFile(std::string path, int fd, uint8_t* data, int64_t size);
  std::string path_;
  int fd_;
  uint8_t* data_;
  int64_t size_;
  std::atomic<bool> deleted_{false};
};

}  // namespace tern::store_mmap
