// Register-broker bodies in, route / cluster / topic-list / KV bodies out.
#include <gtest/gtest.h>

#include "namesrv_bodies.h"
#include "test_support.h"

namespace tern::remoting {
namespace {

TEST(RegisterBrokerBody, ReadsWhatAJavaBrokerSends) {
  auto body = parse_register_broker_body(testing::register_body({{"TopicA", 8, 4, 6}, {"TopicB", 1, 1, 4}}, 1700, 3));
  ASSERT_TRUE(body.is_ok()) << body.status().to_string();
  ASSERT_EQ(body->topics.size(), 2u);
  EXPECT_EQ(body->topics[0], (RegisteredTopic{"TopicA", 8, 4, 6, 0}));
  EXPECT_EQ(body->topics[1], (RegisteredTopic{"TopicB", 1, 1, 4, 0}));
  ASSERT_TRUE(body->data_version.has_value());
  EXPECT_EQ(*body->data_version, (DataVersion{1700, 3}));
  ASSERT_TRUE(body->filter_servers.has_value());
  EXPECT_TRUE(body->filter_servers->empty());
}

TEST(RegisterBrokerBody, DefaultsNamesAndLenientNumbers) {
  // Missing fields take TopicConfig's defaults; topicName wins over the key; numbers may be strings.
  auto body = parse_register_broker_body(
      R"({"topicConfigSerializeWrapper":{"topicConfigTable":{"k":{"topicName":"Real","perm":"4"},"Bare":{}},)"
      R"("dataVersion":{"timestamp":"12","counter":2,"stateVersion":0}},"filterServerList":["10.0.0.1:1"]})");
  ASSERT_TRUE(body.is_ok()) << body.status().to_string();
  ASSERT_EQ(body->topics.size(), 2u);
  EXPECT_EQ(body->topics[0], (RegisteredTopic{"Real", 16, 16, 4, 0}));
  EXPECT_EQ(body->topics[1], (RegisteredTopic{"Bare", 16, 16, 6, 0}));
  EXPECT_EQ(*body->data_version, (DataVersion{12, 2}));
  EXPECT_EQ(*body->filter_servers, std::vector<std::string>{"10.0.0.1:1"});
}

TEST(RegisterBrokerBody, BareWrapperAndEmptyBody) {
  auto bare = parse_register_broker_body(R"({"topicConfigTable":{"T":{"readQueueNums":2}},"dataVersion":{"counter":5}})");
  ASSERT_TRUE(bare.is_ok()) << bare.status().to_string();
  ASSERT_EQ(bare->topics.size(), 1u);
  EXPECT_EQ(bare->topics[0].read_queue_nums, 2);
  EXPECT_EQ(*bare->data_version, (DataVersion{0, 5}));
  EXPECT_FALSE(bare->filter_servers.has_value());

  auto empty = parse_register_broker_body("");
  ASSERT_TRUE(empty.is_ok());
  EXPECT_TRUE(empty->topics.empty());
  EXPECT_EQ(*empty->data_version, (DataVersion{0, 0}));

  auto no_version = parse_register_broker_body(R"({"topicConfigSerializeWrapper":{"topicConfigTable":{}}})");
  ASSERT_TRUE(no_version.is_ok());
  EXPECT_FALSE(no_version->data_version.has_value());
}

TEST(RegisterBrokerBody, RefusesMalformedBodiesSayingWhy) {
  struct Case {
    std::string body, message;
  };
  const Case cases[] = {
      {"{", "register-broker body is not JSON"},
      {"[]", "not a JSON object"},
      {R"({"topicConfigSerializeWrapper":7})", "topicConfigSerializeWrapper is not an object"},
      {R"({"topicConfigSerializeWrapper":{"topicConfigTable":[]}})", "topicConfigTable is not an object"},
      {R"({"topicConfigSerializeWrapper":{"topicConfigTable":{"T":1}}})", "topicConfigTable[\"T\"] is not an object"},
      {R"({"topicConfigSerializeWrapper":{"topicConfigTable":{"T":{"perm":1.5}}}})",
       "topicConfigTable[\"T\"].perm is not an integer: 1.5"},
      {R"({"topicConfigSerializeWrapper":{"topicConfigTable":{"T":{"readQueueNums":4294967296}}}})",
       "out of the 32-bit range"},
      {R"({"topicConfigSerializeWrapper":{"topicConfigTable":{"T":{"perm":"x"}}}})", "is not an integer: \"x\""},
      {R"({"topicConfigSerializeWrapper":{"topicConfigTable":{"":{}}}})", "empty topic name"},
      {R"({"topicConfigSerializeWrapper":{"dataVersion":[]}})", "dataVersion is not an object"},
      {R"({"filterServerList":{}})", "filterServerList is not an array"},
      {R"({"filterServerList":[1]})", "filterServerList holds a non-string"},
  };
  for (const auto& c : cases) {
    auto r = parse_register_broker_body(c.body);
    ASSERT_FALSE(r.is_ok()) << c.body;
    EXPECT_TRUE(r.status().is_invalid_argument()) << c.body;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << c.body << " -> " << r.status().message();
  }
}

TEST(NamesrvBodies, TopicRouteDataIsByteExact) {
  TopicRouteData route;
  route.queue_datas.push_back({"broker-a", 4, 4, 6, 0});
  route.queue_datas.push_back({"broker-b", 8, 2, 4, 1});
  route.broker_datas.push_back({"DefaultCluster", "broker-a", {{0, "127.0.0.1:10911"}, {1, "127.0.0.2:10911"}}});
  route.broker_datas.push_back({"DefaultCluster", "broker-b", {{0, "127.0.0.3:10911"}}});
  EXPECT_EQ(encode_topic_route_data(route),
            R"({"orderTopicConf":null,"queueDatas":[)"
            R"({"brokerName":"broker-a","readQueueNums":4,"writeQueueNums":4,"perm":6,"topicSysFlag":0},)"
            R"({"brokerName":"broker-b","readQueueNums":8,"writeQueueNums":2,"perm":4,"topicSysFlag":1}],)"
            R"("brokerDatas":[{"cluster":"DefaultCluster","brokerName":"broker-a",)"
            R"("brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.2:10911"}},)"
            R"({"cluster":"DefaultCluster","brokerName":"broker-b","brokerAddrs":{"0":"127.0.0.3:10911"}}],)"
            R"("filterServerTable":{}})");
  route.order_topic_conf = "broker-a:4";
  route.filter_server_table["127.0.0.1:10911"] = {"f:1", "f:2"};
  std::string with = encode_topic_route_data(route);
  EXPECT_EQ(with.rfind(R"({"orderTopicConf":"broker-a:4",)", 0), 0u) << with;
  EXPECT_NE(with.find(R"("filterServerTable":{"127.0.0.1:10911":["f:1","f:2"]}})"), std::string::npos) << with;
}

TEST(NamesrvBodies, ClusterInfoTopicListKvTableDataVersion) {
  std::map<std::string, BrokerData> brokers{{"b\"1", {"c", "b\"1", {{0, "h:1"}}}}};
  std::map<std::string, std::set<std::string>> clusters{{"c", {"b\"1"}}};
  EXPECT_EQ(encode_cluster_info(brokers, clusters),
            R"({"brokerAddrTable":{"b\"1":{"cluster":"c","brokerName":"b\"1","brokerAddrs":{"0":"h:1"}}},)"
            R"("clusterAddrTable":{"c":["b\"1"]}})");
  EXPECT_EQ(encode_cluster_info({}, {}), R"({"brokerAddrTable":{},"clusterAddrTable":{}})");
  EXPECT_EQ(encode_topic_list({"A", "B"}), R"({"topicList":["A","B"],"brokerAddr":null})");
  EXPECT_EQ(encode_topic_list({}), R"({"topicList":[],"brokerAddr":null})");
  EXPECT_EQ(encode_kv_table({{"k", "v"}, {"k2", "v2"}}), R"({"table":{"k":"v","k2":"v2"}})");
  EXPECT_EQ(encode_data_version({1700000000000, 7}), R"({"timestamp":1700000000000,"counter":7})");
  auto back = parse_data_version(encode_data_version({1700000000000, 7}));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, (DataVersion{1700000000000, 7}));
  EXPECT_FALSE(parse_data_version("nope").is_ok());
}

}  // namespace
}  // namespace tern::remoting
