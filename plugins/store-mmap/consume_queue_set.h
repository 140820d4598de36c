// ConsumeQueueSet: every consume queue of the store, by topic and queue id, loaded from
// store/consumequeue/<topic>/<queueId>/ at start and created on first dispatch.
//
// Thread-safety: all methods safe from any thread (shared mutex; lookups shared).
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "consume_queue.h"
#include "queue_key.h"

namespace tern::store_mmap {

class ConsumeQueueSet {
 public:
  ConsumeQueueSet(std::string root_dir, int64_t file_size);

  // Loads every queue directory. Corruption names the directory at fault.
  Status load();
  std::shared_ptr<ConsumeQueue> find(std::string_view topic, int32_t queue_id) const;
  std::shared_ptr<ConsumeQueue> find_or_create(std::string_view topic, int32_t queue_id);
  std::vector<std::shared_ptr<ConsumeQueue>> all() const;
  // Forgets a topic's queues and deletes their directories.
  void remove_topic(std::string_view topic);

 private:
  std::string root_dir_;
  int64_t file_size_;
  mutable std::shared_mutex mutex_;
  std::map<QueueKey, std::shared_ptr<ConsumeQueue>, QueueKeyLess> queues_;
};

}  // namespace tern::store_mmap
