// TimerSchedule: TimerMessageService's in-memory state: which timer-queue entries wait and
// until when, which are being delivered, and from that the two offsets its checkpoint
// keeps (docs/timer-messages.md). No I/O, no clock, no lock: the service calls it under
// its own mutex.
//
// The offsets of timer queue 0 form a window [low_watermark(), ...) of slots, each
//   unknown  stored, but its put has not reported back yet (or a restart has not read it);
//   waiting  due at its deliver time;
//   busy     being delivered, or re-parked at a new offset (rolled);
//   done     delivered or re-parked.
// The window's front moves past done slots: every offset below low_watermark() is done,
// and a restart reads the queue again from there. The delivery log (queue 1) lists done
// offsets; done_log_watermark() is the first log record a restart must read: every
// earlier record lists only offsets below low_watermark().
//
// Memory: 32 bytes per slot in the window plus 16 per waiting entry (up to twice that
// while stale heap pairs wait for a compaction).
//
// Thread-safety: none (see above).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

namespace tern::kernel {

struct TimerEntry {
  int64_t queue_offset = 0;       // in timer queue 0
  int64_t commit_log_offset = 0;  // where the stored entry is
  int64_t deliver_ms = 0;         // due time, ms since the epoch
  int64_t enqueue_ms = 0;         // when it was stored, ms since the epoch

  friend bool operator==(const TimerEntry&, const TimerEntry&) = default;
};

class TimerSchedule {
 public:
  // The window starts at `first_offset` of the timer queue and `first_log_offset` of the
  // delivery log (a restart's scan starts; 0 and 0 for a new store).
  explicit TimerSchedule(int64_t first_offset = 0, int64_t first_log_offset = 0);

  // An entry stored at entry.queue_offset waits until entry.deliver_ms. Ignored when that
  // slot is already done (the delivery log said so) or below the window.
  void add(const TimerEntry& entry);
  // Busy entries are done (delivered, re-parked elsewhere, or unreadable); at a restart,
  // also offsets the delivery log lists and offsets that hold nothing to deliver.
  void finish(int64_t queue_offset);
  // A busy entry waits again, until `deliver_ms` (its delivery failed and will be retried).
  void retry(int64_t queue_offset, int64_t deliver_ms);

  // True when `queue_offset` is below the window or its slot is done.
  bool is_done(int64_t queue_offset) const;

  // The earliest due time among waiting entries; nullopt when none waits.
  std::optional<int64_t> next_deliver_ms();
  // Up to `max` waiting entries due at or before `now_ms`, earliest first; they become busy.
  std::vector<TimerEntry> take_due(int64_t now_ms, size_t max);
  // Up to `max` waiting entries stored before `stored_before_ms` whose due time is after
  // `due_after_ms`, oldest first: the ones to re-park; they become busy. Looks at no more
  // than `max_scan` slots from the window's front.
  std::vector<TimerEntry> take_stale(int64_t stored_before_ms, int64_t due_after_ms, size_t max,
                                     size_t max_scan = 100000);

  // A delivery-log record stored at `log_offset` listing queue-0 offsets up to `max_listed`.
  void logged(int64_t log_offset, int64_t max_listed);

  int64_t low_watermark() const { return base_; }
  int64_t done_log_watermark() const;
  // First offset not yet known (the window's end).
  int64_t end_offset() const { return base_ + static_cast<int64_t>(slots_.size()); }
  size_t waiting() const { return waiting_; }
  size_t busy() const { return busy_; }
  // Pairs in the due-time heap, stale ones included (kept below 2 * waiting() + 4096).
  size_t heap_size() const { return due_.size(); }

 private:
  enum class State : uint8_t { kUnknown, kWaiting, kBusy, kDone };
  struct Slot {
    int64_t commit_log_offset = 0;
    int64_t deliver_ms = 0;
    int64_t enqueue_ms = 0;
    State state = State::kUnknown;
  };
  using Due = std::pair<int64_t, int64_t>;  // deliver_ms, queue offset

  // The slot of `offset`, growing the window to reach it; nullptr below the window.
  Slot* slot(int64_t offset);
  // Pops done slots off the front and log records that only list offsets below it.
  void advance();
  // Rebuilds the heap from the waiting slots when stale pairs (left by rolled, retried
  // and finished entries) outnumber the live ones: a message rolled every hour for a week
  // would otherwise leave 168 pairs behind.
  void compact();
  void set_state(Slot& s, State state);
  TimerEntry entry_of(int64_t offset, const Slot& s) const;

  int64_t base_;
  std::deque<Slot> slots_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;  // may hold stale pairs
  size_t waiting_ = 0;
  size_t busy_ = 0;
  std::deque<std::pair<int64_t, int64_t>> log_;  // (log offset, max listed offset), ascending
  int64_t next_log_offset_;
};

}  // namespace tern::kernel
