// MappedFile: open/create, preallocate, map, sync, unlink.
#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tern::store_mmap {
namespace {

Status os_error(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOSPC) return Status::resource_exhausted(msg + " (disk full)");
  return Status::io_error(msg);
}

}  // namespace

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path, int64_t size) {
  if (size <= 0) return Status::invalid_argument("file " + path + ": size " + std::to_string(size) + " must be positive");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return os_error("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return os_error("cannot stat", path, err);
  }
  if (st.st_size == 0) {
    // Reserve the blocks now: writes through a mapping have no way to report ENOSPC.
    int rc = ::posix_fallocate(fd, 0, size);
    if (rc != 0) {
      ::close(fd);
      ::unlink(path.c_str());
      return os_error("cannot allocate " + std::to_string(size) + " bytes for", path, rc);
    }
    // Make the new name durable too: a synced file is no use if its directory entry is lost.
    std::string dir = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
    if (int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  } else if (st.st_size != size) {
    ::close(fd);
    return Status::corruption("file " + path + " has " + std::to_string(st.st_size) + " bytes, expected " +
                              std::to_string(size) + " (was the segment size changed?)");
  }
  void* p = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    int err = errno;
    ::close(fd);
    return os_error("cannot map", path, err);
  }
  return std::shared_ptr<MappedFile>(new MappedFile(path, fd, static_cast<uint8_t*>(p), size));
}

MappedFile::MappedFile(std::string path, int fd, uint8_t* data, int64_t size)
    : path_(std::move(path)), fd_(fd), data_(data), size_(size) {}

MappedFile::~MappedFile() {
  ::munmap(data_, static_cast<size_t>(size_));
  ::close(fd_);
}

Status MappedFile::sync() {
  if (::fdatasync(fd_) != 0) return os_error("cannot fdatasync", path_, errno);
  return Status::ok();
}

void MappedFile::mark_deleted() {
  if (!deleted_.exchange(true, std::memory_order_acq_rel)) ::unlink(path_.c_str());
}

void MappedFile::advise_sequential() { ::madvise(data_, static_cast<size_t>(size_), MADV_SEQUENTIAL); }

}  // namespace tern::store_mmap
