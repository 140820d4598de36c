// RouteInfoManager (contract in route_info_manager.h).
#include "route_info_manager.h"

#include <chrono>
#include <mutex>

namespace tern::remoting {

int64_t RouteInfoManager::steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RouteInfoManager::RouteInfoManager(Logger& logger, int64_t broker_expired_ms, Clock clock)
    : logger_(logger), broker_expired_ms_(broker_expired_ms), clock_(std::move(clock)) {}

RouteInfoManager::RegisterResult RouteInfoManager::register_broker(const Registration& reg,
                                                                   const RegisterBrokerBody& body) {
  RegisterResult result;
  std::unique_lock lock(mu_);
  cluster_addr_table_[reg.cluster_name].insert(reg.broker_name);

  bool register_first = false;
  auto [it, inserted] = broker_addr_table_.try_emplace(reg.broker_name);
  BrokerData& broker = it->second;
  if (inserted) {
    register_first = true;
    broker.cluster = reg.cluster_name;
    broker.broker_name = reg.broker_name;
  }
  // One address has one id: a slave switched to master is first removed under its old id.
  for (auto a = broker.broker_addrs.begin(); a != broker.broker_addrs.end();) {
    if (a->second == reg.broker_addr && a->first != reg.broker_id) {
      a = broker.broker_addrs.erase(a);
    } else {
      ++a;
    }
  }
  auto [addr_it, addr_new] = broker.broker_addrs.insert_or_assign(reg.broker_id, reg.broker_addr);
  (void)addr_it;
  register_first = register_first || addr_new;

  auto live = broker_live_table_.find(reg.broker_addr);
  bool changed = live == broker_live_table_.end() || !live->second.data_version || !body.data_version ||
                 *live->second.data_version != *body.data_version;
  if (reg.broker_id == kMasterId && (changed || register_first)) {
    for (const RegisteredTopic& t : body.topics) {
      QueueData q{reg.broker_name, t.read_queue_nums, t.write_queue_nums, t.perm, t.topic_sys_flag};
      auto& queues = topic_queue_table_[t.topic];
      auto old = queues.find(reg.broker_name);
      if (old == queues.end()) {
        if (queues.empty()) logger_.info("new topic registered: ", t.topic, " on broker ", reg.broker_name);
        queues.emplace(reg.broker_name, std::move(q));
      } else if (old->second != q) {
        logger_.info("topic ", t.topic, " changed on broker ", reg.broker_name, ": read/write queues ",
                     old->second.read_queue_nums, "/", old->second.write_queue_nums, " perm ", old->second.perm,
                     " -> ", q.read_queue_nums, "/", q.write_queue_nums, " perm ", q.perm);
        old->second = std::move(q);
      }
    }
  }

  BrokerLiveInfo info{clock_(), body.data_version, reg.ha_server_addr, reg.connection};
  if (live == broker_live_table_.end()) {
    broker_live_table_.emplace(reg.broker_addr, std::move(info));
    logger_.info("new broker registered: ", reg.broker_name, " id ", reg.broker_id, " at ", reg.broker_addr,
                 " in cluster ", reg.cluster_name, ", HAServer ", reg.ha_server_addr, ", ", body.topics.size(),
                 " topic(s)");
  } else {
    live->second = std::move(info);
  }

  if (body.filter_servers) {
    if (body.filter_servers->empty()) {
      filter_server_table_.erase(reg.broker_addr);
    } else {
      filter_server_table_[reg.broker_addr] = *body.filter_servers;
    }
  }

  if (reg.broker_id != kMasterId) {
    auto master = broker.broker_addrs.find(kMasterId);
    if (master != broker.broker_addrs.end()) {
      auto master_live = broker_live_table_.find(master->second);
      if (master_live != broker_live_table_.end()) {
        result.ha_server_addr = master_live->second.ha_server_addr;
        result.master_addr = master->second;
      }
    }
  }
  return result;
}

void RouteInfoManager::remove_broker_name_locked(const std::string& broker_name) {
  broker_addr_table_.erase(broker_name);
  for (auto c = cluster_addr_table_.begin(); c != cluster_addr_table_.end();) {
    c->second.erase(broker_name);
    if (c->second.empty()) {
      logger_.info("cluster ", c->first, " has no broker left; removed");
      c = cluster_addr_table_.erase(c);
    } else {
      ++c;
    }
  }
  for (auto t = topic_queue_table_.begin(); t != topic_queue_table_.end();) {
    t->second.erase(broker_name);
    if (t->second.empty()) {
      logger_.info("topic ", t->first, " has no broker left; removed from routes");
      t = topic_queue_table_.erase(t);
    } else {
      ++t;
    }
  }
}

void RouteInfoManager::unregister_broker(const std::string& cluster_name, const std::string& broker_addr,
                                         const std::string& broker_name, int64_t broker_id) {
  std::unique_lock lock(mu_);
  bool was_live = broker_live_table_.erase(broker_addr) != 0;
  filter_server_table_.erase(broker_addr);
  logger_.info("unregister broker ", broker_name, " id ", broker_id, " at ", broker_addr, " of cluster ",
               cluster_name, was_live ? "" : " (was not live)");
  auto b = broker_addr_table_.find(broker_name);
  if (b == broker_addr_table_.end()) return;
  b->second.broker_addrs.erase(broker_id);
  if (b->second.broker_addrs.empty()) remove_broker_name_locked(broker_name);
}

void RouteInfoManager::remove_broker_addr_locked(const std::string& broker_addr, const std::string& why) {
  broker_live_table_.erase(broker_addr);
  filter_server_table_.erase(broker_addr);
  for (auto& [name, broker] : broker_addr_table_) {
    for (auto a = broker.broker_addrs.begin(); a != broker.broker_addrs.end(); ++a) {
      if (a->second != broker_addr) continue;
      logger_.info("broker ", name, " id ", a->first, " at ", broker_addr, " of cluster ", broker.cluster,
                   " removed from routes: ", why);
      broker.broker_addrs.erase(a);
      if (broker.broker_addrs.empty()) {
        std::string removed = name;  // `name` dies with the entry
        remove_broker_name_locked(removed);
      }
      return;
    }
  }
  logger_.info("broker at ", broker_addr, " removed: ", why);
}

int RouteInfoManager::scan_not_active_brokers() {
  int64_t now = clock_();
  std::unique_lock lock(mu_);
  std::vector<std::pair<std::string, int64_t>> expired;
  for (const auto& [addr, info] : broker_live_table_) {
    if (info.last_update_ms + broker_expired_ms_ < now) expired.emplace_back(addr, now - info.last_update_ms);
  }
  for (const auto& [addr, silent_ms] : expired) {
    remove_broker_addr_locked(addr, "not heard from for " + std::to_string(silent_ms) + " ms (brokerExpiredTime " +
                                        std::to_string(broker_expired_ms_) + " ms)");
  }
  return static_cast<int>(expired.size());
}

int RouteInfoManager::on_connection_closed(const void* connection) {
  if (connection == nullptr) return 0;
  std::unique_lock lock(mu_);
  std::vector<std::string> addrs;
  for (const auto& [addr, info] : broker_live_table_) {
    if (info.connection == connection) addrs.push_back(addr);
  }
  for (const auto& addr : addrs) remove_broker_addr_locked(addr, "its connection to the name server closed");
  return static_cast<int>(addrs.size());
}

std::optional<TopicRouteData> RouteInfoManager::pickup_topic_route(const std::string& topic) const {
  std::shared_lock lock(mu_);
  auto t = topic_queue_table_.find(topic);
  if (t == topic_queue_table_.end()) return std::nullopt;
  TopicRouteData route;
  for (const auto& [broker_name, queue] : t->second) {
    route.queue_datas.push_back(queue);
    auto b = broker_addr_table_.find(broker_name);
    if (b == broker_addr_table_.end()) continue;
    route.broker_datas.push_back(b->second);
    if (filter_server_table_.empty()) continue;
    for (const auto& [id, addr] : b->second.broker_addrs) {
      if (auto f = filter_server_table_.find(addr); f != filter_server_table_.end()) {
        route.filter_server_table[addr] = f->second;
      }
    }
  }
  if (route.broker_datas.empty()) return std::nullopt;
  return route;
}

std::string RouteInfoManager::cluster_info_json() const {
  std::shared_lock lock(mu_);
  return encode_cluster_info(broker_addr_table_, cluster_addr_table_);
}

std::vector<std::string> RouteInfoManager::all_topics() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> topics;
  topics.reserve(topic_queue_table_.size());
  for (const auto& [topic, queues] : topic_queue_table_) topics.push_back(topic);
  return topics;
}

