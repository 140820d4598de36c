// ConsumeQueueSet: directory layout <root>/<topic>/<queueId>/ as RocketMQ's.
#include "consume_queue_set.h"

#include <filesystem>
#include <mutex>

namespace tern::store_mmap {

ConsumeQueueSet::ConsumeQueueSet(std::string root_dir, int64_t file_size)
    : root_dir_(std::move(root_dir)), file_size_(file_size) {}

Status ConsumeQueueSet::load() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(root_dir_, ec);
  if (ec) return Status::io_error("cannot create directory " + root_dir_ + ": " + ec.message());
  std::map<QueueKey, std::shared_ptr<ConsumeQueue>, QueueKeyLess> loaded;
  for (const auto& topic_dir : fs::directory_iterator(root_dir_, ec)) {
    if (!topic_dir.is_directory()) continue;
    std::string topic = topic_dir.path().filename().string();
    for (const auto& queue_dir : fs::directory_iterator(topic_dir.path(), ec)) {
      std::string name = queue_dir.path().filename().string();
      if (!queue_dir.is_directory() || name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
        return Status::corruption("unexpected entry " + queue_dir.path().string() + " (queue directories are numbers)");
      }
      int32_t queue_id = std::stoi(name);
      auto q = std::make_shared<ConsumeQueue>(topic, queue_id, queue_dir.path().string(), file_size_);
      TERN_RETURN_IF_ERROR(q->load());
      loaded[{topic, queue_id}] = std::move(q);
    }
  }
  if (ec) return Status::io_error("cannot list " + root_dir_ + ": " + ec.message());
  std::unique_lock lock(mutex_);
  queues_ = std::move(loaded);
  return Status::ok();
}

std::shared_ptr<ConsumeQueue> ConsumeQueueSet::find(std::string_view topic, int32_t queue_id) const {
  std::shared_lock lock(mutex_);
  auto it = queues_.find(QueueKeyView(topic, queue_id));
  return it == queues_.end() ? nullptr : it->second;
}

std::shared_ptr<ConsumeQueue> ConsumeQueueSet::find_or_create(std::string_view topic, int32_t queue_id) {
  if (auto q = find(topic, queue_id)) return q;
  std::unique_lock lock(mutex_);
  auto& slot = queues_[QueueKey(std::string(topic), queue_id)];
  if (!slot) {
    std::string dir = root_dir_ + "/" + std::string(topic) + "/" + std::to_string(queue_id);
    slot = std::make_shared<ConsumeQueue>(std::string(topic), queue_id, dir, file_size_);
  }
  return slot;
}

std::vector<std::shared_ptr<ConsumeQueue>> ConsumeQueueSet::all() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<ConsumeQueue>> out;
  for (const auto& [key, q] : queues_) out.push_back(q);
  return out;
}

void ConsumeQueueSet::remove_topic(std::string_view topic) {
  std::unique_lock lock(mutex_);
  for (auto it = queues_.begin(); it != queues_.end();) {
    it = it->first.first == topic ? queues_.erase(it) : std::next(it);
  }
  std::error_code ec;
  std::filesystem::remove_all(root_dir_ + "/" + std::string(topic), ec);
}

}  // namespace tern::store_mmap
