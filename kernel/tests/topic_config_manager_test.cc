// TopicConfigManager and SubscriptionGroupManager: system topics and groups, name rules,
// RocketMQ's send-path creation rules, retry topics, permissions, data versions,
// listeners, and persistence across a restart.
#include "broker/topic_config_manager.h"

#include <gtest/gtest.h>

#include "broker/subscription_group_manager.h"
#include "broker_test_util.h"

namespace tern::kernel {
namespace {

using testing::slurp;
using testing::spit;
using testing::TempDir;

class TopicConfigManagerTest : public ::testing::Test {
 protected:
  TopicConfigOptions options() const {
    TopicConfigOptions o;
    o.file = dir_.file("config/topics.json");
    o.cluster_name = "DefaultCluster";
    o.broker_name = "broker-a";
    return o;
  }
  SubscriptionGroupOptions group_options(bool auto_create = true) const {
    return {dir_.file("config/subscriptionGroup.json"), auto_create};
  }

  TempDir dir_;
  std::shared_ptr<Logger> logger_ = testing::test_logger();
};

TEST_F(TopicConfigManagerTest, SystemTopicsFollowTheConfig) {
  TopicConfigManager topics(options(), nullptr, *logger_);
  auto tbw = topics.find("TBW102");
  ASSERT_TRUE(tbw.has_value());
  EXPECT_EQ(tbw->perm, 7);
  EXPECT_EQ(tbw->read_queue_nums, 8);
  EXPECT_EQ(tbw->write_queue_nums, 8);
  auto schedule = topics.find("SCHEDULE_TOPIC_XXXX");
  ASSERT_TRUE(schedule.has_value());
  EXPECT_EQ(schedule->write_queue_nums, 18);
  for (const char* name : {"SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT", "BenchmarkTest", "DefaultCluster_REPLY_TOPIC"}) {
    EXPECT_TRUE(topics.find(name).has_value()) << name;
  }
  EXPECT_EQ(topics.find("DefaultCluster")->perm, 7);
  EXPECT_EQ(topics.find("broker-a")->perm, 7);
  EXPECT_EQ(topics.find("broker-a")->write_queue_nums, 1);
  EXPECT_FALSE(topics.find("RMQ_SYS_TRACE_TOPIC").has_value());

  auto o = options();
  o.auto_create_topic_enable = false;
  o.cluster_topic_enable = false;
  o.broker_topic_enable = false;
  o.trace_topic_enable = true;
  o.trace_topic_name = "MyTrace";
  o.default_topic_queue_nums = 4;
  TopicConfigManager off(o, nullptr, *logger_);
  EXPECT_FALSE(off.find("TBW102").has_value());
  EXPECT_EQ(off.find("DefaultCluster")->perm, perm::kInherit);  // present but unusable, as in RocketMQ
  EXPECT_EQ(off.find("broker-a")->perm, perm::kInherit);
  EXPECT_EQ(off.find("MyTrace")->write_queue_nums, 1);
}

TEST_F(TopicConfigManagerTest, CreateUpdateRemoveAndNameRules) {
  TopicConfigManager topics(options(), nullptr, *logger_);
  TopicConfig t;
  t.topic_name = "Orders";
  t.read_queue_nums = 4;
  t.write_queue_nums = 4;
  ASSERT_TRUE(topics.create_or_update(t).is_ok());
  EXPECT_EQ(topics.find("Orders")->write_queue_nums, 4);
  t.write_queue_nums = 2;
  ASSERT_TRUE(topics.create_or_update(t).is_ok());
  EXPECT_EQ(topics.find("Orders")->write_queue_nums, 2);

  for (const char* bad : {"", "  ", "has space", "dot.ted", "ümlaut"}) {
    t.topic_name = bad;
    Status s = topics.create_or_update(t);
    EXPECT_TRUE(s.is_invalid_argument()) << bad << ": " << s.to_string();
  }
  t.topic_name = std::string(128, 'a');
  EXPECT_TRUE(topics.create_or_update(t).is_invalid_argument());
  t.topic_name = std::string(127, 'a');
  EXPECT_TRUE(topics.create_or_update(t).is_ok());
  t.topic_name = "a%b|c_d-E9";
  EXPECT_TRUE(topics.create_or_update(t).is_ok());
  t.write_queue_nums = 0;
  EXPECT_TRUE(topics.create_or_update(t).is_invalid_argument());
  t.write_queue_nums = 1025;
  EXPECT_TRUE(topics.create_or_update(t).is_invalid_argument());

  t.write_queue_nums = 1;
  for (const char* system :
       {"TBW102", "SCHEDULE_TOPIC_XXXX", "DefaultCluster", "broker-a", "RMQ_SYS_TRANS_HALF_TOPIC", "rmq_sys_wheel_timer"}) {
    t.topic_name = system;
    Status s = topics.create_or_update(t);
    EXPECT_TRUE(s.is_invalid_argument()) << system;
    EXPECT_NE(s.message().find("conflict with system topic"), std::string::npos) << s.message();
    EXPECT_TRUE(topics.remove(system).is_invalid_argument()) << system;
  }

  ASSERT_TRUE(topics.remove("Orders").is_ok());
  EXPECT_FALSE(topics.find("Orders").has_value());
  EXPECT_TRUE(topics.remove("Orders").is_not_found());
}

TEST_F(TopicConfigManagerTest, EveryChangeBumpsTheVersionAndCallsListeners) {
  TopicConfigManager topics(options(), nullptr, *logger_);
  int calls = 0;
  topics.add_change_listener([&] { ++calls; });
  DataVersion v0 = topics.data_version();
  TopicConfig t;
  t.topic_name = "A";
  ASSERT_TRUE(topics.create_or_update(t).is_ok());
  DataVersion v1 = topics.data_version();
  EXPECT_EQ(v1.counter, v0.counter + 1);
  EXPECT_GE(v1.timestamp, v0.timestamp);
  ASSERT_TRUE(topics.create_or_update(t).is_ok());  // identical: not a change
  EXPECT_EQ(topics.data_version(), v1);
  ASSERT_TRUE(topics.topic_for_send("B", 4).is_ok());  // auto-created
  ASSERT_TRUE(topics.ensure_topic("%RETRY%g", 1, 6).is_ok());
  ASSERT_TRUE(topics.remove("A").is_ok());
  EXPECT_EQ(topics.data_version().counter, v0.counter + 4);
  EXPECT_EQ(calls, 4);
}

TEST_F(TopicConfigManagerTest, AutoCreateTakesTheSmallerQueueCountFromTbw102) {
  TopicConfigManager topics(options(), nullptr, *logger_);
  auto a = topics.topic_for_send("NewTopic", 4);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_EQ(a->write_queue_nums, 4);
  EXPECT_EQ(a->read_queue_nums, 4);
  EXPECT_EQ(a->perm, 6);  // the template's perm without the inherit bit
  auto b = topics.topic_for_send("BigTopic", 64);
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(b->write_queue_nums, 8);  // defaultTopicQueueNums
  EXPECT_EQ(topics.find("NewTopic"), *a);
  // Existing topics are returned as they are, whatever the request says.
  auto again = topics.topic_for_send("NewTopic", 1);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->write_queue_nums, 4);
}

TEST_F(TopicConfigManagerTest, WithoutAutoCreateAnUnknownTopicIsNotFoundWithAdvice) {
  auto o = options();
  o.auto_create_topic_enable = false;
  TopicConfigManager topics(o, nullptr, *logger_);
  auto r = topics.topic_for_send("Unknown", 4);
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(r.status().is_not_found());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("topic[Unknown] not exist"), std::string::npos) << m;
  EXPECT_NE(m.find("mqadmin updateTopic"), std::string::npos) << m;
  EXPECT_NE(m.find("autoCreateTopicEnable=true"), std::string::npos) << m;
  EXPECT_FALSE(topics.find("Unknown").has_value());
}

