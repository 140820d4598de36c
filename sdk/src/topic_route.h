// A topic's route as the name server gives it (GET_ROUTEINFO_BY_TOPIC, PROTOCOL.md §5:
// TopicRouteData), what a producer makes of it (TopicPublishInfo, the writable queues
// on master brokers and the rotation that picks one per send) and what a consumer makes of
// it (subscribe_message_queues, the readable queues).
//
// Thread-safety: TopicRouteData is a plain value. TopicPublishInfo is immutable after
// build except its rotation counter, which is atomic: select_one_message_queue may be
// called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tern/message.h"
#include "tern/status.h"

namespace tern::client::internal {

// perm bits of a queue (PermName).
inline constexpr int kPermRead = 4;
inline constexpr int kPermWrite = 2;
inline constexpr int64_t kMasterId = 0;

struct QueueData {
  std::string broker_name;
  int read_queue_nums = 0;
  int write_queue_nums = 0;
  int perm = 0;
  int topic_sys_flag = 0;
};

struct BrokerData {
  std::string cluster;
  std::string broker_name;
  std::map<int64_t, std::string> broker_addrs;  // broker id -> "ip:port"; 0 = master

  // The master's address, "" when the broker has no master now.
  std::string master_addr() const {
    auto it = broker_addrs.find(kMasterId);
    return it == broker_addrs.end() ? std::string() : it->second;
  }
};

struct TopicRouteData {
  std::string order_topic_conf;  // "brokerName:queueNums;..." or ""
  std::vector<QueueData> queue_datas;
  std::vector<BrokerData> broker_datas;

  friend bool operator==(const TopicRouteData& a, const TopicRouteData& b);
};

// Parses the JSON body; numbers may be JSON numbers or strings, broker ids may be quoted
// keys. InvalidArgument naming the problem on a malformed body.
[[nodiscard]] Result<TopicRouteData> parse_topic_route(std::string_view json);

// The readable queues of `topic` in `route` (RocketMQ's topicRouteData2TopicSubscribeInfo):
// readQueueNums queues of every broker whose queue data has the read permission, sorted
// by broker name then queue id. What consumers rebalance and fetch_message_queues lists.
std::vector<MessageQueue> subscribe_message_queues(const std::string& topic, const TopicRouteData& route);

class TopicPublishInfo {
 public:
  // The writable queues of `topic` in `route` on brokers with a master (RocketMQ's
  // topicRouteData2TopicPublishInfo), sorted by broker name then queue id.
  // `max_queues_per_broker` > 0 caps the queues taken from each broker (a route borrowed
  // from TBW102 is capped at defaultTopicQueueNums). The rotation starts at `start`.
  TopicPublishInfo(const std::string& topic, const TopicRouteData& route, int max_queues_per_broker, uint32_t start);

  bool ok() const { return !queues_.empty(); }
  const std::vector<MessageQueue>& queues() const { return queues_; }
  const TopicRouteData& route() const { return route_; }
  // True when built from the TBW102 route (the broker creates the topic on first send).
  bool borrowed_default_route = false;

  // The next queue in rotation; with `last_broker_name` set (a retry), the next queue of a
  // different broker when there is one (RocketMQ's selectOneMessageQueue). ok() must hold.
  MessageQueue select_one_message_queue(std::string_view last_broker_name = {}) const;

 private:
  TopicRouteData route_;
  std::vector<MessageQueue> queues_;
  mutable std::atomic<uint32_t> send_which_queue_;
};

}  // namespace tern::client::internal
