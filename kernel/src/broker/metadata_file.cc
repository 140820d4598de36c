// Metadata files: loading with a fallback to the backup that write_file_atomically keeps
// (fs/atomic_file.h).
#include "broker/metadata_file.h"

#include "fs/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace tern::kernel {
namespace {

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