TEST_F(TopicConfigManagerTest, SendPermissions) {
  TopicConfigManager topics(options(), nullptr, *logger_);
  TopicConfig ro;
  ro.topic_name = "ReadOnly";
  ro.perm = perm::kRead;
  ASSERT_TRUE(topics.create_or_update(ro).is_ok());
  auto r = topics.topic_for_send("ReadOnly", 4);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(r.status().message().find("ReadOnly"), std::string::npos);

  for (const char* forbidden : {"SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC", "OFFSET_MOVED_EVENT", "rmq_sys_wheel_timer"}) {
    auto f = topics.topic_for_send(forbidden, 4);
    ASSERT_FALSE(f.is_ok()) << forbidden;
    EXPECT_EQ(f.status().code(), Status::Code::kPermissionDenied) << forbidden;
  }
  EXPECT_TRUE(topics.topic_for_send("bad name", 4).status().is_invalid_argument());

  auto o = options();
  o.broker_permission = perm::kRead;  // a broker being drained
  TopicConfigManager read_only_broker(o, nullptr, *logger_);
  auto b = read_only_broker.topic_for_send("SELF_TEST_TOPIC_X", 4);
  ASSERT_FALSE(b.is_ok());
  EXPECT_EQ(b.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(b.status().message().find("SELF_TEST_TOPIC_X"), std::string::npos);
  EXPECT_FALSE(read_only_broker.find("SELF_TEST_TOPIC_X").has_value());  // nothing auto-created
}

TEST_F(TopicConfigManagerTest, RetryTopicOfAKnownGroupGetsTheGroupsRetryQueues) {
  auto o = options();
  o.auto_create_topic_enable = false;  // retry topics do not depend on it
  SubscriptionGroupManager groups(group_options(false), *logger_);
  TopicConfigManager topics(o, &groups, *logger_);
  SubscriptionGroupConfig g;
  g.group_name = "Payments";
  g.retry_queue_nums = 3;
  ASSERT_TRUE(groups.create_or_update(g).is_ok());

  auto retry = topics.topic_for_send("%RETRY%Payments", 8);
  ASSERT_TRUE(retry.is_ok()) << retry.status().to_string();
  EXPECT_EQ(retry->write_queue_nums, 3);
  EXPECT_EQ(retry->read_queue_nums, 3);
  EXPECT_EQ(retry->perm, 6);
  EXPECT_TRUE(topics.find("%RETRY%Payments").has_value());

  // An unknown group (auto-creation of groups off): no retry topic.
  EXPECT_TRUE(topics.topic_for_send("%RETRY%Nobody", 8).status().is_not_found());
}

TEST_F(TopicConfigManagerTest, PersistsAndReloadsButTheConfigDecidesSystemTopics) {
  {
    TopicConfigManager topics(options(), nullptr, *logger_);
    ASSERT_TRUE(topics.load().is_ok());
    TopicConfig t;
    t.topic_name = "Kept";
    t.read_queue_nums = 2;
    t.write_queue_nums = 3;
    t.order = true;
    ASSERT_TRUE(topics.create_or_update(t).is_ok());
    ASSERT_TRUE(topics.topic_for_send("Auto", 2).is_ok());
    ASSERT_TRUE(topics.ensure_topic("RMQ_SYS_TRANS_HALF_TOPIC", 1, 6).is_ok());  // made by the kernel on demand
    ASSERT_TRUE(topics.writer().write_if_dirty().is_ok());
  }
  const std::string text = slurp(dir_.file("config/topics.json"));
  EXPECT_NE(text.find("\"Kept\":{\"topicName\":\"Kept\",\"readQueueNums\":2,\"writeQueueNums\":3,\"perm\":6,"
                      "\"topicFilterType\":\"SINGLE_TAG\",\"topicSysFlag\":0,\"order\":true}"),
            std::string::npos)
      << text;

  auto o = options();
  o.default_topic_queue_nums = 2;  // changed between runs
  TopicConfigManager reloaded(o, nullptr, *logger_);
  ASSERT_TRUE(reloaded.load().is_ok());
  EXPECT_EQ(reloaded.find("Kept")->write_queue_nums, 3);
  EXPECT_TRUE(reloaded.find("Kept")->order);
  EXPECT_EQ(reloaded.find("Auto")->write_queue_nums, 2);
  EXPECT_EQ(reloaded.find("TBW102")->write_queue_nums, 2);  // the new config, not the file
  EXPECT_TRUE(reloaded.find("RMQ_SYS_TRANS_HALF_TOPIC").has_value());
  EXPECT_EQ(reloaded.data_version().counter, 3);             // the file's version

  o.auto_create_topic_enable = false;
  TopicConfigManager no_auto(o, nullptr, *logger_);
  ASSERT_TRUE(no_auto.load().is_ok());
  EXPECT_FALSE(no_auto.find("TBW102").has_value());  // not revived from the file
}

TEST_F(TopicConfigManagerTest, CorruptFileIsRefusedAndNeverOverwritten) {
  const std::string path = dir_.file("config/topics.json");
  spit(path, "{\"topicConfigTable\":{\"T\":");
  TopicConfigManager topics(options(), nullptr, *logger_);
  Status s = topics.load();
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(s.is_corruption());
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  ASSERT_TRUE(topics.topic_for_send("X", 1).is_ok());
  ASSERT_TRUE(topics.writer().write_if_dirty().is_ok());
  EXPECT_EQ(slurp(path), "{\"topicConfigTable\":{\"T\":");
}

TEST_F(TopicConfigManagerTest, SubscriptionGroupsAutoCreateAndPersist) {
  {
    SubscriptionGroupManager groups(group_options(true), *logger_);
    ASSERT_TRUE(groups.load().is_ok());
    EXPECT_TRUE(groups.find("TOOLS_CONSUMER").has_value());  // RocketMQ's built-in groups
    EXPECT_FALSE(groups.find("G1").has_value());
    auto g1 = groups.find_or_create("G1");
    ASSERT_TRUE(g1.has_value());
    EXPECT_EQ(g1->retry_queue_nums, 1);
    EXPECT_EQ(g1->retry_max_times, 16);
    EXPECT_FALSE(groups.find_or_create("bad group").has_value());
    SubscriptionGroupConfig g2;
    g2.group_name = "G2";
    g2.consume_broadcast_enable = false;
    g2.retry_queue_nums = 2;
    ASSERT_TRUE(groups.create_or_update(g2).is_ok());
    g2.retry_queue_nums = 0;
    EXPECT_TRUE(groups.create_or_update(g2).is_invalid_argument());
    EXPECT_EQ(groups.data_version().counter, 2);
    ASSERT_TRUE(groups.writer().write_if_dirty().is_ok());
  }
  SubscriptionGroupManager off(group_options(false), *logger_);
  ASSERT_TRUE(off.load().is_ok());
  EXPECT_TRUE(off.find("G1").has_value());
  EXPECT_EQ(off.find("G2")->retry_queue_nums, 2);
  EXPECT_FALSE(off.find("G2")->consume_broadcast_enable);
  EXPECT_FALSE(off.find_or_create("G3").has_value());        // auto-creation off
  EXPECT_TRUE(off.find_or_create("CID_RMQ_SYS_X").has_value());  // system groups always
  ASSERT_TRUE(off.remove("G1").is_ok());
  EXPECT_TRUE(off.remove("G1").is_not_found());
}

}  // namespace
}  // namespace tern::kernel
