// ProducerManager: producer registrations and their expiry.
#include "broker/producer_manager.h"

namespace tern::kernel {

void ProducerManager::heartbeat(const std::shared_ptr<ClientChannel>& channel, std::string_view group,
                                std::string_view client_id, std::string_view language, int32_t version) {
  std::string address = channel->remote_address();  // plugin code: not under our lock
  std::lock_guard lock(mutex_);
  auto g = groups_.find(group);
  if (g == groups_.end()) g = groups_.emplace(std::string(group), Members{}).first;
  auto m = g->second.find(client_id);
  if (m == g->second.end()) m = g->second.emplace(std::string(client_id), ClientMember{}).first;
  m->second.refresh(channel, std::move(address), client_id, language, version);
}

void ProducerManager::unregister(std::string_view group, std::string_view client_id) {
  std::lock_guard lock(mutex_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return;
  auto m = g->second.find(client_id);
  if (m != g->second.end()) g->second.erase(m);
  if (g->second.empty()) groups_.erase(g);
}

void ProducerManager::channel_closed(const ClientChannel* channel) {
  std::lock_guard lock(mutex_);
  for (auto g = groups_.begin(); g != groups_.end();) {
    std::erase_if(g->second, [channel](const auto& entry) { return entry.second.channel_key == channel; });
    g = g->second.empty() ? groups_.erase(g) : std::next(g);
  }
}

size_t ProducerManager::scan_expired(std::chrono::steady_clock::time_point now) {
  size_t dropped = 0;
  std::lock_guard lock(mutex_);
  for (auto g = groups_.begin(); g != groups_.end();) {
    dropped += std::erase_if(g->second, [&](const auto& entry) { return entry.second.expired(now, expiry_); });
    g = g->second.empty() ? groups_.erase(g) : std::next(g);
  }
  return dropped;
}

void ProducerManager::clear() {
  std::map<std::string, Members, std::less<>> gone;
  std::lock_guard lock(mutex_);
  gone.swap(groups_);
}

std::vector<ClientInfo> ProducerManager::producers(std::string_view group) const {
  std::vector<ClientInfo> out;
  std::lock_guard lock(mutex_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return out;
  for (const auto& [id, m] : g->second) {
    if (m.alive()) out.push_back(m.info);
  }
  return out;
}

std::shared_ptr<ClientChannel> ProducerManager::any_channel(std::string_view group) const {
  // Declared before the lock: if this ends up the last reference, the channel is destroyed
  // after the lock is released (its destructor may call channel_closed()).
  std::shared_ptr<ClientChannel> best;
  std::lock_guard lock(mutex_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return nullptr;
  const ClientMember* newest = nullptr;
  for (const auto& [id, m] : g->second) {
    if (m.alive() && (!newest || m.last_seen > newest->last_seen)) newest = &m;
  }
  if (newest) best = newest->channel.lock();
  return best;
}

}  // namespace tern::kernel
