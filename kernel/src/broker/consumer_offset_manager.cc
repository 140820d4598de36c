// ConsumerOffsetManager: the offset table and its file.
#include "broker/consumer_offset_manager.h"

#include <algorithm>

namespace tern::kernel {
namespace {

// The topic and group of a "topic@group" key (names never contain '@').
std::pair<std::string_view, std::string_view> split_key(std::string_view key) {
  size_t at = key.find('@');
  if (at == std::string_view::npos) return {key, {}};
  return {key.substr(0, at), key.substr(at + 1)};
}

}  // namespace

ConsumerOffsetManager::ConsumerOffsetManager(std::string file, Logger& logger)
    : logger_(logger), writer_(std::move(file), [this] { return snapshot(); }) {}

Status ConsumerOffsetManager::load() {
  MetadataLoad::Source source = MetadataLoad::Source::kMissing;
  auto result = load_metadata_table<OffsetTable>(writer_.path(), decode_consumer_offsets_file, logger_, &source);
  if (!result) return result.status();
  OffsetTable loaded = std::move(*result);
  size_t count = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, queues] : table_) {
      auto& into = loaded[key];
      for (auto& [queue, offset] : queues) into[queue] = offset;  // committed before loading: newer
    }
    table_ = std::move(loaded);
    count = table_.size();
  }
  writer_.mark_loaded();
  logger_.info("loaded offsets of ", count, " topic@group pairs from ", writer_.path(),
               source == MetadataLoad::Source::kMissing ? " (no file yet)" : "");
  return Status::ok();
}

void ConsumerOffsetManager::commit(std::string_view group, std::string_view topic, int32_t queue_id, int64_t offset) {
  std::string key = offset_table_key(topic, group);
  {
    std::lock_guard lock(mutex_);
    table_[std::move(key)][queue_id] = offset;
  }
  writer_.mark_dirty();  // written by the periodic flush, not per commit
}

std::optional<int64_t> ConsumerOffsetManager::query(std::string_view group, std::string_view topic,
                                                    int32_t queue_id) const {
  std::string key = offset_table_key(topic, group);
  std::lock_guard lock(mutex_);
  auto it = table_.find(key);
  if (it == table_.end()) return std::nullopt;
  auto q = it->second.find(queue_id);
  if (q == it->second.end()) return std::nullopt;
  return q->second;
}

std::map<int32_t, int64_t> ConsumerOffsetManager::offsets(std::string_view group, std::string_view topic) const {
  std::string key = offset_table_key(topic, group);
  std::lock_guard lock(mutex_);
  auto it = table_.find(key);
  if (it == table_.end()) return {};
  return it->second;
}

std::vector<std::string> ConsumerOffsetManager::groups_of_topic(std::string_view topic) const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  // Keys sort by topic first, so one topic's entries are contiguous from "topic@".
  std::string prefix = std::string(topic) + "@";
  for (auto it = table_.lower_bound(prefix); it != table_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it) {
    out.emplace_back(split_key(it->first).second);
  }
  return out;
}

std::vector<std::string> ConsumerOffsetManager::topics_of_group(std::string_view group) const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (const auto& [key, queues] : table_) {
    auto [t, g] = split_key(key);
    if (g == group) out.emplace_back(t);
  }
  std::sort(out.begin(), out.end());  // key order puts "T2@G" before "T@G"
  return out;
}

void ConsumerOffsetManager::remove_group(std::string_view group) {
  bool removed = false;
  {
    std::lock_guard lock(mutex_);
    for (auto it = table_.begin(); it != table_.end();) {
      if (split_key(it->first).second == group) {
        it = table_.erase(it);
        removed = true;
      } else {
        ++it;
      }
    }
  }
  if (removed) {
    logger_.info("removed the offsets of group ", group);
    writer_.mark_dirty();
  }
}

void ConsumerOffsetManager::remove_topic(std::string_view topic) {
  bool removed = false;
  {
    std::lock_guard lock(mutex_);
    std::string prefix = std::string(topic) + "@";
    auto it = table_.lower_bound(prefix);
    while (it != table_.end() && it->first.compare(0, prefix.size(), prefix) == 0) {
      it = table_.erase(it);
      removed = true;
    }
  }
  if (removed) {
    logger_.info("removed the offsets of topic ", topic);
    writer_.mark_dirty();
  }
}

Status ConsumerOffsetManager::persist() { return writer_.write_if_dirty(); }

std::string ConsumerOffsetManager::snapshot() const {
  OffsetTable copy;
  {
    std::lock_guard lock(mutex_);
    copy = table_;
  }
  return encode_consumer_offsets_file(copy);
}

}  // namespace tern::kernel
