// Metadata files: atomic replacement with a backup, and loading with a fallback to it.
//
// The backup is made with a hard link to the current file before the rename, so there is
// no moment at which the file name is missing (a crash then would read as "no file",
// i.e. empty tables) and no copy of a large offset table every few seconds. Where hard
// links are refused (some network or FUSE file systems) the old content is copied.
#include "broker/metadata_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace tern::kernel {
namespace {

std::string os_error(int err) { return std::generic_category().message(err); }

Status io_failure(const std::string& path, std::string_view step, int err) {
  return Status::io_error("metadata file " + path + ": " + std::string(step) + ": " + os_error(err));
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

// One attempt: the file's JSON decoded. NotFound when the file does not exist.
Status try_load(const std::string& file, const MetadataDecoder& decode) {
  auto text = read_whole_file(file);
  if (!text) return text.status();
  if (!*text) return Status::not_found(file + " does not exist");
  if ((*text)->empty()) return Status::corruption(file + " is empty");
  auto parsed = parse_json(**text);
  if (!parsed) {
    // RocketMQ's own files write integer keys unquoted; accept those, report the original error otherwise.
    if (auto quoted = quote_bare_integer_keys(**text)) {
      auto again = parse_json(*quoted);
      if (again) parsed = std::move(again);
    }
  }
  if (!parsed) return Status::corruption(file + " is not valid JSON: " + parsed.status().message());
  Status decoded = decode(*parsed);
  if (!decoded.is_ok()) return Status::corruption(file + ": " + decoded.message());
  return Status::ok();
}

}  // namespace

Status write_file_atomically(const std::string& path, std::string_view content) {
  std::filesystem::path p(path);
  std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::io_error("metadata file " + path + ": cannot create directory " + dir + ": " + ec.message());
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
    return Status::io_error("metadata file " + path + ": cannot open: " + os_error(errno));
  }
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::io_error("metadata file " + path + ": cannot read: " + os_error(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(out));
}

Result<MetadataLoad> load_metadata_file(const std::string& path, const MetadataDecoder& decode) {
  Status main = try_load(path, decode);
  if (main.is_ok()) return MetadataLoad{MetadataLoad::Source::kFile, ""};
  if (main.is_io_error()) return main;
  const std::string bak = path + ".bak";
  Status backup = try_load(bak, decode);
  if (backup.is_ok()) return MetadataLoad{MetadataLoad::Source::kBackup, main.message()};
  if (backup.is_io_error()) return backup;
  if (main.is_not_found() && backup.is_not_found()) return MetadataLoad{MetadataLoad::Source::kMissing, ""};
  std::string why = main.message();
  if (!backup.is_not_found()) why += "; the backup is unusable too: " + backup.message();
  return Status::corruption(why + " (the broker will not start with it: fix or restore the file; "
                            "moving it away starts with an empty table)");
}

MetadataWriter::MetadataWriter(std::string path, std::function<std::string()> snapshot)
    : path_(std::move(path)), snapshot_(std::move(snapshot)) {}

void MetadataWriter::changed() {
  dirty_ = true;
  if (scheduler_ && !scheduled_.exchange(true)) scheduler_();
}

Status MetadataWriter::write_if_dirty() {
  std::lock_guard lock(write_mutex_);
  scheduled_ = false;  // a change from now on asks for another write
  if (!loaded_ || !dirty_.exchange(false)) return Status::ok();
  // The snapshot is taken after clearing the flag: a change racing with it either made it
  // into this snapshot or set the flag again for the next write.
  Status written = write_file_atomically(path_, snapshot_());
  if (!written.is_ok()) dirty_ = true;
  return written;
}

std::optional<std::string> quote_bare_integer_keys(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool changed = false;
  bool in_string = false;
  bool key_may_start = false;  // just after '{' or ',' (whitespace aside)
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (key_may_start && (c == '-' || (c >= '0' && c <= '9'))) {
      size_t end = i + 1;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
      size_t colon = end;
      while (colon < text.size() && (text[colon] == ' ' || text[colon] == '\t' || text[colon] == '\n' ||
                                     text[colon] == '\r')) {
        ++colon;
      }
      if (colon < text.size() && text[colon] == ':') {
        out.push_back('"');
        out.append(text.substr(i, end - i));
        out.push_back('"');
        changed = true;
        i = end - 1;
        key_may_start = false;
        continue;
      }
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == ',') {
      key_may_start = true;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      key_may_start = false;
    }
    out.push_back(c);
  }
  if (!changed) return std::nullopt;
  return out;
}

}  // namespace tern::kernel
