// Flush threads. The group commit's timer thread exists so that a put is answered
// FLUSH_DISK_TIMEOUT on time even while an fsync is stuck on a slow disk.
#include "flush_service.h"

namespace tern::store_mmap {

AsyncFlushService::AsyncFlushService(CommitLog& log, std::chrono::milliseconds interval, int64_t least_bytes,
                                     std::chrono::milliseconds thorough_interval, Logger& logger)
    : log_(log), interval_(interval), thorough_interval_(thorough_interval), least_bytes_(least_bytes), logger_(logger) {}

AsyncFlushService::~AsyncFlushService() { stop(); }

void AsyncFlushService::start() { thread_ = std::thread([this] { run(); }); }

void AsyncFlushService::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AsyncFlushService::run() {
  auto last_thorough = std::chrono::steady_clock::now();
  while (true) {
    bool stopping;
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, interval_, [this] { return stopping_; });
      stopping = stopping_;
    }
    auto now = std::chrono::steady_clock::now();
    int64_t dirty = log_.max_offset() - log_.flushed_offset();
    bool thorough = now - last_thorough >= thorough_interval_;
    if (stopping || thorough || dirty >= least_bytes_) {
      if (auto r = log_.flush(log_.max_offset()); !r) logger_.error("commit log flush failed: ", r.status().to_string());
      if (thorough) last_thorough = now;
    }
    if (stopping) return;
  }
}

GroupCommitService::GroupCommitService(FlushFunction flush, std::chrono::milliseconds timeout, Logger& logger)
    : flush_(std::move(flush)), timeout_(timeout), logger_(logger) {}

GroupCommitService::~GroupCommitService() { stop(); }

void GroupCommitService::start() {
  flusher_ = std::thread([this] { run_flusher(); });
  timer_ = std::thread([this] { run_timer(); });
}

void GroupCommitService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  flush_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();  // it answers every request it took
  {
    std::lock_guard lock(mutex_);
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void GroupCommitService::wait_durable(int64_t end_offset, std::function<void(bool)> done) {
  auto request = std::make_shared<Request>();
  request->end_offset = end_offset;
  request->deadline = std::chrono::steady_clock::now() + timeout_;
  request->done = std::move(done);
  bool timer_idle;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(request);
    timer_idle = outstanding_.empty();
    outstanding_.push_back(request);
  }
  flush_cv_.notify_one();
  // Deadlines only grow: a timer already waiting on an older request needs no wake-up.
  if (timer_idle) timer_cv_.notify_one();
}

void GroupCommitService::run_flusher() {
  while (true) {
    std::deque<std::shared_ptr<Request>> batch;
    {
      std::unique_lock lock(mutex_);
      flush_cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty() && stopping_) return;
      batch.swap(pending_);
    }
    int64_t target = 0;
    for (const auto& r : batch) target = std::max(target, r->end_offset);
    auto flushed = flush_(target);
    fsyncs_.fetch_add(1, std::memory_order_relaxed);
    if (!flushed) logger_.error("commit log fsync failed: ", flushed.status().to_string());
    for (const auto& r : batch) r->complete(flushed.is_ok() && *flushed >= r->end_offset);
    // Drop what is answered so the timer's next deadline is a live request's.
    std::lock_guard lock(mutex_);
    while (!outstanding_.empty() && outstanding_.front()->completed.load()) outstanding_.pop_front();
  }
}

void GroupCommitService::run_timer() {
  std::unique_lock lock(mutex_);
  while (true) {
    while (!outstanding_.empty() && outstanding_.front()->completed.load()) outstanding_.pop_front();
    if (stopping_ && pending_.empty() && outstanding_.empty()) return;
    if (outstanding_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    auto front = outstanding_.front();
    if (std::chrono::steady_clock::now() >= front->deadline) {
      outstanding_.pop_front();
      lock.unlock();
      front->complete(false);  // FLUSH_DISK_TIMEOUT; the message is stored
      lock.lock();
      continue;
    }
    timer_cv_.wait_until(lock, front->deadline);
  }
}

}  // namespace tern::store_mmap
