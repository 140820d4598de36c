// BrokerServicesImpl: built from the broker config, files loaded at start and written by
// the background thread (soon after a change, periodically for offsets, at stop), a
// corrupt file failing the start, expiry by the background scan, holds at stop.
#include "broker/broker_services_impl.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "broker_test_util.h"
#include "config/broker_config_keys.h"
#include "config/effective_config.h"
#include "fixtures/fake_store.h"

namespace tern::kernel {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::FakeChannel;
using testing::slurp;
using testing::spit;
using testing::TempDir;

class BrokerServicesTest : public ::testing::Test {
 protected:
  BrokerServicesTest() {
    config_.declare(broker_config_keys(), "", "broker");
    config_.set("storePathRootDir", dir_.path(), "test");
    config_.set("brokerName", "broker-t", "test");
  }
  std::string file(const std::string& name) const { return dir_.file("config/" + name); }
  std::unique_ptr<BrokerServicesImpl> make() { return std::make_unique<BrokerServicesImpl>(config_, logger_); }

  TempDir dir_;
  EffectiveConfig config_{{{"exeDir", "/x"}, {"hostname", "h"}}};
  std::shared_ptr<Logger> logger_ = testing::test_logger();
  fixture::FakeStore store_;
};

TEST_F(BrokerServicesTest, ReadsItsConfig) {
  config_.set("defaultTopicQueueNums", "4", "test");
  config_.set("autoCreateSubscriptionGroup", "false", "test");
  config_.set("rebalanceLockMaxLiveTime", "1234", "test");
  auto services = make();
  EXPECT_EQ(services->queue_locks().max_live_time(), 1234ms);
  EXPECT_EQ(services->config_dir(), dir_.path() + "/config");
  EXPECT_EQ(services->topics().find("TBW102")->write_queue_nums, 4);
  EXPECT_TRUE(services->topics().find("broker-t").has_value());
  EXPECT_FALSE(services->subscription_groups().find_or_create("G").has_value());
  EXPECT_GT(services->start_time_ms(), 0);
}

TEST_F(BrokerServicesTest, ChangesReachTheDiskSoonAndEverythingAtStop) {
  config_.set("flushConsumerOffsetInterval", "50", "test");
  {
    auto services = make();
    ASSERT_TRUE(services->start(&store_).is_ok());
    EXPECT_TRUE(store_.has_listener());
    TopicConfig t;
    t.topic_name = "Orders";
    ASSERT_TRUE(services->topics().create_or_update(t).is_ok());
    EXPECT_TRUE(eventually([&] { return slurp(file("topics.json")).find("\"Orders\"") != std::string::npos; }));
    ASSERT_TRUE(services->subscription_groups().find_or_create("G").has_value());
    EXPECT_TRUE(eventually([&] { return slurp(file("subscriptionGroup.json")).find("\"G\"") != std::string::npos; }));
    services->consumer_offsets().commit("G", "Orders", 0, 42);
    EXPECT_TRUE(eventually([&] { return slurp(file("consumerOffset.json")).find("42") != std::string::npos; }));
    services->consumer_offsets().commit("G", "Orders", 1, 43);  // written at stop at the latest
    services->stop();
    EXPECT_FALSE(store_.has_listener());
  }
  EXPECT_EQ(slurp(file("consumerOffset.json")), "{\"offsetTable\":{\"Orders@G\":{\"0\":42,\"1\":43}}}");

  auto again = make();
  ASSERT_TRUE(again->start(nullptr).is_ok());
  EXPECT_TRUE(again->topics().find("Orders").has_value());
  EXPECT_TRUE(again->subscription_groups().find("G").has_value());
  EXPECT_EQ(again->consumer_offsets().query("G", "Orders", 1), 43);
}

TEST_F(BrokerServicesTest, OffsetsAreWrittenAtStopEvenWithALongInterval) {
  config_.set("flushConsumerOffsetInterval", "3600000", "test");
  auto services = make();
  ASSERT_TRUE(services->start(&store_).is_ok());
  services->consumer_offsets().commit("G", "T", 3, 9);
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(std::filesystem::exists(file("consumerOffset.json")));
  services->stop();
  EXPECT_EQ(slurp(file("consumerOffset.json")), "{\"offsetTable\":{\"T@G\":{\"3\":9}}}");
}

TEST_F(BrokerServicesTest, ACorruptFileFailsTheStartNamingItAndIsLeftAlone) {
  spit(file("consumerOffset.json"), "{\"offsetTable\":");
  auto services = make();
  Status s = services->start(&store_);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(s.is_corruption());
  EXPECT_NE(s.message().find(file("consumerOffset.json")), std::string::npos) << s.message();
  services->consumer_offsets().commit("G", "T", 0, 1);
  services->stop();
  EXPECT_EQ(slurp(file("consumerOffset.json")), "{\"offsetTable\":");
}

TEST_F(BrokerServicesTest, SilentClientsExpireInTheBackground) {
  config_.set("clientChannelExpiredTimeout", "100", "test");
  auto services = make();
  ASSERT_TRUE(services->start(&store_).is_ok());
  auto a = std::make_shared<FakeChannel>("a:1");
  auto b = std::make_shared<FakeChannel>("b:1");
  ConsumerHeartbeat hb;
  hb.group = "G";
  hb.client_id = "a";
  services->clients().consumer_heartbeat(a, hb);
  hb.client_id = "b";
  services->clients().consumer_heartbeat(b, hb);
  a->forget();
  // b keeps heartbeating, a falls silent.
  auto until = std::chrono::steady_clock::now() + 400ms;
  while (std::chrono::steady_clock::now() < until) {
    services->clients().consumer_heartbeat(b, hb);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(services->clients().consumer_ids("G"), std::vector<std::string>{"b"});
  EXPECT_GE(b->notice_count(), 2u);  // its own join, then a's expiry
  services->stop();
  EXPECT_TRUE(services->clients().consumer_ids("G").empty());  // no channel outlives stop
}

TEST_F(BrokerServicesTest, HoldsWakeOnArrivalAndAtStop) {
  auto services = make();
  ASSERT_TRUE(services->start(&store_).is_ok());
  std::atomic<int> arrived{0}, timed_out{0};
  auto wake = [&](bool a) { ++(a ? arrived : timed_out); };
  services->pull_holds().hold("T", 0, 0, std::chrono::steady_clock::now() + 1h, wake);
  services->pull_holds().hold("T", 1, 0, std::chrono::steady_clock::now() + 1h, wake);
  store_.arrive("T", 0, 1);
  EXPECT_EQ(arrived, 1);
  services->stop();
  EXPECT_EQ(timed_out, 1);
}

}  // namespace
}  // namespace tern::kernel
