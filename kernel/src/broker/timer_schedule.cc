// TimerSchedule: the slot window, the due-time heap and the delivery-log ledger.
#include "broker/timer_schedule.h"

#include <algorithm>

namespace tern::kernel {

TimerSchedule::TimerSchedule(int64_t first_offset, int64_t first_log_offset)
    : base_(first_offset), next_log_offset_(first_log_offset) {}

TimerSchedule::Slot* TimerSchedule::slot(int64_t offset) {
  if (offset < base_) return nullptr;
  auto index = static_cast<size_t>(offset - base_);
  if (index >= slots_.size()) slots_.resize(index + 1);
  return &slots_[index];
}

void TimerSchedule::set_state(Slot& s, State state) {
  if (s.state == State::kWaiting) --waiting_;
  if (s.state == State::kBusy) --busy_;
  s.state = state;
  if (state == State::kWaiting) ++waiting_;
  if (state == State::kBusy) ++busy_;
}

TimerEntry TimerSchedule::entry_of(int64_t offset, const Slot& s) const {
  return TimerEntry{offset, s.commit_log_offset, s.deliver_ms, s.enqueue_ms};
}

void TimerSchedule::add(const TimerEntry& entry) {
  Slot* s = slot(entry.queue_offset);
  if (s == nullptr || s->state == State::kDone) return;
  s->commit_log_offset = entry.commit_log_offset;
  s->deliver_ms = entry.deliver_ms;
  s->enqueue_ms = entry.enqueue_ms;
  set_state(*s, State::kWaiting);
  due_.emplace(entry.deliver_ms, entry.queue_offset);
}

void TimerSchedule::finish(int64_t queue_offset) {
  Slot* s = slot(queue_offset);
  if (s == nullptr) return;
  set_state(*s, State::kDone);
  advance();
  compact();
}

void TimerSchedule::retry(int64_t queue_offset, int64_t deliver_ms) {
  Slot* s = slot(queue_offset);
  if (s == nullptr || s->state != State::kBusy) return;
  s->deliver_ms = deliver_ms;
  set_state(*s, State::kWaiting);
  due_.emplace(deliver_ms, queue_offset);
}

bool TimerSchedule::is_done(int64_t queue_offset) const {
  if (queue_offset < base_) return true;
  auto index = static_cast<size_t>(queue_offset - base_);
  return index < slots_.size() && slots_[index].state == State::kDone;
}

std::optional<int64_t> TimerSchedule::next_deliver_ms() {
  while (!due_.empty()) {
    auto [ms, offset] = due_.top();
    if (offset >= base_) {
      const Slot& s = slots_[static_cast<size_t>(offset - base_)];
      if (s.state == State::kWaiting && s.deliver_ms == ms) return ms;
    }
    due_.pop();  // stale: delivered, re-parked or retried at another time since
  }
  return std::nullopt;
}

std::vector<TimerEntry> TimerSchedule::take_due(int64_t now_ms, size_t max) {
  std::vector<TimerEntry> out;
  while (out.size() < max) {
    auto next = next_deliver_ms();
    if (!next || *next > now_ms) break;
    int64_t offset = due_.top().second;
    due_.pop();
    Slot& s = slots_[static_cast<size_t>(offset - base_)];
    set_state(s, State::kBusy);
    out.push_back(entry_of(offset, s));
  }
  return out;
}

std::vector<TimerEntry> TimerSchedule::take_stale(int64_t stored_before_ms, int64_t due_after_ms, size_t max,
                                                  size_t max_scan) {
  std::vector<TimerEntry> out;
  size_t n = std::min(slots_.size(), max_scan);
  for (size_t i = 0; i < n && out.size() < max; ++i) {
    Slot& s = slots_[i];
    if (s.state != State::kWaiting) continue;
    if (s.enqueue_ms >= stored_before_ms) break;  // slots are stored in about offset order
    if (s.deliver_ms <= due_after_ms) continue;   // due soon: deliver it rather than copy it
    set_state(s, State::kBusy);
    out.push_back(entry_of(base_ + static_cast<int64_t>(i), s));
  }
  return out;
}

void TimerSchedule::logged(int64_t log_offset, int64_t max_listed) {
  next_log_offset_ = std::max(next_log_offset_, log_offset + 1);
  if (max_listed >= base_) log_.emplace_back(log_offset, max_listed);
}

int64_t TimerSchedule::done_log_watermark() const { return log_.empty() ? next_log_offset_ : log_.front().first; }

void TimerSchedule::compact() {
  if (due_.size() <= 2 * waiting_ + 4096) return;
  std::vector<Due> live;
  live.reserve(waiting_);
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].state == State::kWaiting) live.emplace_back(slots_[i].deliver_ms, base_ + static_cast<int64_t>(i));
  }
  due_ = decltype(due_)(std::greater<>(), std::move(live));
}

void TimerSchedule::advance() {
  while (!slots_.empty() && slots_.front().state == State::kDone) {
    slots_.pop_front();
    ++base_;
  }
  while (!log_.empty() && log_.front().second < base_) log_.pop_front();
}

}  // namespace tern::kernel
