// ClientManager: the kernel's ClientRegistry, putting ConsumerManager and ProducerManager
// behind one interface and doing what RocketMQ's heartbeat handler does besides
// registering: a consumer heartbeat makes sure the group's config exists (created when
// autoCreateSubscriptionGroup allows) and creates the group's %RETRY% topic with the
// group's retryQueueNums, so that consumers can route to it before the first retry.
// The group config's notifyConsumerIdsChangedEnable also decides whether its members are
// told of changes (besides the broker-wide key).
//
// Thread-safety: every method from any thread.
#pragma once

#include <chrono>

#include "broker/consumer_manager.h"
#include "broker/producer_manager.h"
#include "broker/subscription_group_manager.h"
#include "broker/topic_config_manager.h"
#include "tern/broker.h"
#include "tern/logger.h"

namespace tern::kernel {

struct ClientManagerOptions {
  bool notify_consumer_ids_changed_enable = true;
  std::chrono::milliseconds channel_expired_timeout{120000};  // clientChannelExpiredTimeout
};

class ClientManager final : public ClientRegistry {
 public:
  // `topics` and `groups` may be null (no retry topics or group configs then).
  ClientManager(ClientManagerOptions options, TopicConfigManager* topics, SubscriptionGroupManager* groups,
                Logger& logger);

  void consumer_heartbeat(const std::shared_ptr<ClientChannel>& channel, ConsumerHeartbeat heartbeat) override;
  void producer_heartbeat(const std::shared_ptr<ClientChannel>& channel, std::string_view group,
                          std::string_view client_id, std::string_view language, int32_t version) override;
  void unregister_consumer(std::string_view group, std::string_view client_id) override;
  void unregister_producer(std::string_view group, std::string_view client_id) override;
  void channel_closed(const ClientChannel* channel) override;

  std::vector<std::string> consumer_ids(std::string_view group) const override;
  std::optional<ConsumerGroupInfo> consumer_group(std::string_view group) const override;
  std::vector<std::shared_ptr<ClientChannel>> consumer_channels(std::string_view group) const override;
  std::vector<std::string> consumer_groups() const override;
  std::optional<Subscription> subscription(std::string_view group, std::string_view topic) const override;
  std::vector<ClientInfo> producers(std::string_view group) const override;
  std::shared_ptr<ClientChannel> any_producer_channel(std::string_view group) const override;

  // Drops clients not heard from within clientChannelExpiredTimeout (RocketMQ's
  // ClientHousekeepingService); called periodically by the broker services.
  void scan_expired(std::chrono::steady_clock::time_point now);
  // How often scan_expired() should run for the configured timeout.
  std::chrono::milliseconds scan_interval() const;
  // Forgets every client (shutdown: no channel reference may outlive the plugins).
  void clear();

 private:
  const ClientManagerOptions options_;
  TopicConfigManager* const topics_;
  SubscriptionGroupManager* const groups_;
  Logger& logger_;
  ConsumerManager consumers_;
  ProducerManager producers_;
};

}  // namespace tern::kernel
