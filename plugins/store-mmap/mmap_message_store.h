// MmapMessageStore: the store-mmap plugin's MessageStore. It owns the commit log, the
// consume queues, the index, the dispatcher and the flush, checkpoint and retention
// threads, and runs recovery at start.
//
// Threads: puts append on the caller's thread (one short critical section) and never
// fsync there; the dispatch thread builds queues and indexes; a flush thread (ASYNC_FLUSH)
// or the group-commit threads (SYNC_FLUSH) own the commit log's fsync; the checkpoint
// thread flushes queues and indexes and writes the checkpoint; the retention thread
// deletes expired files. See mmap_message_store.cc for the put and read paths.
//
// Thread-safety: the MessageStore methods are safe from any thread after start().
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "commit_log.h"
#include "consume_queue_set.h"
#include "dispatcher.h"
#include "flush_service.h"
#include "index_service.h"
#include "retention_service.h"
#include "store_checkpoint.h"
#include "store_config.h"
#include "tern/plugin.h"
#include "tern/store.h"

namespace tern::store_mmap {

class MmapMessageStore final : public MessageStore {
 public:
  MmapMessageStore(StoreConfig config, Logger& logger);
  ~MmapMessageStore() override;

  Status start() override;
  void stop() override;

  void put_message(MessageExt message, PutCallback done) override;
  void put_messages(std::vector<MessageExt> messages, PutCallback done) override;
  GetResult get_messages(const GetRequest& request) override;
  int64_t min_offset(std::string_view topic, int32_t queue_id) override;
  int64_t max_offset(std::string_view topic, int32_t queue_id) override;
  int64_t offset_by_time(std::string_view topic, int32_t queue_id, int64_t timestamp_ms) override;
  Result<int64_t> earliest_store_time(std::string_view topic, int32_t queue_id) override;
  Result<StoredRecord> read_record(int64_t commit_log_offset) override;
  Result<MessageExt> look_message(int64_t commit_log_offset) override;
  Result<QueryResult> query_by_key(std::string_view topic, std::string_view key, int32_t max_count,
                                   int64_t begin_timestamp, int64_t end_timestamp) override;
  Result<StoredRecord> read_commit_log(int64_t from, int64_t max_bytes) override;
  Status append_commit_log(int64_t from, std::string_view bytes) override;
  int64_t min_commit_log_offset() override { return commit_log_.min_offset(); }
  int64_t max_commit_log_offset() override { return commit_log_.max_offset(); }
  void set_arrival_listener(ArrivalListener listener) override { dispatcher_.set_listener(std::move(listener)); }
  Status delete_topic(std::string_view topic) override;

  // For tests and tools: what recovery found, the fsync count (group commit), and a way
  // to wait until queues reflect every append.
  const RecoveryReport& recovery_report() const { return recovery_; }
  uint64_t fsync_count() const { return group_commit_ ? group_commit_->fsync_count() : 0; }
  bool wait_dispatched(std::chrono::milliseconds timeout) { return dispatcher_.wait_caught_up(timeout); }
  RetentionService& retention() { return *retention_; }

 private:
  Status lock_store();
  Status recover();
  Status validate(const MessageExt& m) const;
  void put(std::vector<MessageExt> messages, PutCallback done);
  void run_checkpoints();
  Status checkpoint();

  StoreConfig config_;
  Logger& logger_;
  CommitLog commit_log_;
  ConsumeQueueSet queues_;
  std::unique_ptr<IndexService> index_;
  Dispatcher dispatcher_;
  std::unique_ptr<AsyncFlushService> async_flush_;
  std::unique_ptr<GroupCommitService> group_commit_;
  std::unique_ptr<RetentionService> retention_;
  RecoveryReport recovery_;
  std::atomic<bool> accepting_{false};
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  bool stopping_ = false;
  std::thread checkpoint_thread_;
  int lock_fd_ = -1;  // flock()ed for the store's life: one process per store
};

}  // namespace tern::store_mmap
