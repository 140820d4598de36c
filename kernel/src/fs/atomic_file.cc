// Atomic file replacement with a backup, and whole-file reads (contract in atomic_file.h).
//
// The backup is made with a hard link to the current file before the rename, so there is
// no moment at which the file name is missing (a crash then would read as "no file",
// i.e. empty tables) and no copy of a large table every few seconds. Where hard links are
// refused (some network or FUSE file systems) the old content is copied.
#include "fs/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace tern {
namespace {

std::string os_error(int err) { return std::generic_category().message(err); }

Status io_failure(const std::string& path, std::string_view step, int err) {
  return Status::io_error(path + ": " + std::string(step) + ": " + os_error(err));
}

// Writes the whole buffer to a new file and fsyncs it.
Status write_and_sync(const std::string& file, std::string_view content, const std::string& named_as) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_failure(named_as, "cannot create " + file, errno);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return io_failure(named_as, "cannot write " + file, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return io_failure(named_as, "cannot fsync " + file, err);
  }
  if (::close(fd) != 0) return io_failure(named_as, "cannot close " + file, errno);
  return Status::ok();
}

Status sync_directory(const std::string& dir, const std::string& named_as) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_failure(named_as, "cannot open directory " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some file systems cannot fsync a directory (EINVAL); the rename is then as durable as
  // they make it, which is all we can ask.
  if (rc != 0 && err != EINVAL) return io_failure(named_as, "cannot fsync directory " + dir, err);
  return Status::ok();
}

// Makes <path>.bak hold what `path` holds now. Nothing to do when `path` does not exist.
Status keep_backup(const std::string& path) {
  const std::string bak = path + ".bak";
  const std::string bak_tmp = path + ".bak.tmp";
  ::unlink(bak_tmp.c_str());
  if (::link(path.c_str(), bak_tmp.c_str()) == 0) {
    if (::rename(bak_tmp.c_str(), bak.c_str()) != 0) return io_failure(path, "cannot rename to " + bak, errno);
    return Status::ok();
  }
  if (errno == ENOENT) return Status::ok();
  auto old = read_whole_file(path);
  if (!old) return old.status();
  if (!*old) return Status::ok();
  TERN_RETURN_IF_ERROR(write_and_sync(bak_tmp, **old, path));
  if (::rename(bak_tmp.c_str(), bak.c_str()) != 0) return io_failure(path, "cannot rename to " + bak, errno);
  return Status::ok();
}

}  // namespace

Status write_file_atomically(const std::string& path, std::string_view content) {
  std::filesystem::path p(path);
  std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::io_error(path + ": cannot create directory " + dir + ": " + ec.message());
  const std::string tmp = path + ".tmp";
  Status written = write_and_sync(tmp, content, path);
  if (!written.is_ok()) {
    ::unlink(tmp.c_str());
    return written;
  }
  Status backup = keep_backup(path);
  if (!backup.is_ok()) {
    ::unlink(tmp.c_str());
    return backup;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_failure(path, "cannot rename " + tmp + " over it", err);
  }
  return sync_directory(dir, path);
}

Result<std::optional<std::string>> read_whole_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Status::io_error(path + ": cannot open: " + os_error(errno));
  }
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::io_error(path + ": cannot read: " + os_error(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(out));
}

}  // namespace tern
