// ConsumerManager: group membership, subscriptions and change notices.
#include "broker/consumer_manager.h"

#include <algorithm>
#include <set>

namespace tern::kernel {

ConsumerManager::ConsumerManager(bool notify_enabled, std::chrono::milliseconds expiry, Logger& logger)
    : notify_enabled_(notify_enabled), expiry_(expiry), logger_(logger) {}

ConsumerManager::Notice ConsumerManager::notice_for(const std::string& name, const Group& group) {
  Notice n{name, {}};
  for (const auto& [id, member] : group.members) {
    if (auto ch = member.channel.lock()) n.channels.push_back(std::move(ch));
  }
  return n;
}

void ConsumerManager::deliver(const std::vector<Notice>& notices) const {
  if (!notify_enabled_) return;
  for (const Notice& n : notices) {
    if (n.channels.empty()) continue;
    if (group_policy_ && !group_policy_(n.group)) continue;
    for (const auto& ch : n.channels) ch->notify_consumer_ids_changed(n.group);
  }
}

bool ConsumerManager::heartbeat(const std::shared_ptr<ClientChannel>& channel, ConsumerHeartbeat hb) {
  std::vector<Notice> notices;
  bool joined = false;
  bool topics_changed = false;
  std::string address = channel->remote_address();
  {
    std::lock_guard lock(mutex_);
    Group& g = groups_[hb.group];
    g.consume_type = hb.consume_type;
    g.message_model = hb.message_model;
    g.consume_from_where = hb.consume_from_where;

    auto it = g.members.find(hb.client_id);
    // A client id whose old connection is gone joins anew: the others dropped it already
    // or will at their next rebalance, so they must hear it is back.
    joined = it == g.members.end() || !it->second.alive();
    ClientMember& m = g.members[hb.client_id];
    m.refresh(channel, address, hb.client_id, hb.language, hb.version);

    std::set<std::string, std::less<>> topics;
    for (Subscription& s : hb.subscriptions) {
      topics.insert(s.topic);
      auto sub = g.subscriptions.find(s.topic);
      if (sub == g.subscriptions.end()) {
        topics_changed = true;
        std::string topic = s.topic;
        g.subscriptions.emplace(std::move(topic), std::move(s));
      } else if (s.version > sub->second.version) {
        sub->second = std::move(s);
      }
    }
    for (auto sub = g.subscriptions.begin(); sub != g.subscriptions.end();) {
      if (!topics.count(sub->first)) {
        sub = g.subscriptions.erase(sub);
        topics_changed = true;
      } else {
        ++sub;
      }
    }
    if (joined || topics_changed) notices.push_back(notice_for(hb.group, g));
  }
  if (joined) logger_.info("consumer ", hb.client_id, " joined group ", hb.group, " from ", address);
  deliver(notices);
  return joined || topics_changed;
}

void ConsumerManager::unregister(std::string_view group, std::string_view client_id) {
  std::vector<Notice> notices;
  {
    std::lock_guard lock(mutex_);
    auto g = groups_.find(group);
    if (g == groups_.end()) return;
    auto m = g->second.members.find(client_id);
    if (m == g->second.members.end()) return;
    g->second.members.erase(m);
    if (g->second.members.empty()) {
      groups_.erase(g);
    } else {
      notices.push_back(notice_for(g->first, g->second));
    }
  }
  logger_.info("consumer ", client_id, " left group ", group);
  deliver(notices);
}

void ConsumerManager::channel_closed(const ClientChannel* channel) {
  std::vector<Notice> notices;
  {
    std::lock_guard lock(mutex_);
    for (auto g = groups_.begin(); g != groups_.end();) {
      bool removed = false;
      auto& members = g->second.members;
      for (auto m = members.begin(); m != members.end();) {
        if (m->second.channel_key == channel) {
          m = members.erase(m);
          removed = true;
        } else {
          ++m;
        }
      }
      if (members.empty()) {
        g = groups_.erase(g);
        continue;
      }
      if (removed) notices.push_back(notice_for(g->first, g->second));
      ++g;
    }
  }
  deliver(notices);
}

void ConsumerManager::scan_expired(std::chrono::steady_clock::time_point now) {
  std::vector<Notice> notices;
  std::vector<std::string> dropped;
  {
    std::lock_guard lock(mutex_);
    for (auto g = groups_.begin(); g != groups_.end();) {
      bool removed = false;
      auto& members = g->second.members;
      for (auto m = members.begin(); m != members.end();) {
        if (m->second.expired(now, expiry_)) {
          dropped.push_back(m->first + " of group " + g->first);
          m = members.erase(m);
          removed = true;
        } else {
          ++m;
        }
      }
      if (members.empty()) {
        g = groups_.erase(g);
        continue;
      }
      if (removed) notices.push_back(notice_for(g->first, g->second));
      ++g;
    }
  }
  for (const auto& d : dropped) logger_.info("consumer ", d, " expired (no heartbeat or connection gone)");
  deliver(notices);
}

void ConsumerManager::clear() {
  std::map<std::string, Group, std::less<>> gone;
  {
    std::lock_guard lock(mutex_);
    gone.swap(groups_);
  }
  // `gone` releases the weak references here, outside the lock.
}

std::vector<std::string> ConsumerManager::consumer_ids(std::string_view group) const {
  std::vector<std::string> ids;
  std::lock_guard lock(mutex_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return ids;
  for (const auto& [id, m] : g->second.members) {
    if (m.alive()) ids.push_back(id);  // map order: sorted
  }
  return ids;
}

std::vector<std::shared_ptr<ClientChannel>> ConsumerManager::channels(std::string_view group) const {
  std::lock_guard lock(mutex_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return {};
  std::vector<std::shared_ptr<ClientChannel>> out = notice_for(g->first, g->second).channels;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<ConsumerGroupInfo> ConsumerManager::group_info(std::string_view group) const {
  std::lock_guard lock(mutex_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return std::nullopt;
  ConsumerGroupInfo info;
  info.group = g->first;
  info.consume_type = g->second.consume_type;
  info.message_model = g->second.message_model;
  info.consume_from_where = g->second.consume_from_where;
  for (const auto& [topic, s] : g->second.subscriptions) info.subscriptions.emplace(topic, s);
  for (const auto& [id, m] : g->second.members) {
    if (m.alive()) info.members.push_back(m.info);
  }
  if (info.members.empty()) return std::nullopt;
  return info;
}

std::vector<std::string> ConsumerManager::groups() const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, g] : groups_) {
    for (const auto& [id, m] : g.members) {
      if (m.alive()) {
        out.push_back(name);
        break;
      }
    }
  }
  return out;
}

std::optional<Subscription> ConsumerManager::subscription(std::string_view group, std::string_view topic) const {
  std::lock_guard lock(mutex_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return std::nullopt;
  auto s = g->second.subscriptions.find(topic);
  if (s == g->second.subscriptions.end()) return std::nullopt;
  return s->second;
}

}  // namespace tern::kernel
