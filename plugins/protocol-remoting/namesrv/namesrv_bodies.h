// The JSON bodies the name server reads and writes (PROTOCOL.md §5, in shared/ beside the
// repository): RegisterBrokerBody and DataVersion in; TopicRouteData, ClusterInfo,
// TopicList and KVTable out. Plain code with no I/O, so the parser can be unit-tested and
// fuzzed alone (fuzz/register_broker_body_fuzz.cc).
//
// Parsing is for untrusted bytes from any peer: a malformed body returns InvalidArgument
// naming what is wrong, never throws. It is lenient the way RocketMQ's fastjson is:
// unknown members are ignored; a topic config without a field takes TopicConfig's default
// (16 read and 16 write queues, perm 6, sysFlag 0); numbers may also arrive as strings.
// Encoding writes standard JSON (quoted map keys) with members in the order PROTOCOL.md
// shows; all three clients in use accept it.
//
// Thread-safety: plain values and stateless functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tern/broker.h"
#include "tern/status.h"

namespace tern::remoting {

// RocketMQ's DataVersion of a broker's topic table (tern/broker.h): changes whenever a
// topic changes.
using DataVersion = tern::DataVersion;

// One entry of a broker's topicConfigTable, as far as routes need it.
struct RegisteredTopic {
  std::string topic;
  int32_t read_queue_nums = 16;
  int32_t write_queue_nums = 16;
  int32_t perm = 6;  // 4 READ | 2 WRITE | 1 INHERIT
  int32_t topic_sys_flag = 0;
  friend bool operator==(const RegisteredTopic&, const RegisteredTopic&) = default;
};

// RegisterBrokerBody: `{"topicConfigSerializeWrapper":{"topicConfigTable":{name:TopicConfig},
// "dataVersion":{...}},"filterServerList":[...]}`. A body that is a bare
// TopicConfigSerializeWrapper (what brokers older than 3.0.11 send) is read too.
struct RegisterBrokerBody {
  std::vector<RegisteredTopic> topics;
  // Absent when the body carries no dataVersion: every registration then counts as changed.
  std::optional<DataVersion> data_version;
  // Absent when the body has no filterServerList member (then the table is left alone).
  std::optional<std::vector<std::string>> filter_servers;
};

// Parses a register-broker body. An empty body is a broker with no topics and data
// version {0, 0} (as Java's name server treats a missing body).
[[nodiscard]] Result<RegisterBrokerBody> parse_register_broker_body(std::string_view body);

// Parses `{"timestamp":N,"counter":N}` (QUERY_DATA_VERSION's body). Missing members are 0.
[[nodiscard]] Result<DataVersion> parse_data_version(std::string_view body);
std::string encode_data_version(const DataVersion& version);

// The route of one topic (GET_ROUTEINFO_BY_TOPIC's body).
struct QueueData {
  std::string broker_name;
  int32_t read_queue_nums = 0;
  int32_t write_queue_nums = 0;
  int32_t perm = 0;
  int32_t topic_sys_flag = 0;
  friend bool operator==(const QueueData&, const QueueData&) = default;
};
struct BrokerData {
  std::string cluster;
  std::string broker_name;
  std::map<int64_t, std::string> broker_addrs;  // brokerId (0 = master) -> "ip:port"
  friend bool operator==(const BrokerData&, const BrokerData&) = default;
};
struct TopicRouteData {
  std::optional<std::string> order_topic_conf;
  std::vector<QueueData> queue_datas;
  std::vector<BrokerData> broker_datas;
  std::map<std::string, std::vector<std::string>> filter_server_table;  // brokerAddr -> filter servers
};

// `{"orderTopicConf":null,"queueDatas":[...],"brokerDatas":[...],"filterServerTable":{}}`.
std::string encode_topic_route_data(const TopicRouteData& route);
// `{"brokerAddrTable":{name:BrokerData},"clusterAddrTable":{cluster:[name...]}}`.
std::string encode_cluster_info(const std::map<std::string, BrokerData>& broker_addr_table,
                                const std::map<std::string, std::set<std::string>>& cluster_addr_table);
// `{"topicList":[...],"brokerAddr":null}`.
std::string encode_topic_list(const std::vector<std::string>& topics);
// `{"table":{key:value}}`.
std::string encode_kv_table(const std::map<std::string, std::string>& table);

}  // namespace tern::remoting
