// PullRequestHoldService: long polling, as RocketMQ's PullRequestHoldService does it. A
// pull that found nothing new is parked here, keyed by topic and queue, until the store
// says the queue grew past the pull's offset (the store's arrival listener, on the
// store's dispatch thread) or the pull's deadline passes (this service's own thread).
//
// Each hold is woken exactly once: whoever takes it out of the table under the lock calls
// its `wake`, always after releasing the lock. At the deadline the queue is looked at once
// more, so a hold whose message arrived unnoticed still wakes with true.
//
// Without a store (none loaded) holds wake only at their deadline, with false.
//
// Thread-safety: hold() and notify_message_arriving() from any thread; start/stop from
// the broker's main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tern/broker.h"
#include "tern/logger.h"
#include "tern/store.h"

namespace tern::kernel {

class PullRequestHoldService final : public PullHoldService {
 public:
  explicit PullRequestHoldService(Logger& logger);
  ~PullRequestHoldService() override;  // stop()

  // Starts the deadline thread and, when `store` is not null, becomes its arrival
  // listener. Holds parked before start() stay parked and are served from then on.
  void start(MessageStore* store);
  // Detaches from the store, wakes every parked hold with false and joins the thread;
  // a hold() after stop() wakes at once with false. Idempotent.
  void stop();

  void hold(std::string_view topic, int32_t queue_id, int64_t offset, std::chrono::steady_clock::time_point deadline,
            std::function<void(bool arrived)> wake) override;

  // The store's arrival listener: wakes the queue's holds whose offset is below max_offset.
  void notify_message_arriving(std::string_view topic, int32_t queue_id, int64_t max_offset);

  // Holds parked now (for tests and the runtime info).
  size_t held() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Hold {
    std::string topic;
    int32_t queue_id = 0;
    int64_t offset = 0;
    Clock::time_point deadline;
    std::function<void(bool)> wake;
  };

  // Removes hold `id` from every index; the caller holds mutex_. False if already taken.
  bool take_locked(uint64_t id, Hold* out);
  // True when the store knows a message past `offset` in the queue.
  bool has_new_messages(const Hold& h) const;
  void run();

  Logger& logger_;
  std::atomic<MessageStore*> store_{nullptr};

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;                                    // GUARDED_BY(mutex_)
  uint64_t next_id_ = 1;                                    // GUARDED_BY(mutex_)
  std::unordered_map<uint64_t, Hold> holds_;                // GUARDED_BY(mutex_)
  std::set<std::pair<Clock::time_point, uint64_t>> by_deadline_;  // GUARDED_BY(mutex_)
  // topic -> queue id -> hold ids (usually one or two: one per consumer group).
  std::map<std::string, std::map<int32_t, std::vector<uint64_t>>, std::less<>> by_queue_;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace tern::kernel
