// NameServerProcessor: turns one name-server request into its response, as RocketMQ's
// namesrv DefaultRequestProcessor does, over RouteInfoManager and KvConfigManager. No I/O
// of its own (KV file writes go to KvConfigManager's writer thread), so it is tested
// without sockets and may run on an io thread.
//
// Codes served (PROTOCOL.md §6): 100/101/102 PUT/GET/DELETE_KV_CONFIG, 219
// GET_KVLIST_BY_NAMESPACE, 103/104 REGISTER/UNREGISTER_BROKER, 105 GET_ROUTEINFO_BY_TOPIC,
// 106 GET_BROKER_CLUSTER_INFO, 205/327 WIPE/ADD_WRITE_PERM_OF_BROKER, 206
// GET_ALL_TOPIC_LIST_FROM_NAMESERVER, 216 DELETE_TOPIC_IN_NAMESRV, 224 GET_TOPICS_BY_CLUSTER,
// 318/319 UPDATE/GET_NAMESRV_CONFIG, 322 QUERY_DATA_VERSION. Any other code is answered 3
// REQUEST_CODE_NOT_SUPPORTED, remark " request type N not supported".
//
// Errors are RocketMQ's: a missing required extField is 1 SYSTEM_ERROR with remark "the
// custom field <name> is null"; an unknown topic 17 TOPIC_NOT_EXIST; a missing KV item 22
// QUERY_NOT_FOUND; a register-broker body whose bodyCrc32 (CRC32 of the body & 0x7FFFFFFF,
// as UtilAll.crc32) does not match 1 SYSTEM_ERROR "crc32 not match".
//
// Thread-safety: process() may be called from any thread, concurrently.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "kv_config_manager.h"
#include "remoting_command.h"
#include "route_info_manager.h"
#include "tern/logger.h"

namespace tern::remoting {

// The KV namespace of order-topic configs (RocketMQ's NamesrvUtil).
inline constexpr const char* kNamespaceOrderTopicConfig = "ORDER_TOPIC_CONFIG";

struct NameServerProcessorOptions {
  // Route answers carry orderTopicConf from the ORDER_TOPIC_CONFIG namespace.
  bool order_message_enable = false;
  // What GET_NAMESRV_CONFIG answers: the effective config, "key=value" per line.
  std::vector<std::pair<std::string, std::string>> config_properties;
};

class NameServerProcessor {
 public:
  NameServerProcessor(RouteInfoManager& routes, KvConfigManager& kv_config, Logger& logger,
                      NameServerProcessorOptions options = {});

  // The response to `request` (opaque, flag and serialization set from it). `connection`
  // identifies the connection a REGISTER_BROKER came on (see RouteInfoManager);
  // `peer` names the sender in log lines.
  RemotingCommand process(const RemotingCommand& request, const void* connection = nullptr,
                          const std::string& peer = {});

 private:
  RemotingCommand put_kv_config(const RemotingCommand& request);
  RemotingCommand get_kv_config(const RemotingCommand& request);
  RemotingCommand delete_kv_config(const RemotingCommand& request);
  RemotingCommand get_kv_list_by_namespace(const RemotingCommand& request);
  RemotingCommand register_broker(const RemotingCommand& request, const void* connection, const std::string& peer);
  RemotingCommand unregister_broker(const RemotingCommand& request);
  RemotingCommand get_route_info_by_topic(const RemotingCommand& request);
  RemotingCommand get_broker_cluster_info(const RemotingCommand& request);
  RemotingCommand write_perm_of_broker(const RemotingCommand& request, bool add, const std::string& peer);
  RemotingCommand get_all_topic_list(const RemotingCommand& request);
  RemotingCommand delete_topic_in_namesrv(const RemotingCommand& request);
  RemotingCommand get_topics_by_cluster(const RemotingCommand& request);
  RemotingCommand update_namesrv_config(const RemotingCommand& request, const std::string& peer);
  RemotingCommand get_namesrv_config(const RemotingCommand& request);
  RemotingCommand query_data_version(const RemotingCommand& request);

  RouteInfoManager& routes_;
  KvConfigManager& kv_;
  Logger& logger_;
  std::atomic<bool> order_message_enable_;
  std::mutex config_mu_;
  std::vector<std::pair<std::string, std::string>> config_properties_;  // guarded by config_mu_
};

}  // namespace tern::remoting
