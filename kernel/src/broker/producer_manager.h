// ProducerManager: live producers by group, from their heartbeats (RocketMQ's
// ProducerManager). The broker needs them for transaction check-back (a live connection of
// the producer group) and for the admin's producer-connection view.
//
// Thread-safety: every method from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/client_member.h"
#include "tern/broker.h"

namespace tern::kernel {

class ProducerManager {
 public:
  explicit ProducerManager(std::chrono::milliseconds expiry) : expiry_(expiry) {}

  void heartbeat(const std::shared_ptr<ClientChannel>& channel, std::string_view group, std::string_view client_id,
                 std::string_view language, int32_t version);
  void unregister(std::string_view group, std::string_view client_id);
  void channel_closed(const ClientChannel* channel);
  // Drops producers not heard from within the expiry timeout before `now`, or whose
  // connection is gone. Returns how many.
  size_t scan_expired(std::chrono::steady_clock::time_point now);
  void clear();

  std::vector<ClientInfo> producers(std::string_view group) const;  // sorted by client id
  // The live channel of the group's most recently heard-from producer, or null.
  std::shared_ptr<ClientChannel> any_channel(std::string_view group) const;

 private:
  using Members = std::map<std::string, ClientMember, std::less<>>;  // by client id
  const std::chrono::milliseconds expiry_;
  mutable std::mutex mutex_;
  std::map<std::string, Members, std::less<>> groups_;  // GUARDED_BY(mutex_)
};

}  // namespace tern::kernel