std::vector<std::string> RouteInfoManager::topics_by_cluster(const std::string& cluster) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> topics;
  auto c = cluster_addr_table_.find(cluster);
  if (c == cluster_addr_table_.end()) return topics;
  for (const auto& [topic, queues] : topic_queue_table_) {
    for (const std::string& name : c->second) {
      if (queues.count(name) != 0) {
        topics.push_back(topic);
        break;
      }
    }
  }
  return topics;
}

void RouteInfoManager::delete_topic(const std::string& topic, const std::string& cluster_name) {
  std::unique_lock lock(mu_);
  auto t = topic_queue_table_.find(topic);
  if (t == topic_queue_table_.end()) return;
  if (cluster_name.empty()) {
    topic_queue_table_.erase(t);
    logger_.info("topic ", topic, " deleted from routes");
    return;
  }
  auto c = cluster_addr_table_.find(cluster_name);
  if (c == cluster_addr_table_.end()) return;
  for (const std::string& name : c->second) t->second.erase(name);
  logger_.info("topic ", topic, " deleted from the routes of cluster ", cluster_name);
  if (t->second.empty()) topic_queue_table_.erase(t);
}

int RouteInfoManager::operate_write_perm(const std::string& broker_name, bool add) {
  std::unique_lock lock(mu_);
  int count = 0;
  for (auto& [topic, queues] : topic_queue_table_) {
    auto q = queues.find(broker_name);
    if (q == queues.end()) continue;
    // As RocketMQ: adding gives read and write (and drops INHERIT); wiping clears write.
    q->second.perm = add ? (kPermRead | kPermWrite) : (q->second.perm & ~kPermWrite);
    ++count;
  }
  return count;
}

int RouteInfoManager::wipe_write_perm_of_broker(const std::string& broker_name) {
  return operate_write_perm(broker_name, false);
}

int RouteInfoManager::add_write_perm_of_broker(const std::string& broker_name) {
  return operate_write_perm(broker_name, true);
}

bool RouteInfoManager::query_data_version(const std::string& broker_addr, const std::optional<DataVersion>& version,
                                          std::optional<DataVersion>* stored) {
  std::unique_lock lock(mu_);
  auto live = broker_live_table_.find(broker_addr);
  if (live == broker_live_table_.end()) {
    if (stored) stored->reset();
    return true;
  }
  bool changed = !version || !live->second.data_version || *live->second.data_version != *version;
  if (!changed) live->second.last_update_ms = clock_();
  if (stored) *stored = live->second.data_version;
  return changed;
}

size_t RouteInfoManager::live_broker_count() const {
  std::shared_lock lock(mu_);
  return broker_live_table_.size();
}

}  // namespace tern::remoting
