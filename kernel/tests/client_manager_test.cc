// ClientManager (ClientRegistry): consumer membership and its change notices (joins,
// unregistering, closed and dead connections, expiry, subscription changes), the
// heartbeat's side effects (group config, %RETRY% topic), producers, re-entrancy and a
// concurrency smoke test.
#include "broker/client_manager.h"

#include <thread>

#include <gtest/gtest.h>

#include "broker_test_util.h"

namespace tern::kernel {
namespace {

using namespace std::chrono_literals;
using testing::FakeChannel;
using testing::TempDir;

class ClientManagerTest : public ::testing::Test {
 protected:
  ClientManagerTest()
      : groups_({dir_.file("config/subscriptionGroup.json"), true}, *logger_),
        topics_(topic_options(), &groups_, *logger_) {}

  TopicConfigOptions topic_options() const {
    TopicConfigOptions o;
    o.file = dir_.file("config/topics.json");
    return o;
  }
  std::unique_ptr<ClientManager> make(bool notify = true, std::chrono::milliseconds expiry = 120s) {
    return std::make_unique<ClientManager>(ClientManagerOptions{notify, expiry}, &topics_, &groups_, *logger_);
  }
  static ConsumerHeartbeat hb(const std::string& group, const std::string& client_id,
                              std::vector<std::string> topics = {"T"}, int64_t version = 1) {
    ConsumerHeartbeat h;
    h.group = group;
    h.client_id = client_id;
    h.language = "JAVA";
    h.version = 409;
    for (auto& t : topics) {
      Subscription s;
      s.topic = t;
      s.expression = "*";
      s.version = version;
      h.subscriptions.push_back(s);
    }
    return h;
  }

