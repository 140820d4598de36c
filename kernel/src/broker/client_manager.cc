// ClientManager: heartbeat side effects and the split between consumers and producers.
#include "broker/client_manager.h"

#include <algorithm>

namespace tern::kernel {

ClientManager::ClientManager(ClientManagerOptions options, TopicConfigManager* topics,
                             SubscriptionGroupManager* groups, Logger& logger)
    : options_(options),
      topics_(topics),
      groups_(groups),
      logger_(logger),
      consumers_(options.notify_consumer_ids_changed_enable, options.channel_expired_timeout, logger),
      producers_(options.channel_expired_timeout) {
  if (groups_) {
    consumers_.set_group_notify_policy([groups](const std::string& group) {
      auto config = groups->find(group);
      return !config || config->notify_consumer_ids_changed_enable;
    });
  }
}

void ClientManager::consumer_heartbeat(const std::shared_ptr<ClientChannel>& channel, ConsumerHeartbeat heartbeat) {
  if (groups_) {
    if (auto config = groups_->find_or_create(heartbeat.group); config && topics_) {
      auto retry = topics_->ensure_topic(topic_names::retry_topic(heartbeat.group), config->retry_queue_nums,
                                         perm::kRead | perm::kWrite);
      if (!retry) logger_.warn("no retry topic for group ", heartbeat.group, ": ", retry.status().message());
    }
  }
  consumers_.heartbeat(channel, std::move(heartbeat));
}

void ClientManager::producer_heartbeat(const std::shared_ptr<ClientChannel>& channel, std::string_view group,
                                       std::string_view client_id, std::string_view language, int32_t version) {
  producers_.heartbeat(channel, group, client_id, language, version);
}

void ClientManager::unregister_consumer(std::string_view group, std::string_view client_id) {
  consumers_.unregister(group, client_id);
}

void ClientManager::unregister_producer(std::string_view group, std::string_view client_id) {
  producers_.unregister(group, client_id);
}

void ClientManager::channel_closed(const ClientChannel* channel) {
  consumers_.channel_closed(channel);
  producers_.channel_closed(channel);
}

std::vector<std::string> ClientManager::consumer_ids(std::string_view group) const {
  return consumers_.consumer_ids(group);
}

std::optional<ConsumerGroupInfo> ClientManager::consumer_group(std::string_view group) const {
  return consumers_.group_info(group);
}

std::vector<std::shared_ptr<ClientChannel>> ClientManager::consumer_channels(std::string_view group) const {
  return consumers_.channels(group);
}

std::vector<std::string> ClientManager::consumer_groups() const { return consumers_.groups(); }

std::optional<Subscription> ClientManager::subscription(std::string_view group, std::string_view topic) const {
  return consumers_.subscription(group, topic);
}

std::vector<ClientInfo> ClientManager::producers(std::string_view group) const { return producers_.producers(group); }

std::shared_ptr<ClientChannel> ClientManager::any_producer_channel(std::string_view group) const {
  return producers_.any_channel(group);
}

void ClientManager::scan_expired(std::chrono::steady_clock::time_point now) {
  consumers_.scan_expired(now);
  if (size_t n = producers_.scan_expired(now)) logger_.info(n, " producer registrations expired");
}

std::chrono::milliseconds ClientManager::scan_interval() const {
  // RocketMQ scans every 10 s for its 120 s timeout; shorter timeouts (tests) scan more often.
  using std::chrono::milliseconds;
  return std::clamp(options_.channel_expired_timeout / 4, milliseconds(10), milliseconds(10000));
}

void ClientManager::clear() {
  consumers_.clear();
  producers_.clear();
}

}  // namespace tern::kernel
