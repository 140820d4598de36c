// Timer messages (RocketMQ 5's delivery at an arbitrary time, and Aliyun's
// __STARTDELIVERTIME): what the write path reads from a producer's message, and how a
// message becomes an entry of the timer topic and back. No I/O and no clock here (callers
// pass "now"): TimerMessageService stores, schedules and delivers.
//
// The timer topic, rmq_sys_wheel_timer (RocketMQ 5's name), is written by the broker
// alone and has no topic-table entry, so it is neither routed nor pulled. Its queues:
//   0  the timed messages: each one as the producer sent it, re-addressed to the timer
//      topic, with its due time in TIMER_OUT_MS and its real topic and queue in REAL_TOPIC
//      and REAL_QID (RocketMQ 5's layout);
//   1  the delivery log: one record per delivered batch whose body lists the queue-0
//      offsets it finished, in decimal, comma-separated ("12,13,40"), so that a restart
//      does not deliver them again (docs/timer-messages.md).
// A delivered message goes back to its real topic and queue with every property kept
// (UNIQ_KEY, KEYS, TAGS, the timer properties) plus TIMER_ENQUEUE_MS and TIMER_DEQUEUE_MS,
// as RocketMQ 5 delivers it; TIMER_OUT_MS on it keeps it from being timed again.
//
// Thread-safety: free functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tern/message.h"
#include "tern/status.h"

namespace tern::kernel {

inline constexpr int32_t kTimerQueueId = 0;      // timed messages
inline constexpr int32_t kTimerDoneQueueId = 1;  // the delivery log
// A message due within this many ms of its arrival is stored directly in its topic: the
// timer topic would only add two writes to deliver it at about the same moment.
inline constexpr int64_t kTimerImmediateMs = 10;

// The due time a producer asked for, in ms since the epoch, read from (first found wins)
// TIMER_DELAY_SEC (from `now_ms`), TIMER_DELAY_MS (from `now_ms`), TIMER_DELIVER_MS, then
// __STARTDELIVERTIME (both absolute). The result may lie in the past. Returns:
//   - nullopt when the message is not a timer message: none of those properties; or a
//     delay level (RocketMQ 5 lets the level win: see drop_timer_properties); or
//     TIMER_OUT_MS already set (a message the timer delivered, sent again); or a
//     transaction half or rollback message (timers apply once it is committed);
//   - InvalidArgument naming the property and its value when the value is not a whole
//     number, is negative or overflows, or when the time lies more than `max_delay_ms`
//     after `now_ms` (the message names timerMaxDelaySec, the broker key that sets it).
Result<std::optional<int64_t>> requested_deliver_ms(const MessageExt& message, int64_t now_ms,
                                                    int64_t max_delay_ms);

// Removes the four timer properties (a message with a delay level is delayed by its level
// alone, as RocketMQ 5 does).
void drop_timer_properties(Message* message);

// Re-addresses `message` to the timer queue, due at `deliver_ms` (REAL_TOPIC, REAL_QID,
// TIMER_OUT_MS set; topic rmq_sys_wheel_timer, queue 0).
void to_timer_entry(MessageExt* message, int64_t deliver_ms);

// TIMER_OUT_MS of a stored timer entry; Corruption naming the value when it is missing or
// not a number.
Result<int64_t> timer_out_ms(const Message& entry);

// The message to put into its real topic for `entry` (a stored timer-queue message):
// topic and queue from REAL_TOPIC and REAL_QID, body, flag, sys flag, born time and host,
// store host and reconsume times kept, TIMER_ENQUEUE_MS = the entry's store time,
// TIMER_DEQUEUE_MS = `now_ms`. Corruption when REAL_TOPIC or REAL_QID is missing or bad.
Result<MessageExt> timer_entry_to_delivery(const MessageExt& entry, int64_t now_ms);

// A fresh timer-queue entry for `entry`, to park it again (TIMER_ROLL_TIMES + 1): a
// message waiting longer than timerRollWindowSec is rewritten so that neither retention
// nor the restart scan has to reach back to its first write.
MessageExt timer_entry_to_roll(const MessageExt& entry);

// The delivery log's record body: queue-0 offsets in decimal, comma-separated.
std::string encode_timer_done_offsets(const std::vector<int64_t>& offsets);
// Parses such a body; Corruption naming the position of the first bad character, an
// empty item or a negative or overflowing number. An empty body is an empty list.
Result<std::vector<int64_t>> decode_timer_done_offsets(std::string_view body);

}  // namespace tern::kernel
