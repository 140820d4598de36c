// Helpers for store-mmap's tests: a temp directory, a small-segment StoreConfig, a logger
// that records lines, and message builders.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "store_config.h"
#include "tern/logger.h"
#include "tern/message.h"
#include "tern/store.h"

namespace tern::store_mmap::testing {

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tern-store-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class RecordingLogger final : public Logger {
 public:
  void log(LogLevel, std::string_view message) override {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(message);
  }
  bool should_log(LogLevel) const override { return true; }
  bool contains(std::string_view part) const {
    std::lock_guard lock(mutex_);
    for (const auto& l : lines_) {
      if (l.find(part) != std::string::npos) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

inline StoreConfig small_config(const std::string& root) {
  StoreConfig c = StoreConfig::under_root(root);
  c.commit_log_segment_size = 64 * 1024;
  c.consume_queue_file_size = 100 * 20;
  c.max_hash_slots = 64;
  c.max_index_count = 1000;
  c.max_message_size = 16 * 1024;
  c.flush_interval_consume_queue = std::chrono::milliseconds(50);
  c.clean_interval = std::chrono::hours(1);  // tests call run_once themselves
  return c;
}

inline MessageExt make_message(std::string topic, int32_t queue_id, std::string body, std::string tags = "",
                               std::string keys = "") {
  MessageExt m;
  m.topic = std::move(topic);
  m.queue_id = queue_id;
  m.body = std::move(body);
  if (!tags.empty()) m.set_tags(std::move(tags));
  if (!keys.empty()) m.set_property(property::kKeys, std::move(keys));
  m.born_timestamp = 1700000000000;
  m.born_host = SocketAddress{{10, 0, 0, 1}, 4, 50000};
  m.store_host = SocketAddress{{127, 0, 0, 1}, 4, 10911};
  return m;
}

// Puts and waits for the answer.
inline Result<PutResult> put_sync(MessageStore& store, MessageExt m) {
  std::promise<Result<PutResult>> p;
  auto f = p.get_future();
  store.put_message(std::move(m), [&p](Result<PutResult> r) { p.set_value(std::move(r)); });
  return f.get();
}

}  // namespace tern::store_mmap::testing
