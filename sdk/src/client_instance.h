// MQClientInstance: what all clients of one client id ("ip@instanceName") in a process
// share, as RocketMQ's MQClientInstance: the io thread and the broker / name-server
// connections (one RemotingClient), the route cache and the broker address table, the
// scheduler thread with the route refresh and heartbeat timers, and the dispatch of
// requests brokers send to the client (NOTIFY_CONSUMER_IDS_CHANGED, ...).
//
// Producers and consumers register under their group. A consumer implements
// ConsumerMember: it adds its consumerData to every heartbeat, names the topics whose
// routes to refresh, hears route changes and NOTIFY_CONSUMER_IDS_CHANGED for its group
// (served here, for every consumer of the instance), and schedules its own periodic tasks
// (scheduler()). Other broker requests get handlers through set_request_handler.
//
// Lifetime: acquire() hands out a shared_ptr; the instance stops (timers, threads,
// connections) when the last client releases it. Release it from a client's own thread
// (shutdown), never from a callback of the instance.
//
// Threads: one io thread (Asio, never blocks); one scheduler thread (periodic tasks, may
// block on the network); one broker-request thread (handlers may block). Every public
// method is safe from any thread; the *_sync ones must not run on the io thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codes.h"
#include "executor.h"
#include "json/json.h"
#include "remoting_client.h"
#include "runtime/io_context_pool.h"
#include "scheduler.h"
#include "tern/client/client_config.h"
#include "topic_route.h"

namespace tern::client::internal {

// A producer or consumer registered with an instance.
class ClientMember {
 public:
  virtual ~ClientMember() = default;
  // Topics whose routes the instance refreshes every pollNameServerInterval.
  virtual std::vector<std::string> topics_in_use() const = 0;
  // After a refresh changed `topic`'s route; on the scheduler thread. May call the
  // instance, except to register or unregister a member.
  virtual void on_route_changed(const std::string& /*topic*/, const TopicRouteData& /*route*/) {}
};

class ProducerMember : public ClientMember {
 public:
  // A broker (`broker_addr`) asks about the local transaction of a half message of this
  // producer's group (CHECK_TRANSACTION_STATE); `header` has tranStateTableOffset,
  // commitLogOffset, msgId, transactionId and offsetMsgId. On the broker-request thread:
  // must not block. The member cannot be unregistered while this runs. A producer without
  // transactions ignores it.
  virtual void on_check_transaction_state(const std::string& /*broker_addr*/, MessageExt /*message*/,
                                          std::map<std::string, std::string> /*header*/) {}
};

class ConsumerMember : public ClientMember {
 public:
  // This consumer's element of the heartbeat's consumerDataSet (PROTOCOL.md §5):
  // groupName, consumeType, messageModel, consumeFromWhere, subscriptionDataSet, unitMode.
  virtual JsonValue consumer_data() const = 0;
  // A broker sent NOTIFY_CONSUMER_IDS_CHANGED for this consumer's group: rebalance soon.
  // On the broker-request thread; must not block (post the work to the consumer's own
  // thread). The member cannot be unregistered while this runs.
  virtual void on_consumer_ids_changed() = 0;
  // A broker sent RESET_CONSUMER_CLIENT_OFFSET (an operator's resetOffsetByTime): continue
  // `topic`'s queues of `offsets` from there, dropping what was buffered and not committing
  // the old offsets. Same thread rules as on_consumer_ids_changed. Consumers whose
  // offsets the broker does not keep may ignore it.
  virtual void on_reset_offsets(const std::string& /*topic*/, const std::map<MessageQueue, int64_t>& /*offsets*/) {}
};

class MQClientInstance {
 public:
  // Serves a request a broker sent (on the broker-request thread). Returns the response
  // (ignored for oneway requests), or nullopt to send none.
  using BrokerRequestHandler =
      std::function<std::optional<remoting::RemotingCommand>(const remoting::RemotingCommand& request,
                                                             const std::string& broker_addr)>;

  // The process's instance for config's client id, made and started on first use.
  static std::shared_ptr<MQClientInstance> acquire(const ClientConfig& config);

