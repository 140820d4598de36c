// Metadata files: the broker's small JSON tables under <storePathRootDir>/config/
// (topics.json, subscriptionGroup.json, consumerOffset.json), each rewritten whole.
//
// A write never leaves a half-written file behind: the bytes go to <file>.tmp, are
// fsynced, and the temp file is renamed over the file (then the directory is fsynced so
// the rename itself survives a crash). The version being replaced stays as <file>.bak, as
// RocketMQ keeps one, and a load falls back to it when the file itself is unusable.
//
// Every error names the file. These are blocking disk calls: never call them on an io
// thread (the broker services write from their own thread).
//
// Thread-safety: free functions; concurrent writers of one path must serialise themselves.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "fs/atomic_file.h"  // write_file_atomically, read_whole_file
#include "json/json.h"
#include "tern/logger.h"
#include "tern/status.h"

namespace tern::kernel {

// Where a load found its content.
struct MetadataLoad {
  enum class Source { kMissing, kFile, kBackup };
  Source source = Source::kMissing;
  // When source is kBackup: why the file itself was not used (for the log).
  std::string file_problem;
};

// Turns the parsed JSON of a file into the caller's table. Must change nothing the caller
// keeps unless it returns OK: it is also tried on the backup after a failure.
using MetadataDecoder = std::function<Status(const JsonValue&)>;

// Loads `path`: reads it, parses it as JSON and hands it to `decode`. When the file is
// missing, empty, not JSON, or `decode` refuses it, <path>.bak is tried the same way.
//   - neither file exists: OK with source kMissing (a new broker starts empty);
//   - the file or its backup decoded: OK with the source used;
//   - otherwise: Corruption naming the file and what is wrong with it (and with the
//     backup, if there is one), so that the broker refuses to start instead of silently
//     starting with empty tables. Read errors are IoError naming the file.
// Files written by RocketMQ itself load too: its JSON writes integer map keys unquoted
// ({0:12}), which is accepted here (and only here) by quoting them before parsing.
Result<MetadataLoad> load_metadata_file(const std::string& path, const MetadataDecoder& decode);

// load_metadata_file for a table decoded by `decode` (JsonValue -> Result<T>): the table,
// or a default T when neither the file nor its backup exists. Logs a warning naming both
// files when the backup had to be used. `*source` (optional) says where it came from.
template <typename T, typename Decode>
Result<T> load_metadata_table(const std::string& path, Decode decode, Logger& logger,
                              MetadataLoad::Source* source = nullptr) {
  T table{};
  auto result = load_metadata_file(path, [&table, &decode](const JsonValue& json) {
    auto decoded = decode(json);
    if (!decoded) return decoded.status();
    table = std::move(*decoded);
    return Status::ok();
  });
  if (!result) return result.status();
  if (result->source == MetadataLoad::Source::kBackup) {
    logger.warn("loaded ", path, ".bak instead of ", path, ": ", result->file_problem);
  }
  if (source != nullptr) *source = result->source;
  return table;
}

// Keeps one metadata file in step with an in-memory table. The table's owner calls
// changed() (write soon) or mark_dirty() (write at the next periodic or final write)
// after each change; write_if_dirty() writes a snapshot when something changed since the
// last write. Writes are serialised and each snapshot is taken at write time, so the last
// write always holds the newest table, whatever order changes and writes come in.
//
// Nothing is written before mark_loaded(): a table that failed to load must not replace
// the file it could not read, and changes made before loading are kept for the first write.
//
// Thread-safety: every method from any thread.
class MetadataWriter {
 public:
  // `snapshot` returns the file's content; it runs on the writing thread and must take
  // the table's own lock.
  MetadataWriter(std::string path, std::function<std::string()> snapshot);

  const std::string& path() const { return path_; }
  // Called by changed() when a write is due, at most once until that write starts; it
  // must arrange for write_if_dirty() to run soon on a thread that may block. Without a
  // scheduler, changed() only marks the table dirty. Set before any change.
  void set_scheduler(std::function<void()> scheduler) { scheduler_ = std::move(scheduler); }

  void mark_loaded() { loaded_ = true; }
  bool loaded() const { return loaded_; }
  void mark_dirty() { dirty_ = true; }
  void changed();
  // Writes the table when it changed since the last write (and was loaded). On failure the
  // table stays dirty, so the next write retries; the Status names the file.
  Status write_if_dirty();

 private:
  const std::string path_;
  const std::function<std::string()> snapshot_;
  std::function<void()> scheduler_;
  std::atomic<bool> loaded_{false};
  std::atomic<bool> dirty_{false};
  std::atomic<bool> scheduled_{false};
  std::mutex write_mutex_;  // one write at a time
};

// `text` with every unquoted integer used as an object key quoted ({0:1} -> {"0":1});
// nullopt when there is none. Valid JSON never has one, so this cannot change its meaning.
std::optional<std::string> quote_bare_integer_keys(std::string_view text);

}  // namespace tern::kernel