  TempDir dir_;
  std::shared_ptr<Logger> logger_ = testing::test_logger();
  SubscriptionGroupManager groups_;
  TopicConfigManager topics_;
};

TEST_F(ClientManagerTest, JoinsNotifyEveryMemberAndRefreshesDoNot) {
  auto clients = make();
  auto c2 = std::make_shared<FakeChannel>("10.0.0.2:5000");
  auto c1 = std::make_shared<FakeChannel>("10.0.0.1:5000");
  clients->consumer_heartbeat(c2, hb("G", "10.0.0.2@b"));
  EXPECT_EQ(c2->notices(), std::vector<std::string>{"G"});
  clients->consumer_heartbeat(c2, hb("G", "10.0.0.2@b"));  // periodic heartbeat: nothing new
  EXPECT_EQ(c2->notice_count(), 1u);
  clients->consumer_heartbeat(c1, hb("G", "10.0.0.1@a"));
  EXPECT_EQ(c1->notice_count(), 1u);
  EXPECT_EQ(c2->notice_count(), 2u);
  EXPECT_EQ(clients->consumer_ids("G"), (std::vector<std::string>{"10.0.0.1@a", "10.0.0.2@b"}));  // sorted
  EXPECT_TRUE(clients->consumer_ids("Other").empty());

  auto info = clients->consumer_group("G");
  ASSERT_TRUE(info.has_value());
  ASSERT_EQ(info->members.size(), 2u);
  EXPECT_EQ(info->members[0].client_id, "10.0.0.1@a");
  EXPECT_EQ(info->members[0].remote_address, "10.0.0.1:5000");
  EXPECT_EQ(info->members[0].language, "JAVA");
  EXPECT_GT(info->members[0].last_update_ms, 0);
  EXPECT_EQ(info->subscriptions.count("T"), 1u);
  EXPECT_EQ(clients->consumer_groups(), std::vector<std::string>{"G"});
}

TEST_F(ClientManagerTest, LeavingByUnregisterOrClosedConnectionNotifiesTheOthers) {
  auto clients = make();
  auto a = std::make_shared<FakeChannel>("a:1");
  auto b = std::make_shared<FakeChannel>("b:1");
  auto c = std::make_shared<FakeChannel>("c:1");
  clients->consumer_heartbeat(a, hb("G", "a"));
  clients->consumer_heartbeat(b, hb("G", "b"));
  clients->consumer_heartbeat(c, hb("G", "c"));
  clients->consumer_heartbeat(c, hb("H", "c"));  // c is in two groups over one connection
  clients->producer_heartbeat(c, "P", "c", "JAVA", 409);
  a->forget();
  b->forget();
  c->forget();

  clients->unregister_consumer("G", "a");
  EXPECT_EQ(a->notice_count(), 0u);
  EXPECT_EQ(b->notices(), std::vector<std::string>{"G"});
  EXPECT_EQ(c->notices(), std::vector<std::string>{"G"});
  clients->unregister_consumer("G", "a");  // again: nothing left to tell
  EXPECT_EQ(b->notice_count(), 1u);

  clients->channel_closed(c.get());
  EXPECT_EQ(b->notice_count(), 2u);
  EXPECT_EQ(clients->consumer_ids("G"), std::vector<std::string>{"b"});
  EXPECT_TRUE(clients->consumer_ids("H").empty());
  EXPECT_FALSE(clients->consumer_group("H").has_value());
  EXPECT_TRUE(clients->producers("P").empty());
  EXPECT_EQ(c->notice_count(), 1u);  // a's leaving only: a closed connection is not told it left
}

TEST_F(ClientManagerTest, AReconnectedClientKeepsItsPlaceWhenTheOldConnectionCloses) {
  auto clients = make();
  auto old_channel = std::make_shared<FakeChannel>("a:1");
  auto new_channel = std::make_shared<FakeChannel>("a:2");
  clients->consumer_heartbeat(old_channel, hb("G", "a"));
  clients->consumer_heartbeat(new_channel, hb("G", "a"));
  clients->channel_closed(old_channel.get());
  EXPECT_EQ(clients->consumer_ids("G"), std::vector<std::string>{"a"});
  EXPECT_EQ(clients->consumer_group("G")->members[0].remote_address, "a:2");
}

TEST_F(ClientManagerTest, SilentMembersExpireAndTheOthersAreTold) {
  auto clients = make(true, 1000ms);
  auto a = std::make_shared<FakeChannel>("a:1");
  auto b = std::make_shared<FakeChannel>("b:1");
  clients->consumer_heartbeat(a, hb("G", "a"));
  clients->producer_heartbeat(a, "P", "a", "JAVA", 409);
  std::this_thread::sleep_for(30ms);
  clients->consumer_heartbeat(b, hb("G", "b"));
  a->forget();
  b->forget();
  auto now = std::chrono::steady_clock::now();
  clients->scan_expired(now + 1000ms - 15ms);  // a was last heard 30 ms before b
  EXPECT_EQ(clients->consumer_ids("G"), std::vector<std::string>{"b"});
  EXPECT_EQ(b->notices(), std::vector<std::string>{"G"});
  EXPECT_EQ(a->notice_count(), 0u);
  EXPECT_TRUE(clients->producers("P").empty());
  clients->scan_expired(now + 1000ms + 100ms);
  EXPECT_TRUE(clients->consumer_ids("G").empty());
  EXPECT_TRUE(clients->consumer_groups().empty());
}

TEST_F(ClientManagerTest, DeadConnectionsCountAsGone) {
  auto clients = make();
  auto a = std::make_shared<FakeChannel>("a:1");
  auto b = std::make_shared<FakeChannel>("b:1");
  clients->consumer_heartbeat(a, hb("G", "a"));
  clients->consumer_heartbeat(b, hb("G", "b"));
  clients->producer_heartbeat(b, "P", "b", "JAVA", 409);
  a->forget();
  b.reset();  // the plugin dropped the connection without telling the registry
  EXPECT_EQ(clients->consumer_ids("G"), std::vector<std::string>{"a"});
  EXPECT_EQ(clients->any_producer_channel("P"), nullptr);
  EXPECT_TRUE(clients->producers("P").empty());
  clients->scan_expired(std::chrono::steady_clock::now());  // cleans up and tells the rest
  EXPECT_EQ(a->notices(), std::vector<std::string>{"G"});

  // The same client id coming back over a new connection is a join.
  auto b2 = std::make_shared<FakeChannel>("b:2");
  clients->consumer_heartbeat(b2, hb("G", "b"));
  EXPECT_EQ(a->notice_count(), 2u);
}

TEST_F(ClientManagerTest, SubscriptionTopicChangesNotifyExpressionChangesDoNot) {
  auto clients = make();
  auto a = std::make_shared<FakeChannel>("a:1");
  clients->consumer_heartbeat(a, hb("G", "a", {"T"}, 1));
  a->forget();
  auto newer = hb("G", "a", {"T"}, 2);
  newer.subscriptions[0].expression = "TagA || TagB";
  newer.subscriptions[0].tags = {"TagA", "TagB"};
  clients->consumer_heartbeat(a, newer);
  EXPECT_EQ(a->notice_count(), 0u);
  EXPECT_EQ(clients->subscription("G", "T")->expression, "TagA || TagB");
  auto older = hb("G", "a", {"T"}, 1);  // a stale heartbeat does not undo it
  clients->consumer_heartbeat(a, older);
  EXPECT_EQ(clients->subscription("G", "T")->expression, "TagA || TagB");

  clients->consumer_heartbeat(a, hb("G", "a", {"T", "U"}, 3));
  EXPECT_EQ(a->notice_count(), 1u);
  EXPECT_TRUE(clients->subscription("G", "U").has_value());
  clients->consumer_heartbeat(a, hb("G", "a", {"U"}, 4));
  EXPECT_EQ(a->notice_count(), 2u);
  EXPECT_FALSE(clients->subscription("G", "T").has_value());
}

TEST_F(ClientManagerTest, NoticesCanBeTurnedOffBrokerWideOrPerGroup) {
  {
    auto clients = make(/*notify=*/false);
    auto a = std::make_shared<FakeChannel>("a:1");
    auto b = std::make_shared<FakeChannel>("b:1");
    clients->consumer_heartbeat(a, hb("G", "a"));
    clients->consumer_heartbeat(b, hb("G", "b"));
    clients->unregister_consumer("G", "b");
    EXPECT_EQ(a->notice_count(), 0u);
    EXPECT_EQ(clients->consumer_ids("G"), std::vector<std::string>{"a"});
  }
  SubscriptionGroupConfig quiet;
  quiet.group_name = "Quiet";
  quiet.notify_consumer_ids_changed_enable = false;
  ASSERT_TRUE(groups_.create_or_update(quiet).is_ok());
  auto clients = make();
  auto a = std::make_shared<FakeChannel>("a:1");
  auto b = std::make_shared<FakeChannel>("b:1");
  clients->consumer_heartbeat(a, hb("Quiet", "a"));
  clients->consumer_heartbeat(b, hb("Quiet", "b"));
  clients->channel_closed(b.get());
  EXPECT_EQ(a->notice_count(), 0u);
}

TEST_F(ClientManagerTest, HeartbeatCreatesTheGroupAndItsRetryTopic) {
  SubscriptionGroupConfig g;
  g.group_name = "Payments";
  g.retry_queue_nums = 2;
  ASSERT_TRUE(groups_.create_or_update(g).is_ok());
  auto clients = make();
  auto a = std::make_shared<FakeChannel>("a:1");
  clients->consumer_heartbeat(a, hb("Payments", "a"));
  auto retry = topics_.find("%RETRY%Payments");
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->write_queue_nums, 2);
  EXPECT_EQ(retry->perm, 6);

