// Dispatcher: the record → unit/index step and its thread.
#include "dispatcher.h"

#include "tern/tag_hash.h"

namespace tern::store_mmap {

Dispatcher::Dispatcher(CommitLog& log, ConsumeQueueSet& queues, IndexService* index, Logger& logger)
    : log_(log), queues_(queues), index_(index), logger_(logger) {}

Dispatcher::~Dispatcher() { stop(); }

Status Dispatcher::dispatch(const RecordView& r) {
  int32_t tx = sys_flag::transaction_type(r.sys_flag);
  bool visible = tx == sys_flag::kTransactionNotType || tx == sys_flag::kTransactionCommitType;
  ArrivalListener listener;
  int64_t max = 0;
  if (visible) {
    auto queue = queues_.find_or_create(r.topic, r.queue_id);
    ConsumeQueueUnit unit{r.physical_offset, r.total_size, tags_code(find_property(r.properties, property::kTags))};
    TERN_RETURN_IF_ERROR(queue->put(r.queue_offset, unit));
    max = queue->max_offset();
  }
  if (index_ && tx != sys_flag::kTransactionRollbackType) {
    std::vector<std::string_view> keys = split_keys(find_property(r.properties, property::kKeys));
    std::string_view uniq = find_property(r.properties, property::kUniqueClientMessageId);
    if (!uniq.empty()) keys.push_back(uniq);
    if (!keys.empty()) TERN_RETURN_IF_ERROR(index_->add(r.topic, keys, r.physical_offset, r.store_timestamp));
  }
  last_store_timestamp_.store(r.store_timestamp, std::memory_order_release);
  if (visible) {
    {
      std::lock_guard lock(mutex_);
      listener = listener_;
    }
    if (listener) listener(r.topic, r.queue_id, max);
  }
  return Status::ok();
}

void Dispatcher::set_listener(ArrivalListener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void Dispatcher::start(int64_t from) {
  dispatched_.store(from, std::memory_order_release);
  thread_ = std::thread([this] { run(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  sleeping_.store(false);
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Dispatcher::dispatch_available() {
  while (true) {
    int64_t pos = dispatched_.load(std::memory_order_relaxed);
    if (pos >= log_.max_offset()) return true;
    auto parsed = log_.parse_at(pos);
    if (!parsed) return true;  // not yet readable in full
    if (parsed->kind == RecordKind::kMessage) {
      if (Status s = dispatch(parsed->view); !s.is_ok()) {
        logger_.error("cannot dispatch the record at commit-log offset ", pos, ": ", s.to_string(), "; retrying");
        return false;
      }
      dispatched_.store(pos + parsed->size, std::memory_order_release);
    } else if (parsed->kind == RecordKind::kBlank || parsed->kind == RecordKind::kEnd) {
      dispatched_.store(pos - pos % log_.segment_size() + log_.segment_size(), std::memory_order_release);
    } else {
      logger_.critical("unreadable record at commit-log offset ", pos, ": ", parsed->problem.to_string(),
                       "; dispatch is stalled");
      return false;
    }
  }
}

void Dispatcher::wake() {
  // Pairs with run(): the append published the write offset before this load, and the
  // dispatcher announces sleep before re-reading the offset, so one of the two sees the
  // other (both orders are sequentially consistent).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_relaxed) && sleeping_.exchange(false)) {
    std::lock_guard lock(mutex_);
    cv_.notify_one();
  }
}

void Dispatcher::run() {
  while (true) {
    const int64_t before = dispatched_offset();
    bool healthy = dispatch_available();
    const bool progressed = dispatched_offset() != before;
    caught_up_cv_.notify_all();
    std::unique_lock lock(mutex_);
    if (stopping_ && (dispatched_offset() >= log_.max_offset() || !healthy)) return;
    if (healthy && progressed) {
      // Appends are arriving: rather than being woken for each one (a futex wake for the
      // writer and a context switch here, per message), pause without announcing sleep and
      // take what piled up. An idle store still wakes at once (the pass after this one
      // finds nothing and sleeps announced).
      cv_.wait_for(lock, kBusyPause);
      continue;
    }
    sleeping_.store(true, std::memory_order_seq_cst);
    if (healthy && dispatched_offset() < log_.max_offset()) {  // appended since the pass
      sleeping_.store(false, std::memory_order_relaxed);
      continue;
    }
    // The timeout is a safety net only; appends wake the dispatcher.
    cv_.wait_for(lock, std::chrono::milliseconds(healthy ? 10 : 1000));
    sleeping_.store(false, std::memory_order_relaxed);
  }
}

bool Dispatcher::wait_caught_up(std::chrono::milliseconds timeout) {
  int64_t target = log_.max_offset();
  std::unique_lock lock(mutex_);
  return caught_up_cv_.wait_for(lock, timeout, [&] { return dispatched_offset() >= target; });
}

}  // namespace tern::store_mmap
