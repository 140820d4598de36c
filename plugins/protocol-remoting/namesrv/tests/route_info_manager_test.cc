// RouteInfoManager: registration and data versions, routes, cluster info and topic lists,
// expiry on a fake clock, unregistration, closed connections, topic deletion, write perms.
#include <gtest/gtest.h>

#include <thread>

#include "route_info_manager.h"
#include "test_support.h"

namespace tern::remoting {
namespace {

using testing::CapturingLogger;
using testing::FakeClock;

RegisterBrokerBody body(std::vector<RegisteredTopic> topics, DataVersion version) {
  RegisterBrokerBody b;
  b.topics = std::move(topics);
  b.data_version = version;
  return b;
}

RouteInfoManager::Registration reg(std::string cluster, std::string name, std::string addr, int64_t id,
                                   const void* connection = nullptr) {
  return {std::move(cluster), addr, std::move(name), id, "ha-" + addr, connection};
}

class RouteInfoManagerTest : public ::testing::Test {
 protected:
  CapturingLogger logger_;
  FakeClock clock_;
  RouteInfoManager routes_{logger_, 120000, clock_.fn()};
};

TEST_F(RouteInfoManagerTest, RegisteredMasterServesItsTopics) {
  routes_.register_broker(reg("c1", "broker-a", "10.0.0.1:10911", 0),
                          body({{"TopicA", 8, 8, 6, 0}, {"TopicB", 2, 1, 4, 0}}, {1, 1}));
  auto route = routes_.pickup_topic_route("TopicA");
  ASSERT_TRUE(route.has_value());
  ASSERT_EQ(route->queue_datas.size(), 1u);
  EXPECT_EQ(route->queue_datas[0], (QueueData{"broker-a", 8, 8, 6, 0}));
  ASSERT_EQ(route->broker_datas.size(), 1u);
  EXPECT_EQ(route->broker_datas[0], (BrokerData{"c1", "broker-a", {{0, "10.0.0.1:10911"}}}));
  EXPECT_TRUE(route->filter_server_table.empty());
  EXPECT_FALSE(routes_.pickup_topic_route("Nope").has_value());

  EXPECT_EQ(routes_.all_topics(), (std::vector<std::string>{"TopicA", "TopicB"}));
  EXPECT_EQ(routes_.topics_by_cluster("c1"), (std::vector<std::string>{"TopicA", "TopicB"}));
  EXPECT_TRUE(routes_.topics_by_cluster("other").empty());
  EXPECT_EQ(routes_.cluster_info_json(),
            R"({"brokerAddrTable":{"broker-a":{"cluster":"c1","brokerName":"broker-a",)"
            R"("brokerAddrs":{"0":"10.0.0.1:10911"}}},"clusterAddrTable":{"c1":["broker-a"]}})");
  EXPECT_NE(logger_.find({"new broker registered", "broker-a", "10.0.0.1:10911"}), "");
}

TEST_F(RouteInfoManagerTest, TwoBrokersTwoClustersOneTopic) {
  routes_.register_broker(reg("c1", "broker-a", "10.0.0.1:10911", 0), body({{"T", 4, 4, 6, 0}}, {1, 1}));
  routes_.register_broker(reg("c2", "broker-b", "10.0.0.2:10911", 0),
                          body({{"T", 2, 2, 6, 0}, {"OnlyB", 1, 1, 6, 0}}, {1, 1}));
  auto route = routes_.pickup_topic_route("T");
  ASSERT_TRUE(route.has_value());
  ASSERT_EQ(route->queue_datas.size(), 2u);
  ASSERT_EQ(route->broker_datas.size(), 2u);
  EXPECT_EQ(route->broker_datas[1].broker_name, "broker-b");
  EXPECT_EQ(routes_.topics_by_cluster("c1"), std::vector<std::string>{"T"});
  EXPECT_EQ(routes_.topics_by_cluster("c2"), (std::vector<std::string>{"OnlyB", "T"}));

  routes_.delete_topic("T", "c2");  // only broker-b's queues
  route = routes_.pickup_topic_route("T");
  ASSERT_TRUE(route.has_value());
  ASSERT_EQ(route->queue_datas.size(), 1u);
  EXPECT_EQ(route->queue_datas[0].broker_name, "broker-a");
  routes_.delete_topic("T", "no-such-cluster");
  EXPECT_TRUE(routes_.pickup_topic_route("T").has_value());
  routes_.delete_topic("T");
  EXPECT_FALSE(routes_.pickup_topic_route("T").has_value());
  EXPECT_EQ(routes_.all_topics(), std::vector<std::string>{"OnlyB"});
}

TEST_F(RouteInfoManagerTest, TopicsChangeOnlyWhenTheDataVersionDoes) {
  auto a = reg("c", "broker-a", "10.0.0.1:10911", 0);
  routes_.register_broker(a, body({{"T", 4, 4, 6, 0}}, {100, 1}));
  // Same version, other content: a periodic re-registration does not touch the queues.
  routes_.register_broker(a, body({{"T", 1, 1, 2, 0}, {"New", 1, 1, 6, 0}}, {100, 1}));
  EXPECT_EQ(routes_.pickup_topic_route("T")->queue_datas[0].read_queue_nums, 4);
  EXPECT_FALSE(routes_.pickup_topic_route("New").has_value());
  // A new version applies; topics left out (a Java broker's incremental registration) stay.
  routes_.register_broker(a, body({{"New", 3, 3, 6, 0}}, {100, 2}));
  EXPECT_EQ(routes_.pickup_topic_route("New")->queue_datas[0].read_queue_nums, 3);
  EXPECT_EQ(routes_.pickup_topic_route("T")->queue_datas[0].read_queue_nums, 4);
  routes_.register_broker(a, body({{"T", 16, 8, 4, 0}}, {101, 2}));
  EXPECT_EQ(routes_.pickup_topic_route("T")->queue_datas[0], (QueueData{"broker-a", 16, 8, 4, 0}));
  EXPECT_NE(logger_.find({"topic T changed on broker broker-a"}), "");
  // A body without a data version counts as changed every time.
  RegisterBrokerBody unversioned;
  unversioned.topics = {{"T", 5, 5, 6, 0}};
  routes_.register_broker(a, unversioned);
  EXPECT_EQ(routes_.pickup_topic_route("T")->queue_datas[0].read_queue_nums, 5);
}

TEST_F(RouteInfoManagerTest, SlavesAddAddressesNotQueuesAndLearnTheirMaster) {
  auto slave = routes_.register_broker(reg("c", "broker-a", "10.0.0.2:10911", 1), body({{"S", 4, 4, 6, 0}}, {1, 1}));
  EXPECT_TRUE(slave.master_addr.empty());
  EXPECT_FALSE(routes_.pickup_topic_route("S").has_value());  // a slave's topics are not routed
  routes_.register_broker(reg("c", "broker-a", "10.0.0.1:10911", 0), body({{"T", 4, 4, 6, 0}}, {1, 1}));
  slave = routes_.register_broker(reg("c", "broker-a", "10.0.0.2:10911", 1), body({}, {1, 1}));
  EXPECT_EQ(slave.master_addr, "10.0.0.1:10911");
  EXPECT_EQ(slave.ha_server_addr, "ha-10.0.0.1:10911");
  auto route = routes_.pickup_topic_route("T");
  ASSERT_TRUE(route.has_value());
  EXPECT_EQ(route->broker_datas[0].broker_addrs,
            (std::map<int64_t, std::string>{{0, "10.0.0.1:10911"}, {1, "10.0.0.2:10911"}}));
  // The slave becomes master: its address leaves id 1 for id 0.
  routes_.register_broker(reg("c", "broker-a", "10.0.0.2:10911", 0), body({}, {1, 1}));
  EXPECT_EQ(routes_.pickup_topic_route("T")->broker_datas[0].broker_addrs,
            (std::map<int64_t, std::string>{{0, "10.0.0.2:10911"}}));
}

TEST_F(RouteInfoManagerTest, BrokerNotHeardFromExpires) {
  auto a = reg("c", "broker-a", "10.0.0.1:10911", 0);
  routes_.register_broker(a, body({{"T", 4, 4, 6, 0}}, {1, 1}));
  routes_.register_broker(reg("c", "broker-b", "10.0.0.2:10911", 0), body({{"T", 4, 4, 6, 0}}, {1, 1}));
  clock_.now += 100000;
  routes_.register_broker(a, body({{"T", 4, 4, 6, 0}}, {1, 1}));  // a heartbeats, b does not
  clock_.now += 20000;
  EXPECT_EQ(routes_.scan_not_active_brokers(), 0);  // b silent exactly 120000 ms: not yet
  clock_.now += 1;
  EXPECT_EQ(routes_.scan_not_active_brokers(), 1);
  auto route = routes_.pickup_topic_route("T");
  ASSERT_TRUE(route.has_value());
  ASSERT_EQ(route->broker_datas.size(), 1u);
  EXPECT_EQ(route->broker_datas[0].broker_name, "broker-a");
  std::string line = logger_.find({"broker broker-b", "10.0.0.2:10911", "not heard from for 120001 ms"});
  EXPECT_NE(line, "") << "no expiry line naming the broker and its address";
  EXPECT_EQ(routes_.live_broker_count(), 1u);

  clock_.now += 200000;
  EXPECT_EQ(routes_.scan_not_active_brokers(), 1);
  EXPECT_FALSE(routes_.pickup_topic_route("T").has_value());
  EXPECT_EQ(routes_.cluster_info_json(), R"({"brokerAddrTable":{},"clusterAddrTable":{}})");
  EXPECT_TRUE(routes_.all_topics().empty());
}

TEST_F(RouteInfoManagerTest, ExpiredMasterLeavesItsSlaveInTheRoute) {
  routes_.register_broker(reg("c", "broker-a", "10.0.0.1:10911", 0), body({{"T", 4, 4, 6, 0}}, {1, 1}));
  clock_.now += 60000;
  routes_.register_broker(reg("c", "broker-a", "10.0.0.2:10911", 1), body({}, {1, 1}));
  clock_.now += 60001;
  EXPECT_EQ(routes_.scan_not_active_brokers(), 1);
  auto route = routes_.pickup_topic_route("T");
  ASSERT_TRUE(route.has_value());
  EXPECT_EQ(route->broker_datas[0].broker_addrs, (std::map<int64_t, std::string>{{1, "10.0.0.2:10911"}}));
}

TEST_F(RouteInfoManagerTest, UnregisterRemovesTheAddressThenTheName) {
  routes_.register_broker(reg("c", "broker-a", "10.0.0.1:10911", 0), body({{"T", 4, 4, 6, 0}}, {1, 1}));
  routes_.register_broker(reg("c", "broker-a", "10.0.0.2:10911", 1), body({}, {1, 1}));
  routes_.unregister_broker("c", "10.0.0.2:10911", "broker-a", 1);
  EXPECT_EQ(routes_.pickup_topic_route("T")->broker_datas[0].broker_addrs.size(), 1u);
  routes_.unregister_broker("c", "10.0.0.1:10911", "broker-a", 0);
  EXPECT_FALSE(routes_.pickup_topic_route("T").has_value());
  EXPECT_EQ(routes_.cluster_info_json(), R"({"brokerAddrTable":{},"clusterAddrTable":{}})");
  EXPECT_EQ(routes_.live_broker_count(), 0u);
  routes_.unregister_broker("c", "10.0.0.9:1", "nobody", 0);  // unknown: nothing happens
}

TEST_F(RouteInfoManagerTest, ClosedConnectionRemovesItsBrokersAtOnce) {
  int conn1 = 0, conn2 = 0;
  routes_.register_broker(reg("c", "broker-a", "10.0.0.1:10911", 0, &conn1), body({{"T", 4, 4, 6, 0}}, {1, 1}));
  routes_.register_broker(reg("c", "broker-b", "10.0.0.2:10911", 0, &conn2), body({{"T", 4, 4, 6, 0}}, {1, 1}));
  EXPECT_EQ(routes_.on_connection_closed(nullptr), 0);
  EXPECT_EQ(routes_.on_connection_closed(&conn1), 1);
  EXPECT_EQ(routes_.pickup_topic_route("T")->broker_datas.size(), 1u);
  EXPECT_NE(logger_.find({"broker broker-a", "10.0.0.1:10911", "connection to the name server closed"}), "");
  // broker-b re-registers on another connection: the old one closing no longer removes it.
  int conn3 = 0;
  routes_.register_broker(reg("c", "broker-b", "10.0.0.2:10911", 0, &conn3), body({{"T", 4, 4, 6, 0}}, {1, 1}));
  EXPECT_EQ(routes_.on_connection_closed(&conn2), 0);
  EXPECT_TRUE(routes_.pickup_topic_route("T").has_value());
}

TEST_F(RouteInfoManagerTest, WipeAndAddWritePerm) {
  routes_.register_broker(reg("c", "broker-a", "10.0.0.1:10911", 0),
                          body({{"T1", 4, 4, 7, 0}, {"T2", 4, 4, 6, 0}}, {1, 1}));
  routes_.register_broker(reg("c", "broker-b", "10.0.0.2:10911", 0), body({{"T1", 4, 4, 6, 0}}, {1, 1}));
  EXPECT_EQ(routes_.wipe_write_perm_of_broker("broker-a"), 2);
  auto t1 = routes_.pickup_topic_route("T1");
  EXPECT_EQ(t1->queue_datas[0].perm, 5);  // 7 without WRITE
  EXPECT_EQ(t1->queue_datas[1].perm, 6);  // broker-b untouched
  EXPECT_EQ(routes_.pickup_topic_route("T2")->queue_datas[0].perm, 4);
  EXPECT_EQ(routes_.add_write_perm_of_broker("broker-a"), 2);
  EXPECT_EQ(routes_.pickup_topic_route("T1")->queue_datas[0].perm, 6);
  EXPECT_EQ(routes_.wipe_write_perm_of_broker("nobody"), 0);
}

TEST_F(RouteInfoManagerTest, QueryDataVersionRefreshesAnUnchangedBroker) {
  routes_.register_broker(reg("c", "broker-a", "10.0.0.1:10911", 0), body({{"T", 4, 4, 6, 0}}, {5, 9}));
  std::optional<DataVersion> stored;
  EXPECT_TRUE(routes_.query_data_version("10.0.0.9:1", DataVersion{5, 9}, &stored));
  EXPECT_FALSE(stored.has_value());
  clock_.now += 100000;
  EXPECT_FALSE(routes_.query_data_version("10.0.0.1:10911", DataVersion{5, 9}, &stored));
  EXPECT_EQ(stored, (DataVersion{5, 9}));
  clock_.now += 100000;  // 200 s after registering, 100 s after the query: still live
  EXPECT_EQ(routes_.scan_not_active_brokers(), 0);
  EXPECT_TRUE(routes_.query_data_version("10.0.0.1:10911", DataVersion{5, 10}, &stored));
}

TEST_F(RouteInfoManagerTest, ConcurrentRegistrationsAndQueries) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      std::string name = "broker-" + std::to_string(t);
      for (int i = 0; i < 200; ++i) {
        routes_.register_broker(reg("c", name, "10.0.0." + std::to_string(t) + ":1", 0),
                                body({{"T", 4, 4, 6, 0}, {"T" + std::to_string(i % 7), 1, 1, 6, 0}}, {1, i}));
        (void)routes_.pickup_topic_route("T");
        (void)routes_.cluster_info_json();
        if (i % 50 == 0) routes_.scan_not_active_brokers();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(routes_.pickup_topic_route("T")->broker_datas.size(), 4u);
}

}  // namespace
}  // namespace tern::remoting
