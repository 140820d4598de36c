// TimerMessageService: delivery at an arbitrary time (RocketMQ 5's timer messages:
// TIMER_DELIVER_MS, TIMER_DELAY_SEC, TIMER_DELAY_MS; Aliyun's __STARTDELIVERTIME), for
// every protocol: the write path (BrokerMessageWriter) hands it each producer message
// first. Design and guarantees: docs/timer-messages.md; entry layout: timer_message.h.
//
//   park      a message due more than kTimerImmediateMs ahead (and at most
//             timerMaxDelaySec) is stored in timer queue 0 instead of its topic; once the
//             store answered, the entry joins the in-memory schedule (TimerSchedule);
//   deliver   the "timer" thread sleeps until the earliest due time (or a put brings an
//             earlier one), then re-puts due entries to their real topic and queue and
//             appends one delivery-log record (queue 1) listing what it finished;
//   roll      an entry stored more than timerRollWindowSec ago and not due within a
//             minute is rewritten at the queue's end, so a restart reads at most about one
//             window of the queue and retention never removes a waiting message;
//   restart   start() reads the checkpoint (<storePathRootDir>/config/timerCheckpoint.json,
//             written with the other metadata files), then the delivery log and the timer
//             queue from there, and rebuilds the schedule before the first send is taken.
// Entries due while the broker was down are delivered at once after the restart.
//
// Guarantee (kill -9 included, and power loss with SYNC_FLUSH): every acknowledged timer
// message is delivered at least once; it is delivered twice only if the broker died
// between re-putting it and storing the delivery-log record of its batch (at most one
// batch of kTimerBatch), or while it was being rolled.
//
// Thread-safety: try_schedule from any thread (io threads: it never blocks on disk);
// start/stop from the main thread; puts' callbacks may arrive on store threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker/metadata_file.h"
#include "broker/timer_schedule.h"
#include "tern/logger.h"
#include "tern/store.h"

namespace tern::kernel {

struct TimerMessageOptions {
  std::string checkpoint_file;                             // <storePathRootDir>/config/timerCheckpoint.json
  std::chrono::milliseconds max_delay{604800LL * 1000};    // timerMaxDelaySec
  std::chrono::milliseconds roll_window{3600LL * 1000};    // timerRollWindowSec
  // False on a slave (brokerRole=SLAVE): it writes nothing of its own, so its master's
  // timer delivers, as in RocketMQ 5; start() then leaves the service off.
  bool deliver = true;
};

// Entries delivered (or rolled) together, and listed in one delivery-log record.
inline constexpr size_t kTimerBatch = 512;

class TimerMessageService {
 public:
  TimerMessageService(TimerMessageOptions options, Logger& logger);
  ~TimerMessageService();  // stop()
  TimerMessageService(const TimerMessageService&) = delete;
  TimerMessageService& operator=(const TimerMessageService&) = delete;

  // Loads the checkpoint (a missing one means a new store; a corrupt one is logged and the
  // timer queue read from its start, which is safe, only slower), rebuilds the schedule
  // from the store and starts the delivery thread. Blocks on disk: call it at start-up,
  // before protocols take sends. With a null store, or on a slave, it does nothing (no
  // timer then: try_schedule answers Unavailable).
  // IoError naming the file when the checkpoint cannot be read.
  Status start(MessageStore* store);
  // Stops the delivery thread after its current batch. Idempotent.
  void stop();

  // The write path's hook. Returns false, leaving both arguments untouched, when the
  // message is to be stored as it is: no timer property, a time already due (or due within
  // kTimerImmediateMs), or a delay level (whose timer properties it removes first: the
  // level wins, as in RocketMQ 5). Otherwise returns true and takes both: the message is
  // parked in the timer queue and `done` gets the store's answer; or, for a bad timer
  // property or a time beyond timerMaxDelaySec, `done` gets InvalidArgument naming the
  // property, its value and the limit. Before start() or after stop(): `done` gets
  // Unavailable.
  bool try_schedule(MessageExt& message, PutCallback& done);
  // The same for a batch (one topic and queue): when any message of it is timed, the whole
  // batch is parked at once (those without a future time are due at once), so it is
  // stored all or nothing as a batch must be. One bad property refuses the batch.
  bool try_schedule(std::vector<MessageExt>& messages, PutCallback& done);

  // timerCheckpoint.json; the broker services write it with the other metadata files.
  MetadataWriter& checkpoint_writer() { return checkpoint_; }
  // Entries waiting to be delivered (busy ones excluded).
  size_t waiting() const;
  // What the checkpoint would say now.
  int64_t low_watermark() const;

 private:
  // Parks `messages` (already re-addressed) and schedules them at `deliver_ms` once stored.
  void park(std::vector<MessageExt> messages, std::vector<int64_t> deliver_ms, PutCallback done);
  // A stored put of parked entries: they join the schedule.
  void on_parked(const PutResult& result, const std::vector<int64_t>& deliver_ms);
  Status rebuild();
  void read_delivery_log(int64_t from, int64_t timer_end);
  void read_timer_queue(int64_t from, int64_t end);
  void run();
  // Re-puts `due` to their topics and `stale` to the timer queue, waits for the store's
  // answers, then logs what is finished. On the timer thread, without the lock.
  void process(const std::vector<TimerEntry>& due, const std::vector<TimerEntry>& stale);
  void log_finished(const std::vector<int64_t>& offsets);
  std::string snapshot() const;
  MessageStore* store() const { return store_.load(std::memory_order_acquire); }

  const TimerMessageOptions options_;
  Logger& logger_;
  MetadataWriter checkpoint_;
  std::atomic<MessageStore*> store_{nullptr};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  TimerSchedule schedule_;                                   // GUARDED_BY(mutex_)
  int64_t sleep_until_ms_ = std::numeric_limits<int64_t>::max();  // GUARDED_BY(mutex_)
  bool stopping_ = false;                                    // GUARDED_BY(mutex_)
  int64_t failures_logged_at_ms_ = 0;                        // timer thread only
  std::thread thread_;
};

}  // namespace tern::kernel
