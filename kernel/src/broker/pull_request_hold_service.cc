// PullRequestHoldService: the hold table, the deadline thread and the arrival path.
#include "broker/pull_request_hold_service.h"

#include <algorithm>

namespace tern::kernel {

PullRequestHoldService::PullRequestHoldService(Logger& logger) : logger_(logger) {}

PullRequestHoldService::~PullRequestHoldService() { stop(); }

void PullRequestHoldService::start(MessageStore* store) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || thread_.joinable()) return;
  }
  store_ = store;
  if (store) {
    store->set_arrival_listener([this](std::string_view topic, int32_t queue_id, int64_t max_offset) {
      notify_message_arriving(topic, queue_id, max_offset);
    });
  }
  thread_ = std::thread([this] { run(); });
}

void PullRequestHoldService::stop() {
  if (MessageStore* store = store_.exchange(nullptr)) store->set_arrival_listener(nullptr);
  std::vector<Hold> remaining;
  {
    std::lock_guard lock(mutex_);
    if (stopped_ && !thread_.joinable()) return;
    stopped_ = true;
    for (auto& [id, h] : holds_) remaining.push_back(std::move(h));
    holds_.clear();
    by_deadline_.clear();
    by_queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!remaining.empty()) logger_.info("waking ", remaining.size(), " held pulls at shutdown");
  for (auto& h : remaining) h.wake(false);
}

size_t PullRequestHoldService::held() const {
  std::lock_guard lock(mutex_);
  return holds_.size();
}

bool PullRequestHoldService::take_locked(uint64_t id, Hold* out) {
  auto it = holds_.find(id);
  if (it == holds_.end()) return false;
  by_deadline_.erase({it->second.deadline, id});
  auto topic = by_queue_.find(it->second.topic);
  if (topic != by_queue_.end()) {
    auto queue = topic->second.find(it->second.queue_id);
    if (queue != topic->second.end()) {
      std::erase(queue->second, id);
      if (queue->second.empty()) topic->second.erase(queue);
    }
    if (topic->second.empty()) by_queue_.erase(topic);
  }
  *out = std::move(it->second);
  holds_.erase(it);
  return true;
}

bool PullRequestHoldService::has_new_messages(const Hold& h) const {
  MessageStore* store = store_.load();
  return store != nullptr && store->max_offset(h.topic, h.queue_id) > h.offset;
}

void PullRequestHoldService::hold(std::string_view topic, int32_t queue_id, int64_t offset, Clock::time_point deadline,
                                  std::function<void(bool arrived)> wake) {
  uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      id = next_id_++;
      bool earliest = by_deadline_.empty() || deadline < by_deadline_.begin()->first;
      Hold& h = holds_[id];
      h.topic = std::string(topic);
      h.queue_id = queue_id;
      h.offset = offset;
      h.deadline = deadline;
      h.wake = std::move(wake);
      by_deadline_.emplace(deadline, id);
      by_queue_[h.topic][queue_id].push_back(id);
      if (earliest) cv_.notify_one();
    }
  }
  if (id == 0) {
    wake(false);  // shutting down
    return;
  }
  // Checked after parking, not before: a message that arrived between the caller's read
  // and the insert notified nobody, and would otherwise wait for the deadline.
  Hold probe;
  probe.topic = std::string(topic);
  probe.queue_id = queue_id;
  probe.offset = offset;
  if (!has_new_messages(probe)) return;
  Hold taken;
  {
    std::lock_guard lock(mutex_);
    if (!take_locked(id, &taken)) return;  // woken meanwhile by an arrival
  }
  taken.wake(true);
}

void PullRequestHoldService::notify_message_arriving(std::string_view topic, int32_t queue_id, int64_t max_offset) {
  std::vector<Hold> woken;
  {
    std::lock_guard lock(mutex_);
    auto t = by_queue_.find(topic);
    if (t == by_queue_.end()) return;
    auto q = t->second.find(queue_id);
    if (q == t->second.end()) return;
    std::vector<uint64_t> ids;
    for (uint64_t id : q->second) {
      if (holds_.at(id).offset < max_offset) ids.push_back(id);
    }
    for (uint64_t id : ids) {  // `q` may be erased by take_locked: iterate a copy
      Hold h;
      if (take_locked(id, &h)) woken.push_back(std::move(h));
    }
  }
  for (auto& h : woken) h.wake(true);
}

void PullRequestHoldService::run() {
  std::unique_lock lock(mutex_);
  while (!stopped_) {
    if (by_deadline_.empty()) {
      cv_.wait(lock);
      continue;
    }
    Clock::time_point first = by_deadline_.begin()->first;
    if (Clock::now() < first) {
      cv_.wait_until(lock, first);
      continue;
    }
    std::vector<Hold> due;
    Clock::time_point now = Clock::now();
    while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
      Hold h;
      take_locked(by_deadline_.begin()->second, &h);
      due.push_back(std::move(h));
    }
    lock.unlock();
    for (auto& h : due) h.wake(has_new_messages(h));
    due.clear();  // the callbacks die outside the lock too
    lock.lock();
  }
}

}  // namespace tern::kernel
