// RebalanceLockManager: the kernel's QueueLocks (tern/broker.h), RocketMQ's broker-side
// table of queue locks for orderly consumers: per group, queue -> (client id, last
// renewal). A lock is live while its last renewal is at most `max_live_time` old
// (rebalanceLockMaxLiveTime); an expired lock still names its client, which may renew it
// (if nobody took it) or release it.
//
// Expired entries are swept on the way (each try_lock_batch drops the group's expired
// entries it did not renew), so groups and topics that went away do not leak.
//
// Thread-safety: every method from any thread; one mutex guards the table (each call
// is a few map operations; no callback, no I/O besides the log).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "tern/broker.h"
#include "tern/logger.h"

namespace tern::kernel {

class RebalanceLockManager final : public QueueLocks {
 public:
  using Clock = std::chrono::steady_clock;

  // `clock` is the time source (tests pass a controllable one).
  RebalanceLockManager(std::chrono::milliseconds max_live_time, Logger& logger,
                       std::function<Clock::time_point()> clock = &Clock::now);

  std::vector<MessageQueue> try_lock_batch(std::string_view group, std::string_view client_id,
                                           const std::vector<MessageQueue>& queues) override;
  void unlock_batch(std::string_view group, std::string_view client_id,
                    const std::vector<MessageQueue>& queues) override;

  std::chrono::milliseconds max_live_time() const { return max_live_time_; }
  // Entries in the table, expired ones not yet swept included.
  size_t lock_count() const;

 private:
  struct LockEntry {
    std::string client_id;
    Clock::time_point last_update;
  };
  using GroupLocks = std::map<MessageQueue, LockEntry>;

  bool expired(const LockEntry& e, Clock::time_point now) const { return now - e.last_update > max_live_time_; }

  const std::chrono::milliseconds max_live_time_;
  Logger& logger_;
  const std::function<Clock::time_point()> clock_;
  mutable std::mutex mu_;
  std::map<std::string, GroupLocks, std::less<>> groups_;  // guarded by mu_
};

}  // namespace tern::kernel
