// Where a consumer group's offsets live (RocketMQ's OffsetStore): a table in memory while
// consuming, persisted to the brokers in CLUSTERING (RemoteBrokerOffsetStore:
// QUERY_CONSUMER_OFFSET / UPDATE_CONSUMER_OFFSET) or to a local file in BROADCASTING
// (LocalFileOffsetStore: <dir>/<clientId>/<group>/offsets.json, standard JSON
// {"offsetTable":[{"topic","brokerName","queueId","offset"}]}, written atomically; Java's
// fastjson file is not shared). Shared by the push and lite pull consumers.
//
// Thread-safety: every method from any thread; the table has its own lock, held only
// briefly (never across a network call or a file write).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "client_instance.h"
#include "tern/client/consumer.h"
#include "tern/client/message.h"

namespace tern::client::internal {

class OffsetStore {
 public:
  virtual ~OffsetStore() = default;

  // Reads what the store keeps (the file); nothing to do for the brokers.
  virtual void load() {}

  // Sets `mq`'s offset in memory; with `increase_only`, an offset below the present one
  // is ignored.
  void update(const MessageQueue& mq, int64_t offset, bool increase_only);
  // As update(increase_only), but only for a queue in the table: a queue taken away
  // meanwhile does not come back.
  void update_if_present(const MessageQueue& mq, int64_t offset);
  // The offset in memory, nullopt when none.
  std::optional<int64_t> read_memory(const MessageQueue& mq) const;
  std::map<MessageQueue, int64_t> snapshot() const;
  // Forgets `mq` (a queue taken away). The local file keeps it (a broadcasting consumer
  // resumes there).
  virtual void remove(const MessageQueue& mq);

  // What the store itself holds for `mq` (the broker's or the file's offset): NotFound when
  // it has none; other failures name the queue, the broker and the cause.
  [[nodiscard]] virtual Result<int64_t> read_store(const MessageQueue& mq) = 0;
  // Writes `mq`'s offset in memory out (nothing when there is none). `sync` waits for the
  // broker's answer; otherwise a oneway request (failures are not seen).
  [[nodiscard]] virtual Status persist(const MessageQueue& mq, bool sync) = 0;
  // Every offset in memory; the first failure after trying all.
  [[nodiscard]] virtual Status persist_all(bool sync) = 0;

 protected:
  mutable std::mutex mu_;
  std::map<MessageQueue, int64_t> table_;  // guarded by mu_
};

// `model`'s store for `group`: the brokers in CLUSTERING, else the file under
// `local_dir` ("" = $HOME/.rocketmq_offsets), loaded.
std::unique_ptr<OffsetStore> make_offset_store(MessageModel model, MQClientInstance& instance,
                                               const std::string& group, const std::string& local_dir);

}  // namespace tern::client::internal