  clients->consumer_heartbeat(a, hb("Fresh", "a"));  // autoCreateSubscriptionGroup is on here
  EXPECT_TRUE(groups_.find("Fresh").has_value());
  EXPECT_EQ(topics_.find("%RETRY%Fresh")->write_queue_nums, 1);
}

TEST_F(ClientManagerTest, Producers) {
  auto clients = make();
  auto a = std::make_shared<FakeChannel>("a:1");
  auto b = std::make_shared<FakeChannel>("b:1");
  clients->producer_heartbeat(b, "P", "b", "CPP", 333);
  std::this_thread::sleep_for(2ms);
  clients->producer_heartbeat(a, "P", "a", "JAVA", 409);
  auto list = clients->producers("P");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].client_id, "a");
  EXPECT_EQ(list[1].language, "CPP");
  EXPECT_EQ(clients->any_producer_channel("P"), a);  // the most recently heard
  clients->unregister_producer("P", "a");
  EXPECT_EQ(clients->any_producer_channel("P"), b);
  EXPECT_EQ(clients->any_producer_channel("Nobody"), nullptr);
  EXPECT_EQ(b->notice_count(), 0u);  // producers are never told about consumer groups
}

TEST_F(ClientManagerTest, ChannelsAreCalledOutsideTheLock) {
  auto clients = make();
  auto a = std::make_shared<FakeChannel>("a:1");
  std::vector<std::string> seen;
  // A plugin answering the notice at once, on the same thread, by asking the registry.
  a->on_notify = [&](const std::string& group) {
    for (auto& id : clients->consumer_ids(group)) seen.push_back(id);
  };
  clients->consumer_heartbeat(a, hb("G", "a"));
  EXPECT_EQ(seen, std::vector<std::string>{"a"});
}

TEST_F(ClientManagerTest, ConcurrencySmoke) {
  auto clients = make(true, 50ms);
  constexpr int kThreads = 4;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::shared_ptr<FakeChannel>> mine;
      for (int i = 0; i < 300; ++i) {
        auto ch = std::make_shared<FakeChannel>("h" + std::to_string(t) + ":" + std::to_string(i));
        std::string id = "c" + std::to_string(t) + "-" + std::to_string(i % 7);
        clients->consumer_heartbeat(ch, hb("G" + std::to_string(i % 3), id, {"T", "U"}, i));
        clients->producer_heartbeat(ch, "P", id, "JAVA", 1);
        mine.push_back(ch);
        if (i % 5 == 0) clients->unregister_consumer("G" + std::to_string(i % 3), id);
        if (i % 7 == 0) clients->channel_closed(mine[i / 2].get());
        if (i % 11 == 0) mine[i / 3].reset();
        (void)clients->consumer_ids("G0");
        (void)clients->consumer_group("G1");
        (void)clients->any_producer_channel("P");
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop) clients->scan_expired(std::chrono::steady_clock::now());
  });
  for (int t = 0; t < kThreads; ++t) threads[t].join();
  stop = true;
  threads.back().join();
  clients->scan_expired(std::chrono::steady_clock::now() + 1s);
  EXPECT_TRUE(clients->consumer_groups().empty());
  EXPECT_TRUE(clients->producers("P").empty());
}

}  // namespace
}  // namespace tern::kernel
