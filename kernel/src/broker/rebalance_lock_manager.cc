// RebalanceLockManager (contract in rebalance_lock_manager.h and tern/broker.h).
#include "broker/rebalance_lock_manager.h"

#include <algorithm>
#include <set>

namespace tern::kernel {
namespace {

std::string describe(const MessageQueue& q) { return q.topic + "/" + q.broker_name + "/" + std::to_string(q.queue_id); }

}  // namespace

RebalanceLockManager::RebalanceLockManager(std::chrono::milliseconds max_live_time, Logger& logger,
                                           std::function<Clock::time_point()> clock)
    : max_live_time_(max_live_time), logger_(logger), clock_(std::move(clock)) {}

std::vector<MessageQueue> RebalanceLockManager::try_lock_batch(std::string_view group, std::string_view client_id,
                                                               const std::vector<MessageQueue>& queues) {
  if (group.empty() || client_id.empty()) return {};
  const std::set<MessageQueue> wanted(queues.begin(), queues.end());
  std::vector<MessageQueue> locked;
  std::lock_guard lock(mu_);
  const Clock::time_point now = clock_();
  auto git = groups_.find(group);
  if (git == groups_.end()) git = groups_.emplace(std::string(group), GroupLocks{}).first;
  GroupLocks& table = git->second;
  for (const MessageQueue& q : wanted) {
    auto it = table.find(q);
    if (it == table.end()) {
      table.emplace(q, LockEntry{std::string(client_id), now});
      logger_.debug("queue lock: ", client_id, " of ", group, " locks ", describe(q));
      locked.push_back(q);
      continue;
    }
    LockEntry& e = it->second;
    if (e.client_id == client_id) {
      // Renewed, even if it had expired: nobody took it in between.
      e.last_update = now;
      locked.push_back(q);
      continue;
    }
    if (expired(e, now)) {
      logger_.info(
          "queue lock: ", describe(q), " of group ", group, " passes from ", e.client_id, " (expired, not renewed for ",
          std::chrono::duration_cast<std::chrono::milliseconds>(now - e.last_update).count(), " ms) to ", client_id);
      e = LockEntry{std::string(client_id), now};
      locked.push_back(q);
      continue;
    }
    logger_.debug("queue lock: ", describe(q), " of group ", group, " is held by ", e.client_id, ", not ", client_id);
  }
  // Sweep: expired locks nobody asked for again (members gone, topics deleted).
  std::erase_if(table, [&](const auto& kv) { return expired(kv.second, now); });
  if (table.empty()) groups_.erase(git);
  return locked;  // `wanted` is sorted and unique, so is this
}

size_t RebalanceLockManager::lock_count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [group, table] : groups_) n += table.size();
  return n;
}

void RebalanceLockManager::unlock_batch(std::string_view group, std::string_view client_id,
                                        const std::vector<MessageQueue>& queues) {
  std::lock_guard lock(mu_);
  auto git = groups_.find(group);
  if (git == groups_.end()) return;
  GroupLocks& table = git->second;
  for (const MessageQueue& q : queues) {
    auto it = table.find(q);
    if (it == table.end()) continue;
    if (it->second.client_id != client_id) {
      logger_.debug("queue lock: ", client_id, " cannot unlock ", describe(q), " of group ", group, ": held by ",
                    it->second.client_id);
      continue;
    }
    table.erase(it);
    logger_.debug("queue lock: ", client_id, " of ", group, " unlocks ", describe(q));
  }
  if (table.empty()) groups_.erase(git);
}

}  // namespace tern::kernel
