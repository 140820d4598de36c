// MmapMessageStore: start-up and recovery, the put path, the read paths, shutdown.
//
// Put: validate → encode properties and CRC (outside the lock) → CommitLog::append (the
// one critical section) → wake the dispatcher → answer at once (ASYNC_FLUSH, or WAIT=false)
// or when the group commit has fsynced past the message (SYNC_FLUSH).
// Read: consume-queue unit → filter on the tag hash → filter on properties if the matcher
// needs them → a view of the record in the mapped commit log (no copy).
#include "mmap_message_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tern/check.h"

namespace tern::store_mmap {
namespace {

// RocketMQ's topic rule (Validators): letters, digits, '%', '|', '_', '-'. It also keeps
// topic names safe as directory names.
bool valid_topic(std::string_view t) {
  if (t.empty() || t.size() > kMaxTopicLength) return false;
  for (char c : t) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '%' || c == '|' ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

constexpr int kMaxUnitsScannedPerPull = 16000;  // RocketMQ's maxFilterMessageCount

}  // namespace

MmapMessageStore::MmapMessageStore(StoreConfig config, Logger& logger)
    : config_(std::move(config)),
      logger_(logger),
      commit_log_(config_.commit_log_dir, config_.commit_log_segment_size),
      queues_(config_.consume_queue_dir, config_.consume_queue_file_size),
      index_(config_.message_index_enable
                 ? std::make_unique<IndexService>(IndexServiceOptions{config_.index_dir, config_.max_hash_slots,
                                                                      config_.max_index_count})
                 : nullptr),
      dispatcher_(commit_log_, queues_, index_.get(), logger_) {}

MmapMessageStore::~MmapMessageStore() { stop(); }

Status MmapMessageStore::start() {
  auto started = std::chrono::steady_clock::now();
  TERN_RETURN_IF_ERROR(lock_store());
  bool crashed = std::filesystem::exists(config_.abort_file);
  TERN_RETURN_IF_ERROR(commit_log_.load());
  TERN_RETURN_IF_ERROR(queues_.load());
  if (index_) TERN_RETURN_IF_ERROR(index_->load());
  if (crashed) logger_.warn("abort file ", config_.abort_file, " exists: the last run did not shut down cleanly");
  TERN_RETURN_IF_ERROR(recover());
  {
    std::ofstream abort(config_.abort_file);
    if (!abort) return Status::io_error("cannot create abort file " + config_.abort_file);
  }
  dispatcher_.start(commit_log_.max_offset());
  commit_log_.start_prefault();
  if (config_.flush_disk_type == FlushDiskType::kSyncFlush) {
    group_commit_ = std::make_unique<GroupCommitService>(
        [this](int64_t up_to) { return commit_log_.flush(up_to); }, config_.sync_flush_timeout, logger_);
    group_commit_->start();
  } else {
    async_flush_ = std::make_unique<AsyncFlushService>(commit_log_, config_.flush_interval_commit_log,
                                                       config_.flush_least_bytes, config_.flush_thorough_interval, logger_);
    async_flush_->start();
  }
  retention_ = std::make_unique<RetentionService>(config_, commit_log_, queues_, index_.get(), logger_);
  retention_->run_once(std::chrono::system_clock::now());  // know the disk state before the first put
  retention_->start();
  stopping_ = false;
  checkpoint_thread_ = std::thread([this] { run_checkpoints(); });
  accepting_.store(true, std::memory_order_release);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  logger_.info("store ready in ", ms, " ms: commit log [", commit_log_.min_offset(), ", ", commit_log_.max_offset(),
               ") in ", config_.commit_log_dir, ", ", queues_.all().size(), " consume queues, ",
               config_.flush_disk_type == FlushDiskType::kSyncFlush ? "SYNC_FLUSH" : "ASYNC_FLUSH");
  return Status::ok();
}

Status MmapMessageStore::lock_store() {
  std::string dir = std::filesystem::path(config_.abort_file).parent_path().string();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::io_error("cannot create store directory " + dir + ": " + ec.message());
  std::string path = dir + "/lock";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return Status::io_error("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    return Status::unavailable("store " + dir + " is in use by another broker (" + path +
                               " is locked); two brokers must not share a store");
  }
  return Status::ok();
}

Status MmapMessageStore::recover() {
  auto cp = read_checkpoint(config_.checkpoint_file);
  int64_t from = commit_log_.min_offset();
  if (!cp) {
    logger_.warn(cp.status().to_string(), "; recovering from the start of the commit log");
  } else if (cp->has_value()) {
    from = (*cp)->dispatched_offset;
  }
  Status dispatch_error;
  auto report = commit_log_.recover(from, [&](const RecordView& r) {
    if (Status s = dispatcher_.dispatch(r); !s.is_ok() && dispatch_error.is_ok()) dispatch_error = s;
  });
  if (!report) return report.status();
  TERN_RETURN_IF_ERROR(dispatch_error);
  recovery_ = std::move(*report);
  for (const auto& s : recovery_.skipped) {
    // It may have reached its queue before the crash: take it out again.
    if (auto q = queues_.find(s.topic, s.queue_id)) q->clear_if_points_at(s.queue_offset, s.offset);
    logger_.error("commit-log record at offset ", s.offset, " (", s.topic, ":", s.queue_id, " offset ", s.queue_offset,
                  ") is corrupt (", s.problem, "); it is kept out of its queue");
  }
  if (recovery_.truncated) {
    logger_.warn("dropped a torn commit-log tail at offset ", recovery_.truncated->first, ": ",
                 recovery_.truncated->second);
  }
  for (const auto& q : queues_.all()) {
    q->truncate_from_commit_log_offset(recovery_.end);
    commit_log_.set_next_queue_offset(q->topic(), q->queue_id(), q->max_offset());
  }
  if (index_) index_->forget_from(recovery_.end);
  logger_.info("recovered commit log from offset ", recovery_.from, " to ", recovery_.end, " (", recovery_.records,
               " records re-read)");
  return Status::ok();
}

void MmapMessageStore::stop() {
  if (!accepting_.exchange(false) && !checkpoint_thread_.joinable()) {
    // Never started, or start() failed part-way: only the store lock may be held.
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
    return;
  }
  if (group_commit_) group_commit_->stop();  // answers every waiting put
  dispatcher_.stop();
  commit_log_.stop_prefault();
  if (async_flush_) async_flush_->stop();
  if (retention_) retention_->stop();
  {
    std::lock_guard lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  if (Status s = checkpoint(); s.is_ok()) {
    std::error_code ec;
    std::filesystem::remove(config_.abort_file, ec);
    logger_.info("store stopped cleanly at commit-log offset ", commit_log_.max_offset());
  } else {
    logger_.error("final checkpoint failed: ", s.to_string(), "; the next start will recover");
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  lock_fd_ = -1;
}

Status MmapMessageStore::checkpoint() {
  int64_t dispatched = dispatcher_.dispatched_offset();
  auto flushed = commit_log_.flush(dispatched);
  if (!flushed) return flushed.status();
  for (const auto& q : queues_.all()) TERN_RETURN_IF_ERROR(q->flush());
  if (index_) TERN_RETURN_IF_ERROR(index_->flush());
  int64_t ts = dispatcher_.last_store_timestamp();
  return write_checkpoint(config_.checkpoint_file, Checkpoint{ts, ts, ts, dispatched});
}

void MmapMessageStore::run_checkpoints() {
  while (true) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      if (checkpoint_cv_.wait_for(lock, config_.flush_interval_consume_queue, [this] { return stopping_; })) return;
    }
    if (Status s = checkpoint(); !s.is_ok()) logger_.error("checkpoint failed: ", s.to_string());
  }
}

Status MmapMessageStore::validate(const MessageExt& m) const {
  if (!valid_topic(m.topic)) {
    return Status::invalid_argument("topic '" + m.topic.substr(0, 200) +
                                    "' is not valid: 1 to 127 characters of letters, digits, '%', '|', '_', '-'");
  }
  if (m.queue_id < 0) return Status::invalid_argument("queue id " + std::to_string(m.queue_id) + " is negative");
  if (m.body.size() > static_cast<size_t>(config_.max_message_size)) {
    return Status::invalid_argument("message body of " + std::to_string(m.body.size()) +
                                    " bytes exceeds maxMessageSize " + std::to_string(config_.max_message_size));
  }
  for (const auto& [name, value] : m.properties) {
    if (!is_valid_property_text(name) || !is_valid_property_text(value)) {
      return Status::invalid_argument("property '" + name.substr(0, 100) + "' contains a \\u0001 or \\u0002 character");
    }
  }
  return Status::ok();
}

void MmapMessageStore::put_message(MessageExt message, PutCallback done) {
  std::vector<MessageExt> one;
  one.push_back(std::move(message));
  put(std::move(one), std::move(done));
}

void MmapMessageStore::put_messages(std::vector<MessageExt> messages, PutCallback done) {
  for (const auto& m : messages) {
    if (m.topic != messages.front().topic || m.queue_id != messages.front().queue_id) {
      done(Status::invalid_argument("a batch must hold messages of one topic and queue"));
      return;
    }
  }
  put(std::move(messages), std::move(done));
}

void MmapMessageStore::put(std::vector<MessageExt> messages, PutCallback done) {
  if (!accepting_.load(std::memory_order_acquire)) {
    done(Status::unavailable("the store is not running (starting or shutting down)"));
    return;
  }
  if (config_.slave) {
    done(Status::unavailable("this broker is a SLAVE (brokerRole=SLAVE): it accepts no writes"));
    return;
  }
  if (retention_->disk_full()) {
    done(Status::resource_exhausted("disk full: " + config_.commit_log_dir + " is at " +
                                    std::to_string(static_cast<int>(retention_->last_disk_usage())) +
                                    "%, over diskSpaceWarningLevelRatio " +
                                    std::to_string(config_.disk_space_warning_ratio) + "%; the message was not stored"));
    return;
  }
  if (messages.empty()) {
    done(Status::invalid_argument("empty batch"));
    return;
  }
  std::vector<PendingRecord> records;
  records.reserve(messages.size());
  bool wait = false;
  for (auto& m : messages) {
    if (Status s = validate(m); !s.is_ok()) {
      done(s);
      return;
    }
    wait = wait || m.wait_store_msg_ok();
    m.body_crc = body_crc32(m.body);
    std::string props = encode_properties(m.properties);
    if (props.size() > kMaxPropertiesLength) {
      done(Status::invalid_argument("properties of " + std::to_string(props.size()) + " bytes exceed " +
                                    std::to_string(kMaxPropertiesLength)));
      return;
    }
    records.push_back({std::move(m), std::move(props)});
  }
  auto appended = commit_log_.append(records);
  if (!appended) {
    done(appended.status());
    return;
  }
  dispatcher_.wake();
  PutResult result;
  result.store_timestamp = appended->store_timestamp;
  result.messages = std::move(appended->messages);
  if (group_commit_ && wait) {
    group_commit_->wait_durable(appended->end_offset,
                                [result = std::move(result), done = std::move(done)](bool flushed) mutable {
                                  if (!flushed) result.durability = PutResult::Durability::kFlushDiskTimeout;
                                  done(std::move(result));
                                });
    return;
  }
  done(std::move(result));
}

GetResult MmapMessageStore::get_messages(const GetRequest& req) {
  GetResult r;
  auto queue = queues_.find(req.topic, req.queue_id);
  if (!queue) {
    r.status = GetStatus::kNoMatchedLogicQueue;
    return r;
  }
  r.min_offset = queue->min_offset();
  r.max_offset = queue->max_offset();
  if (r.max_offset == 0) {
    r.status = GetStatus::kNoMessageInQueue;
    return r;
  }
  if (req.offset < r.min_offset) {
    r.status = GetStatus::kOffsetTooSmall;
    r.next_begin_offset = r.min_offset;
    return r;
  }
  if (req.offset == r.max_offset) {
    r.status = GetStatus::kOffsetOverflowOne;
    r.next_begin_offset = req.offset;
    return r;
  }
  if (req.offset > r.max_offset) {
    r.status = GetStatus::kOffsetOverflowBadly;
    r.next_begin_offset = r.min_offset == 0 ? r.min_offset : r.max_offset;  // RocketMQ's correction
    return r;
  }
  int64_t offset = req.offset;
  int scanned = 0;
  bool removed = false;
  for (; offset < r.max_offset && scanned < kMaxUnitsScannedPerPull; ++offset, ++scanned) {
    if (static_cast<int32_t>(r.records.size()) >= req.max_count) break;
    auto unit = queue->get(offset);
    if (!unit) continue;  // a hole: a corrupt record recovery kept out
    if (!r.records.empty() && r.total_bytes + unit->size > req.max_bytes) break;
    if (req.matcher && !req.matcher->matches_tags_code(unit->tags_code)) continue;
    auto view = commit_log_.view(unit->commit_log_offset, unit->size);
    if (!view) {
      removed = true;  // retention deleted its segment
      continue;
    }
    if (req.matcher && req.matcher->needs_properties()) {
      auto parsed = parse_record(view->data, view->size, false);
      if (parsed.kind != RecordKind::kMessage || !req.matcher->matches_properties(decode_properties(parsed.view.properties))) {
        continue;
      }
    }
    view->queue_offset = offset;
    r.total_bytes += view->size;
    r.records.push_back(std::move(*view));
  }
  r.next_begin_offset = offset;
  r.status = !r.records.empty() ? GetStatus::kFound : removed ? GetStatus::kMessageWasRemoving : GetStatus::kNoMatchedMessage;
  return r;
}

int64_t MmapMessageStore::min_offset(std::string_view topic, int32_t queue_id) {
  auto q = queues_.find(topic, queue_id);
  return q ? q->min_offset() : 0;
}

int64_t MmapMessageStore::max_offset(std::string_view topic, int32_t queue_id) {
  auto q = queues_.find(topic, queue_id);
  return q ? q->max_offset() : 0;
}

int64_t MmapMessageStore::offset_by_time(std::string_view topic, int32_t queue_id, int64_t timestamp_ms) {
  auto q = queues_.find(topic, queue_id);
  if (!q) return 0;
  // Store times grow with queue offsets: binary search for the first at or after the time.
  int64_t lo = q->min_offset(), hi = q->max_offset();
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    auto unit = q->get(mid);
    auto view = unit ? commit_log_.view(unit->commit_log_offset, unit->size) : std::nullopt;
    if (!view) {  // a hole or a removed record: look right of it
      lo = mid + 1;
      continue;
    }
    if (record_store_timestamp(view->data) < timestamp_ms) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

Result<int64_t> MmapMessageStore::earliest_store_time(std::string_view topic, int32_t queue_id) {
  auto q = queues_.find(topic, queue_id);
  if (!q || q->min_offset() >= q->max_offset()) {
    return Status::not_found("queue " + std::string(topic) + ":" + std::to_string(queue_id) + " is empty");
  }
  for (int64_t o = q->min_offset(); o < q->max_offset(); ++o) {
    auto unit = q->get(o);
    auto view = unit ? commit_log_.view(unit->commit_log_offset, unit->size) : std::nullopt;
    if (view) return record_store_timestamp(view->data);
  }
  return Status::not_found("queue " + std::string(topic) + ":" + std::to_string(queue_id) + " has no readable message");
}

Result<StoredRecord> MmapMessageStore::read_record(int64_t commit_log_offset) {
  std::shared_ptr<MappedFile> owner;
  auto parsed = commit_log_.parse_at(commit_log_offset, &owner);
  if (!parsed || parsed->kind != RecordKind::kMessage) {
    return Status::not_found("no message at commit-log offset " + std::to_string(commit_log_offset));
  }
  auto view = commit_log_.view(commit_log_offset, parsed->size);
  if (!view) return Status::not_found("no message at commit-log offset " + std::to_string(commit_log_offset));
  view->queue_offset = parsed->view.queue_offset;
  return std::move(*view);
}

Result<MessageExt> MmapMessageStore::look_message(int64_t commit_log_offset) {
  auto record = read_record(commit_log_offset);
  if (!record) return record.status();
  auto parsed = parse_record(record->data, record->size, false);
  return to_message(parsed.view);
}

Result<QueryResult> MmapMessageStore::query_by_key(std::string_view topic, std::string_view key, int32_t max_count,
                                                   int64_t begin_timestamp, int64_t end_timestamp) {
  if (!index_) return Status::not_supported("messageIndexEnable is false: messages are not indexed by key");
  // RocketMQ caps a query at maxMsgsNumBatch whatever the client asks.
  auto hits = index_->query(topic, key, std::min(max_count, config_.max_msgs_num_batch), begin_timestamp, end_timestamp);
  QueryResult out;
  out.index_last_update_timestamp = hits.last_update_timestamp;
  out.index_last_update_phy_offset = hits.last_update_phy_offset;
  for (int64_t offset : hits.commit_log_offsets) {
    auto record = read_record(offset);
    if (!record) continue;  // removed by retention, or a stale entry past a recovered tail
    auto parsed = parse_record(record->data, record->size, false);
    if (parsed.view.topic != topic) continue;  // a hash collision
    auto keys = split_keys(find_property(parsed.view.properties, property::kKeys));
    bool match = find_property(parsed.view.properties, property::kUniqueClientMessageId) == key ||
                 std::find(keys.begin(), keys.end(), key) != keys.end();
    if (match) out.records.push_back(std::move(*record));
  }
  return out;
}

Result<StoredRecord> MmapMessageStore::read_commit_log(int64_t from, int64_t max_bytes) {
  int64_t end = commit_log_.max_offset();
  if (from < commit_log_.min_offset() || from > end) {
    return Status::invalid_argument("commit-log offset " + std::to_string(from) + " is outside [" +
                                    std::to_string(commit_log_.min_offset()) + ", " + std::to_string(end) + "]");
  }
  if (from == end) return StoredRecord{};
  auto seg = commit_log_.segments().find(from);
  if (!seg) return Status::not_found("no segment holds commit-log offset " + std::to_string(from));
  int64_t size = std::min({max_bytes, end - from, seg->end() - from});
  auto view = commit_log_.view(from, size);
  if (!view) return Status::not_found("commit-log bytes at " + std::to_string(from) + " are not readable");
  return std::move(*view);
}

Status MmapMessageStore::append_commit_log(int64_t from, std::string_view bytes) {
  TERN_RETURN_IF_ERROR(commit_log_.append_raw(from, bytes));
  dispatcher_.wake();
  return Status::ok();
}

Status MmapMessageStore::delete_topic(std::string_view topic) {
  queues_.remove_topic(topic);
  commit_log_.remove_topic(std::string(topic));
  logger_.info("deleted the consume queues of topic ", topic);
  return Status::ok();
}

}  // namespace tern::store_mmap
