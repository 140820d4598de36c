// ConsumerManager: live consumers by group, from their heartbeats (RocketMQ's
// ConsumerManager and ConsumerGroupInfo).
//
// A group's membership is the set of client ids that heartbeat for it over a live
// connection. When it changes (a new client id joins, a member leaves by unregistering,
// by its connection closing or going away, or by not being heard from for the expiry
// timeout) or the group's set of subscribed topics changes, every remaining member is
// told over its own connection (NOTIFY_CONSUMER_IDS_CHANGED) so it rebalances at once
// rather than at its next periodic rebalance. Subscriptions are kept per group and topic;
// the newest subVersion wins, and topics missing from a heartbeat are dropped (RocketMQ's
// rules).
//
// Channels are called outside the manager's lock, so a channel may call back into it.
//
// Thread-safety: every method from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/client_member.h"
#include "tern/broker.h"
#include "tern/logger.h"

namespace tern::kernel {

class ConsumerManager {
 public:
  // `notify_enabled`: notifyConsumerIdsChangedEnable. `expiry`: a member not heard from
  // for this long is dropped by scan_expired().
  ConsumerManager(bool notify_enabled, std::chrono::milliseconds expiry, Logger& logger);

  // Whether `group`'s members are told of changes (its SubscriptionGroupConfig's
  // notifyConsumerIdsChangedEnable). Without a policy every group is. Set before use.
  void set_group_notify_policy(std::function<bool(const std::string& group)> policy) {
    group_policy_ = std::move(policy);
  }

  // Registers or refreshes a member; returns true when the membership or the topic set
  // changed (the members were then told, if enabled).
  bool heartbeat(const std::shared_ptr<ClientChannel>& channel, ConsumerHeartbeat heartbeat);
  void unregister(std::string_view group, std::string_view client_id);
  void channel_closed(const ClientChannel* channel);
  // Drops members not heard from within the expiry timeout before `now`, and members
  // whose connection is gone; their groups' remaining members are told.
  void scan_expired(std::chrono::steady_clock::time_point now);
  // Forgets everyone without telling anyone (shutdown).
  void clear();

  std::vector<std::string> consumer_ids(std::string_view group) const;
  // The live members' channels, each once.
  std::vector<std::shared_ptr<ClientChannel>> channels(std::string_view group) const;
  std::optional<ConsumerGroupInfo> group_info(std::string_view group) const;
  std::vector<std::string> groups() const;
  std::optional<Subscription> subscription(std::string_view group, std::string_view topic) const;

 private:
  struct Group {
    ConsumeType consume_type = ConsumeType::kPassively;
    MessageModel message_model = MessageModel::kClustering;
    ConsumeFromWhere consume_from_where = ConsumeFromWhere::kLastOffset;
    std::map<std::string, Subscription, std::less<>> subscriptions;  // by topic
    std::map<std::string, ClientMember, std::less<>> members;        // by client id
  };
  // Whom to tell that a group changed: its live members at the time of the change.
  struct Notice {
    std::string group;
    std::vector<std::shared_ptr<ClientChannel>> channels;
  };

  static Notice notice_for(const std::string& name, const Group& group);
  void deliver(const std::vector<Notice>& notices) const;

  const bool notify_enabled_;
  const std::chrono::milliseconds expiry_;
  Logger& logger_;
  std::function<bool(const std::string&)> group_policy_;

  mutable std::mutex mutex_;
  std::map<std::string, Group, std::less<>> groups_;  // GUARDED_BY(mutex_)
};

}  // namespace tern::kernel
