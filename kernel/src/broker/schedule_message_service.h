// ScheduleMessageService: delay levels, as RocketMQ 4.x's ScheduleMessageService and the
// topic rewrite in its CommitLog.putMessage do them.
//
// Parking: a message whose DELAY property names a level > 0 is rewritten before the store
// sees it (rewrite_delayed, called by BrokerMessageWriter): its topic and queue go to the
// REAL_TOPIC / REAL_QID properties and it is stored in SCHEDULE_TOPIC_XXXX, queue level-1
// (a level above the table's size is capped to the last level).
//
// Delivery: one task per level reads its schedule queue in order from the level's offset.
// A message is due at its store time + the level's delay (DelayLevels::due_ms). Store
// time rather than a due time in the consume-queue tags code (RocketMQ's way) because the
// store plugin builds consume queues itself from the message's TAGS, and every message of
// one level waits the same delay, so store order is due order and the head of the queue
// is always the next one due. When the head is due it is put into the store again under
// its real topic and queue with DELAY cleared and everything else kept (properties with
// UNIQ_KEY and KEYS, tags, flag, body, born and store hosts, reconsume times); when it is
// not, a timer fires at its due time; when the queue is empty the task parks a long poll
// on it (PullHoldService) and runs again when a message arrives. A level's offset
// advances only after the store accepted the delivered copy, so deliveries are in order
// and at most one per level is in flight.
//
// Progress: <store>/config/delayOffset.json ({"offsetTable":{"1":123,...}}), written by the
// broker services' thread every flushDelayOffsetInterval ms when it changed, and at stop.
// After a crash the file may be behind the deliveries made since its last write; at start
// each level therefore looks up, from its saved offset on, whether the next due message
// was already delivered (a message of its real topic with the same UNIQ_KEY stored after
// it, through the store's key index) and skips those, so a restart neither loses nor
// repeats deliveries. Messages without UNIQ_KEY, or a store with messageIndexEnable=false,
// fall back to at-least-once (they may be delivered again).
//
// Threads: the tasks run on this service's own thread ("schedule"), on timers; gets and
// lookups read the mapped store there, puts complete on store threads and hop back. On a
// SLAVE nothing is delivered (the master does it; the copies are replicated).
//
// Thread-safety: rewrite_delayed and offsets from any thread; load/start/stop from the
// broker's main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "broker/delay_levels.h"
#include "broker/metadata_file.h"
#include "broker/metadata_format.h"
#include "tern/broker.h"
#include "tern/logger.h"
#include "tern/store.h"

namespace tern::kernel {

struct ScheduleOptions {
  std::string file;                                                  // <store>/config/delayOffset.json
  std::string delay_levels = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";  // messageDelayLevel
  bool deliver = true;                                               // false on a SLAVE
  std::chrono::milliseconds retry_after_failed_put{1000};            // a failed re-put is tried again after this
};

// The message a due schedule-topic record becomes: topic and queue from REAL_TOPIC and
// REAL_QID, DELAY cleared, everything else kept, offsets cleared for the store to assign.
// InvalidArgument naming the record when REAL_TOPIC or REAL_QID is missing or malformed.
Result<MessageExt> delivered_copy(const MessageExt& parked);

class ScheduleMessageService {
 public:
  // `holds` wakes a level when its empty queue grows; it must outlive this service's stop().
  ScheduleMessageService(ScheduleOptions options, PullHoldService& holds, Logger& logger);
  ~ScheduleMessageService();  // stop()
  ScheduleMessageService(const ScheduleMessageService&) = delete;
  ScheduleMessageService& operator=(const ScheduleMessageService&) = delete;

  // The parsed table, or the reason messageDelayLevel is unusable (load() returns it too).
  const Result<DelayLevels>& levels() const { return levels_; }
  // Queues SCHEDULE_TOPIC_XXXX needs: one per level (18 with the default table).
  int32_t queue_nums() const { return levels_.is_ok() ? levels_->max_level() : 18; }

  // Reads delayOffset.json (or its backup; RocketMQ's own file with unquoted levels loads
  // too). InvalidArgument for a bad messageDelayLevel, Corruption naming the file.
  Status load();
  MetadataWriter& writer() { return writer_; }

  // CommitLog.putMessage's rewrite: when `message` has a delay level > 0 (and is not a
  // prepared transaction half), moves it to SCHEDULE_TOPIC_XXXX as described at the top
  // and returns true; otherwise leaves it alone and returns false.
  bool rewrite_delayed(MessageExt& message) const;

  // Starts the delivery thread (unless `store` is null or options.deliver is false).
  void start(MessageStore* store);
  // Stops delivery and joins the thread; a put still in flight is not waited for (its
  // level's offset stays before it and the restart check finds it). Idempotent. The
  // caller writes the file afterwards (writer().write_if_dirty()).
  void stop();

  // Level -> next schedule-queue offset to deliver (what delayOffset.json holds).
  DelayOffsetTable offsets() const;
  // Deliveries made since start (for tests and the runtime info).
  int64_t delivered() const { return delivered_.load(); }

  struct Gate;  // between store / hold callbacks and this object

 private:
  // One wake-up source at a time: a timer, a parked long poll, or a put in flight.
  enum class LevelState { kIdle, kTimer, kHolding, kPutting };
  struct Level {
    int level = 0;
    int64_t offset = 0;
    LevelState state = LevelState::kIdle;
    std::deque<std::pair<int64_t, int64_t>> pending;  // (queue offset, commit-log offset), read ahead
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  // Runs `task` on the delivery thread unless the service stopped meanwhile.
  static void post(const std::shared_ptr<Gate>& gate, std::function<void(ScheduleMessageService&)> task);
  // The delivery loop of one level (see the top of the file); on the delivery thread only.
  void process(Level& l);
  void wait_until(Level& l, std::chrono::milliseconds delay);
  void hold(Level& l);
  void deliver(Level& l, const MessageExt& parked, int64_t queue_offset);
  void on_put(Level& l, int64_t queue_offset, Result<PutResult> result);
  void set_offset(Level& l, int64_t offset);
  // The restart check: skips the messages of `l` already delivered before a crash.
  void skip_delivered(Level& l);
  bool was_delivered(const MessageExt& parked);
  std::string snapshot() const;

  const ScheduleOptions options_;
  PullHoldService& holds_;
  Logger& logger_;
  Result<DelayLevels> levels_;
  MetadataWriter writer_;

  mutable std::mutex mutex_;
  DelayOffsetTable offsets_;  // GUARDED_BY(mutex_)
  std::atomic<int64_t> delivered_{0};

  MessageStore* store_ = nullptr;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::unique_ptr<Level>> levels_state_;  // on the delivery thread only, after start
  std::shared_ptr<Gate> gate_;
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace tern::kernel
