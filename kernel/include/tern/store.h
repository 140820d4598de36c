// MessageStore: the interface a store plugin implements. It keeps messages durable, in
// RocketMQ's record layout, and answers reads by queue offset, by commit-log offset, by
// key and by time.
//
// Records are RocketMQ 4.x commit-log records (docs/commit-log-format.md): a pull response
// body is a concatenation of them, so reads hand out views of stored bytes (StoredRecord)
// that protocol plugins write to sockets without copying. A view keeps its bytes alive
// until it is destroyed, even if retention deletes the file meanwhile.
//
// Thread-safety: every method is safe to call concurrently from any thread. put callbacks
// run on a store thread or inline in the caller; they must be short and must not block.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tern/filter.h"
#include "tern/message.h"
#include "tern/plugin.h"
#include "tern/status.h"

namespace tern {

enum class FlushDiskType { kAsyncFlush, kSyncFlush };

// Where one appended message landed.
struct AppendedMessage {
  int64_t queue_offset = 0;
  int64_t commit_log_offset = 0;
  int32_t store_size = 0;
  std::string msg_id;  // offset message id (store host + commit-log offset, upper-case hex)
};

// The outcome of a put that stored its messages. Failures that stored nothing (illegal
// message, disk full, store shut down) are a failed Status instead.
struct PutResult {
  enum class Durability {
    kStored,             // stored; flushed too when the store flushes synchronously
    kFlushDiskTimeout,   // stored, but fsync did not finish within syncFlushTimeout
    kFlushSlaveTimeout,  // stored, but no slave confirmed within syncFlushTimeout
    kSlaveNotAvailable,  // stored, but no slave to replicate to (SYNC_MASTER)
  };
  Durability durability = Durability::kStored;
  int64_t store_timestamp = 0;
  std::vector<AppendedMessage> messages;  // one per message put, in order
};

using PutCallback = std::function<void(Result<PutResult>)>;

// A record as stored, in the commit-log layout. `owner` keeps the bytes mapped.
struct StoredRecord {
  std::shared_ptr<const void> owner;
  const uint8_t* data = nullptr;
  uint32_t size = 0;
  int64_t queue_offset = 0;
  int64_t commit_log_offset = 0;
};

struct GetRequest {
  std::string topic;
  int32_t queue_id = 0;
  int64_t offset = 0;        // queue offset to start from
  int32_t max_count = 32;
  int64_t max_bytes = 256 * 1024;
  // Optional: messages it rejects are skipped; their offsets are still passed over.
  std::shared_ptr<const MessageMatcher> matcher;
};

// RocketMQ's GetMessageStatus, so protocol plugins can map it to their own codes.
enum class GetStatus {
  kFound,
  kNoMatchedMessage,     // messages were there but the filter rejected all of them
  kMessageWasRemoving,   // retention deleted the records meanwhile
  kOffsetFoundNull,
  kOffsetOverflowBadly,  // offset > max offset
  kOffsetOverflowOne,    // offset == max offset: nothing new yet (long-poll here)
  kOffsetTooSmall,       // offset < min offset
  kNoMatchedLogicQueue,  // the topic or queue does not exist
  kNoMessageInQueue,     // the queue exists but is empty
};

struct GetResult {
  GetStatus status = GetStatus::kNoMatchedLogicQueue;
  int64_t next_begin_offset = 0;
  int64_t min_offset = 0;
  int64_t max_offset = 0;  // next queue offset to be written
  std::vector<StoredRecord> records;
  int64_t total_bytes = 0;
};

struct QueryResult {
  std::vector<StoredRecord> records;  // newest first
  int64_t index_last_update_timestamp = 0;
  int64_t index_last_update_phy_offset = 0;
};

// Called after the dispatcher made a message visible in its consume queue; long polls
// wake on it. Runs on the store's dispatch thread: must not block.
using ArrivalListener = std::function<void(std::string_view topic, int32_t queue_id, int64_t max_offset)>;

class MessageStore : public Plugin {
 public:
  // Appends one message. Its queue_id, sys_flag, born/store hosts, born_timestamp,
  // reconsume_times and prepared_transaction_offset are taken from `message`; offsets and
  // store_timestamp are assigned. `done` runs once, after the message is durable as
  // flushDiskType demands (or with kFlushDiskTimeout).
  virtual void put_message(MessageExt message, PutCallback done) = 0;
  // Appends messages of one topic and queue in one go (a producer batch); contiguous
  // queue offsets; `done` runs once for the batch.
  virtual void put_messages(std::vector<MessageExt> messages, PutCallback done) = 0;

  // Up to max_count records of a queue from an offset, filtered.
  virtual GetResult get_messages(const GetRequest& request) = 0;

  virtual int64_t min_offset(std::string_view topic, int32_t queue_id) = 0;
  // The next queue offset to be written (0 for an empty or unknown queue).
  virtual int64_t max_offset(std::string_view topic, int32_t queue_id) = 0;
  // The offset of the first message stored at or after `timestamp_ms` (binary search);
  // max_offset when none.
  virtual int64_t offset_by_time(std::string_view topic, int32_t queue_id, int64_t timestamp_ms) = 0;
  // Store time of the oldest message in the queue; NotFound for an empty queue.
  virtual Result<int64_t> earliest_store_time(std::string_view topic, int32_t queue_id) = 0;

  // The record at a commit-log offset, raw and decoded.
  virtual Result<StoredRecord> read_record(int64_t commit_log_offset) = 0;
  virtual Result<MessageExt> look_message(int64_t commit_log_offset) = 0;

  // Messages of `topic` whose KEYS or UNIQ_KEY contain `key`, stored in [begin, end] ms.
  virtual Result<QueryResult> query_by_key(std::string_view topic, std::string_view key, int32_t max_count,
                                           int64_t begin_timestamp, int64_t end_timestamp) = 0;

  // Commit-log bytes for replication: up to max_bytes from `from`; empty at the end.
  virtual Result<StoredRecord> read_commit_log(int64_t from, int64_t max_bytes) = 0;
  // Appends replicated bytes on a slave; `from` must equal max_commit_log_offset().
  virtual Status append_commit_log(int64_t from, std::string_view bytes) = 0;
  virtual int64_t min_commit_log_offset() = 0;
  virtual int64_t max_commit_log_offset() = 0;

  // Registers the one arrival listener (replaces any earlier one).
  virtual void set_arrival_listener(ArrivalListener listener) = 0;
  // Removes a topic's consume queues (its commit-log records age out with retention).
  virtual Status delete_topic(std::string_view topic) = 0;
};

}  // namespace tern