  ~MQClientInstance();
  MQClientInstance(const MQClientInstance&) = delete;
  MQClientInstance& operator=(const MQClientInstance&) = delete;

  const std::string& client_id() const { return client_id_; }
  const std::vector<std::string>& namesrv_addrs() const { return namesrv_addrs_; }
  Logger& logger() const { return *logger_; }
  remoting::RemotingClient& remoting() { return *remoting_; }
  Scheduler& scheduler() { return scheduler_; }

  // Registration by group; AlreadyExists when the group is registered in this instance.
  [[nodiscard]] Status register_producer(const std::string& group, ProducerMember* member);
  [[nodiscard]] Status register_consumer(const std::string& group, ConsumerMember* member);
  // Removes the group and tells every broker (UNREGISTER_CLIENT), waiting up to `timeout`.
  void unregister_producer(const std::string& group, std::chrono::milliseconds timeout);
  void unregister_consumer(const std::string& group, std::chrono::milliseconds timeout);

  // The route of `topic` from a name server (trying each in turn), cached and merged into
  // the broker table. NotFound when the name server knows no such topic (code 17);
  // Unavailable naming the name servers when none answered; Timeout.
  [[nodiscard]] Result<std::shared_ptr<const TopicRouteData>> update_topic_route(const std::string& topic,
                                                                                 std::chrono::milliseconds timeout);
  // The cached route, or null.
  std::shared_ptr<const TopicRouteData> cached_route(const std::string& topic) const;

  // The master address of `broker_name` from the broker table, "" when unknown.
  std::string find_broker_master(const std::string& broker_name) const;
  // Every broker address known (masters, and slaves when `with_slaves`).
  std::vector<std::string> broker_addrs(bool with_slaves) const;

  // HEART_BEAT to every broker: masters only when no consumer is registered (RocketMQ).
  void send_heartbeat_to_all_brokers();

  // Installs the handler of broker-initiated requests with `code` (one per code). Codes
  // without a handler are answered REQUEST_CODE_NOT_SUPPORTED.
  void set_request_handler(int32_t code, BrokerRequestHandler handler);

  // A request as this client sends it (language CPP, JSON header).
  static remoting::RemotingCommand make_request(int32_t code, std::map<std::string, std::string> ext = {},
                                                std::string body = {});

 private:
  MQClientInstance(const ClientConfig& config, std::string client_id, std::vector<std::string> namesrv_addrs);
  void start();
  void refresh_routes();
  void on_broker_request(const std::shared_ptr<remoting::RemotingConnection>& conn, remoting::RemotingCommand request);
  void notify_consumer_ids_changed(const std::string& group);
  std::string heartbeat_body() const;
  void unregister_client(const std::string& producer_group, const std::string& consumer_group,
                         std::chrono::milliseconds timeout);
  void rebuild_broker_table_locked();

  const std::string client_id_;
  const std::vector<std::string> namesrv_addrs_;
  const std::chrono::milliseconds poll_interval_, heartbeat_interval_;
  std::shared_ptr<Logger> logger_;

  std::mutex notify_mu_;  // held while members hear route changes or ids changes, and to unregister one
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const TopicRouteData>> routes_;  // guarded by mu_
  std::map<std::string, BrokerData> brokers_;                            // by name; guarded by mu_
  std::set<std::string> heartbeat_sent_to_;                              // guarded by mu_
  std::map<std::string, ProducerMember*> producers_;                      // guarded by mu_
  std::map<std::string, ConsumerMember*> consumers_;                     // guarded by mu_
  std::map<int32_t, BrokerRequestHandler> handlers_;                     // guarded by mu_
  size_t namesrv_index_ = 0;                                             // guarded by mu_

  // Declaration order is destruction order in reverse: the scheduler and request thread
  // stop first, then the connections close, then the io thread ends.
  kernel::IoContextPool io_pool_{1};
  std::unique_ptr<remoting::RemotingClient> remoting_;
  Executor request_executor_{1};
  Scheduler scheduler_;
};

}  // namespace tern::client::internal
