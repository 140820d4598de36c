// RouteInfoManager: the name server's route tables, RocketMQ's own (namesrv
// RouteInfoManager.java), and what changes them: broker registration and unregistration,
// expiry of brokers not heard from, a broker's connection closing, topic deletion and the
// write permission of a broker.
//
// The tables:
//   clusterAddrTable  cluster -> broker names
//   brokerAddrTable   broker name -> {cluster, broker name, brokerId -> "ip:port"}
//   topicQueueTable   topic -> broker name -> QueueData{read/write queues, perm, sysFlag}
//   brokerLiveTable   "ip:port" -> {last heard from, data version, haServerAddr, connection}
//   filterServerTable "ip:port" -> filter-server addresses
//
// Registration (every 30 s from each broker): a master (brokerId 0) brings its topic
// table; when its data version differs from the one last registered (or it registers for
// the first time) each topic's queue data for that broker is set from it. Topics missing
// from the table are kept, as RocketMQ does: a Java broker's incremental registration
// carries only the one topic it just created; a deleted topic leaves the routes through
// DELETE_TOPIC_IN_NAMESRV (mqadmin deleteTopic sends it).
//
// Removal: a broker address leaves brokerAddrTable when it unregisters, when it is not
// heard from for `broker_expired_ms` (scan_not_active_brokers), or when the connection it
// registered on closes; when a broker name has no address left, the name leaves its cluster
// and its queue data leaves every topic, and a topic with no queue data left is gone.
//
// Thread-safety: every method may be called from any thread (one shared_mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "namesrv_bodies.h"
#include "tern/logger.h"

namespace tern::remoting {

inline constexpr int64_t kMasterId = 0;
inline constexpr int32_t kPermRead = 4;
inline constexpr int32_t kPermWrite = 2;

class RouteInfoManager {
 public:
  // Milliseconds on a monotonic clock; tests pass a fake one.
  using Clock = std::function<int64_t()>;
  static int64_t steady_now_ms();

  RouteInfoManager(Logger& logger, int64_t broker_expired_ms = 120000, Clock clock = steady_now_ms);

  struct Registration {
    std::string cluster_name;
    std::string broker_addr;
    std::string broker_name;
    int64_t broker_id = 0;
    std::string ha_server_addr;
    // Identifies the connection the registration came on (null: none, e.g. in-process);
    // on_connection_closed(that) removes the broker at once.
    const void* connection = nullptr;
  };
  struct RegisterResult {
    std::string ha_server_addr;  // for a slave: its master's, when the master is live
    std::string master_addr;     // for a slave: the master's address, likewise
  };
  RegisterResult register_broker(const Registration& registration, const RegisterBrokerBody& body);

  // Removes one address of a broker (RocketMQ's UNREGISTER_BROKER).
  void unregister_broker(const std::string& cluster_name, const std::string& broker_addr,
                         const std::string& broker_name, int64_t broker_id);

  // Removes every broker not heard from for longer than broker_expired_ms, with an info
  // line each naming the broker and its address. Returns how many were removed.
  int scan_not_active_brokers();
  // Removes the brokers that registered on `connection` (it closed). Returns how many.
  int on_connection_closed(const void* connection);

  // The route of `topic`, or nullopt when no live broker serves it.
  std::optional<TopicRouteData> pickup_topic_route(const std::string& topic) const;

  // GET_BROKER_CLUSTER_INFO's body.
  std::string cluster_info_json() const;
  std::vector<std::string> all_topics() const;
  // Topics with queue data on some broker of `cluster` (none for an unknown cluster).
  std::vector<std::string> topics_by_cluster(const std::string& cluster) const;

  // Removes the topic everywhere, or only from the brokers of `cluster_name` when it is
  // not empty.
  void delete_topic(const std::string& topic, const std::string& cluster_name = {});

  // Clears the write bit of every topic's queue data on `broker_name`, or sets read and
  // write; returns how many topics were touched.
  int wipe_write_perm_of_broker(const std::string& broker_name);
  int add_write_perm_of_broker(const std::string& broker_name);

  // QUERY_DATA_VERSION: whether `version` differs from the one `broker_addr` last
  // registered (true for an unknown broker); when it does not, the broker counts as heard
  // from now. `stored` gets the registered version, if any.
  bool query_data_version(const std::string& broker_addr, const std::optional<DataVersion>& version,
                          std::optional<DataVersion>* stored);

  // Counts, for tests and status lines.
  size_t live_broker_count() const;

 private:
  struct BrokerLiveInfo {
    int64_t last_update_ms = 0;
    std::optional<DataVersion> data_version;
    std::string ha_server_addr;
    const void* connection = nullptr;
  };

  // Removes `broker_addr` from every table; `why` ends the log line. Caller holds mu_
  // exclusively.
  void remove_broker_addr_locked(const std::string& broker_addr, const std::string& why);
  void remove_broker_name_locked(const std::string& broker_name);
  int operate_write_perm(const std::string& broker_name, bool add);

  Logger& logger_;
  const int64_t broker_expired_ms_;
  const Clock clock_;

  mutable std::shared_mutex mu_;
  std::map<std::string, std::set<std::string>> cluster_addr_table_;           // guarded by mu_
  std::map<std::string, BrokerData> broker_addr_table_;                        // guarded by mu_
  std::map<std::string, std::map<std::string, QueueData>> topic_queue_table_;  // guarded by mu_
  std::map<std::string, BrokerLiveInfo> broker_live_table_;                    // guarded by mu_
  std::map<std::string, std::vector<std::string>> filter_server_table_;        // guarded by mu_
};

}  // namespace tern::remoting
