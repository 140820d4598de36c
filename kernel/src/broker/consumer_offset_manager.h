// ConsumerOffsetManager: committed consumer offsets (consumerOffset.json), as RocketMQ's
// ConsumerOffsetManager keeps them: in memory, keyed "topic@group" then queue id, written
// every flushConsumerOffsetInterval ms when something changed, and at shutdown.
//
// A commit is a map update under a mutex: cheap enough for the io threads that handle
// UPDATE_CONSUMER_OFFSET and pulls carrying a commit offset. Writing happens on the
// broker services' thread (MetadataWriter).
//
// Thread-safety: every method from any thread.
#pragma once

#include <mutex>
#include <string>

#include "broker/metadata_file.h"
#include "broker/metadata_format.h"
#include "tern/broker.h"
#include "tern/logger.h"

namespace tern::kernel {

class ConsumerOffsetManager final : public ConsumerOffsets {
 public:
  // `file`: <storePathRootDir>/config/consumerOffset.json.
  ConsumerOffsetManager(std::string file, Logger& logger);

  // Reads consumerOffset.json (or its backup; RocketMQ's own files with unquoted queue
  // ids load too). Corruption naming the file when both are unusable. Offsets committed
  // before loading are newer and kept.
  Status load();
  MetadataWriter& writer() { return writer_; }

  void commit(std::string_view group, std::string_view topic, int32_t queue_id, int64_t offset) override;
  std::optional<int64_t> query(std::string_view group, std::string_view topic, int32_t queue_id) const override;
  std::map<int32_t, int64_t> offsets(std::string_view group, std::string_view topic) const override;
  std::vector<std::string> groups_of_topic(std::string_view topic) const override;
  std::vector<std::string> topics_of_group(std::string_view group) const override;
  void remove_group(std::string_view group) override;
  void remove_topic(std::string_view topic) override;
  // Writes the file now if anything changed since the last write (and the file was
  // loaded). Blocks on disk: not for io threads.
  Status persist() override;

 private:
  std::string snapshot() const;

  Logger& logger_;
  mutable std::mutex mutex_;
  OffsetTable table_;  // GUARDED_BY(mutex_)
  MetadataWriter writer_;
};

}  // namespace tern::kernel
