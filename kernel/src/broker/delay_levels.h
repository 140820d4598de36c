// DelayLevels: the broker's delay-level table (messageDelayLevel, "1s 5s 10s ... 2h"), as
// RocketMQ's ScheduleMessageService parses it, and the arithmetic built on it: which
// SCHEDULE_TOPIC_XXXX queue holds a level, and when a message parked there is due.
//
// Level n (1-based) waits the n-th duration; it lives in queue n-1 of SCHEDULE_TOPIC_XXXX.
// A level above the table's size is treated as the last one (RocketMQ caps it the same way).
//
// Thread-safety: an immutable value after parse().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tern/status.h"

namespace tern::kernel {

class DelayLevels {
 public:
  // Parses a space-separated list of durations: RocketMQ's units s, m, h, d and Tern's ms
  // ("100ms 200ms", for tests). InvalidArgument naming messageDelayLevel and the first bad
  // token; an empty table is refused too.
  static Result<DelayLevels> parse(std::string_view text);

  // Number of levels (18 with RocketMQ's default table).
  int max_level() const { return static_cast<int>(delays_ms_.size()); }
  // `level` brought into 1..max_level() (RocketMQ caps a level above the table's size).
  int cap(int level) const;
  // Delay of `level` (capped) in ms.
  int64_t delay_ms(int level) const { return delays_ms_[static_cast<size_t>(cap(level) - 1)]; }
  const std::vector<int64_t>& delays_ms() const { return delays_ms_; }

  static int32_t queue_id(int level) { return level - 1; }
  static int level_of_queue(int32_t queue_id) { return queue_id + 1; }

  // When a message stored at `store_timestamp_ms` in `level` is due (ms since the epoch):
  // store time + the level's delay. A due time later than `now_ms` + the delay means the
  // clock went back since the message was stored; it is then due now, as RocketMQ's
  // correctDeliverTimestamp does, rather than after the jump plus the delay.
  int64_t due_ms(int level, int64_t store_timestamp_ms, int64_t now_ms) const;

 private:
  std::vector<int64_t> delays_ms_;
};

}  // namespace tern::kernel
