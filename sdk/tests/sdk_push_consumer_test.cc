// DefaultMQPushConsumer against a real `mqbroker --standalone` (issue 5, consumer):
//   - a consumer receives every message produced with the SDK producer;
//   - two consumers of one group split the queues and together get every message
//     (duplicates only around the rebalance, counted);
//   - a restarted consumer resumes from its committed offset;
//   - a tag subscription gets only its tags;
// and the queue allocation (AllocateMessageQueueAveragely) and tag parsing as units.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "rebalance.h"
#include "sdk_test_harness.h"
#include "tern/client/producer.h"
#include "tern/client/push_consumer.h"

namespace tern::client {
namespace {

using namespace test_harness;

// What one or more consumers received: bodies with counts, per consumer.
class Received {
 public:
  MessageListenerConcurrently listener(int who) {
    return [this, who](const std::vector<MessageExt>& msgs) {
      std::lock_guard lock(mu_);
      for (const auto& m : msgs) {
        ++count_[m.body];
        ++by_consumer_[who];
        tags_.insert(std::string(m.tags()));
      }
      return ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
    };
  }
  size_t distinct() {
    std::lock_guard lock(mu_);
    return count_.size();
  }
  // Waits until `n` distinct bodies arrived; false at the timeout.
  bool wait_distinct(size_t n, std::chrono::milliseconds timeout = 15s) {
    auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      if (distinct() >= n) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  int duplicates() {
    std::lock_guard lock(mu_);
    int d = 0;
    for (const auto& [b, c] : count_) d += c - 1;
    return d;
  }
  std::map<std::string, int> counts() {
    std::lock_guard lock(mu_);
    return count_;
  }
  int by(int who) {
    std::lock_guard lock(mu_);
    return by_consumer_[who];
  }
  std::set<std::string> tags() {
    std::lock_guard lock(mu_);
    return tags_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> count_;
  std::map<int, int> by_consumer_;
  std::set<std::string> tags_;
};

class SdkPushConsumerTest : public BrokerSuite {
 protected:
  static void SetUpTestSuite() {
    // Short delay levels: RECONSUME_LATER comes back through %RETRY% at level 3 (300 ms).
    start_suite("autoCreateTopicEnable=false\nenablePropertyFilter=true\nmessageDelayLevel=100ms 200ms 300ms 400ms\n",
                "sdk_consumer_test_producer");
  }
  static void TearDownTestSuite() { stop_suite(); }

  std::unique_ptr<DefaultMQPushConsumer> consumer(const std::string& group, const std::string& instance) {
    auto c = std::make_unique<DefaultMQPushConsumer>(group);
    c->set_namesrv_addr(broker_->namesrv());
    c->set_instance_name(instance);
    c->set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
    c->set_consume_thread_max(4);
    return c;
  }

  static void produce(const std::string& topic, const std::string& prefix, int n, const std::string& tag = "TagA") {
    for (int i = 0; i < n; ++i) {
      SendResult r = producer_->send(make_message(topic, tag, prefix + "-" + std::to_string(i)));
      ASSERT_EQ(r.send_status, SendStatus::SEND_OK);
    }
  }
};

TEST(SdkRebalanceUnit, AllocateAveragely) {
  std::vector<MessageQueue> qs;
  for (int i = 4; i >= 0; --i) qs.push_back(MessageQueue{"T", "b", i});
  std::vector<std::string> ids{"c2", "c1"};
  auto a = internal::allocate_averagely(qs, ids, "c1");
  auto b = internal::allocate_averagely(qs, ids, "c2");
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(a[0].queue_id, 0);
  EXPECT_EQ(a[2].queue_id, 2);
  EXPECT_EQ(b[0].queue_id, 3);
  EXPECT_TRUE(internal::allocate_averagely(qs, ids, "c3").empty());
  // more consumers than queues: the last ones get nothing
  std::vector<std::string> many{"a", "b", "c"};
  std::vector<MessageQueue> two{{"T", "b", 0}, {"T", "b", 1}};
  EXPECT_EQ(internal::allocate_averagely(two, many, "a").size(), 1u);
  EXPECT_EQ(internal::allocate_averagely(two, many, "b").size(), 1u);
  EXPECT_TRUE(internal::allocate_averagely(two, many, "c").empty());
}

TEST(SdkRebalanceUnit, ParseTags) {
  EXPECT_TRUE(internal::parse_tags("*").empty());
  EXPECT_TRUE(internal::parse_tags("").empty());
  EXPECT_EQ(internal::parse_tags("TagA || TagB"), (std::set<std::string>{"TagA", "TagB"}));
  EXPECT_EQ(internal::parse_tags("TagA"), (std::set<std::string>{"TagA"}));
  EXPECT_EQ(internal::java_hash_code("TagA"), 2598919);
}

TEST_F(SdkPushConsumerTest, ReceivesEveryMessage) {
  raw_->create_topic(*broker_, "SdkPushAll", 4);
  constexpr int kN = 60;
  produce("SdkPushAll", "all", kN);
  Received got;
  auto c = consumer("sdk_push_all", "push_all_1");
  c->subscribe("SdkPushAll", "*");
  c->register_message_listener(got.listener(0));
  c->start();
  ASSERT_TRUE(got.wait_distinct(kN)) << "got " << got.distinct() << " of " << kN;
  // messages sent while it runs arrive too (long polling)
  produce("SdkPushAll", "live", 10);
  EXPECT_TRUE(got.wait_distinct(kN + 10)) << "got " << got.distinct();
  c->shutdown();
  EXPECT_EQ(got.duplicates(), 0);
}

TEST_F(SdkPushConsumerTest, TwoConsumersSplitTheQueues) {
  raw_->create_topic(*broker_, "SdkPushSplit", 4);
  Received got;
  auto a = consumer("sdk_push_split", "split_a");
  auto b = consumer("sdk_push_split", "split_b");
  for (auto* c : {a.get(), b.get()}) {
    c->subscribe("SdkPushSplit", "*");
    c->set_rebalance_interval(1000ms);
  }
  a->register_message_listener(got.listener(0));
  b->register_message_listener(got.listener(1));
  a->start();
  produce("SdkPushSplit", "first", 40);
  ASSERT_TRUE(got.wait_distinct(40));
  b->start();
  std::this_thread::sleep_for(2500ms);  // the rebalance settles (notify, else the 1 s timer)
  const int a_before = got.by(0), b_before = got.by(1);
  produce("SdkPushSplit", "second", 80);
  ASSERT_TRUE(got.wait_distinct(120)) << "got " << got.distinct() << " of 120";
  EXPECT_GT(got.by(0) - a_before, 0) << "consumer a got none of the second half";
  EXPECT_GT(got.by(1) - b_before, 0) << "consumer b got none of the second half";
  EXPECT_LT(got.by(0) - a_before, 80) << "consumer a got all of the second half";
  a->shutdown();
  b->shutdown();
  std::printf("duplicates across the rebalance: %d\n", got.duplicates());
  EXPECT_LE(got.duplicates(), 40);
}

TEST_F(SdkPushConsumerTest, RestartResumesFromCommittedOffset) {
  raw_->create_topic(*broker_, "SdkPushResume", 2);
  produce("SdkPushResume", "old", 30);
  {
    Received got;
    auto c = consumer("sdk_push_resume", "resume_1");
    c->subscribe("SdkPushResume", "*");
    c->register_message_listener(got.listener(0));
    c->start();
    ASSERT_TRUE(got.wait_distinct(30));
    c->shutdown();  // persists the offsets
  }
  produce("SdkPushResume", "new", 20);
  Received got;
  auto c = consumer("sdk_push_resume", "resume_2");
  c->subscribe("SdkPushResume", "*");
  c->register_message_listener(got.listener(0));
  c->start();
  ASSERT_TRUE(got.wait_distinct(20)) << "got " << got.distinct();
  std::this_thread::sleep_for(300ms);
  c->shutdown();
  int old = 0;
  for (const auto& [body, n] : got.counts()) {
    if (body.rfind("old-", 0) == 0) old += n;
  }
  for (int i = 0; i < 20; ++i) EXPECT_EQ(got.counts().count("new-" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(old, 0) << "old messages delivered again after the restart";
}

TEST_F(SdkPushConsumerTest, TagSubscriptionGetsOnlyItsTags) {
  raw_->create_topic(*broker_, "SdkPushTags", 2);
  produce("SdkPushTags", "a", 10, "TagA");
  produce("SdkPushTags", "b", 10, "TagB");
  produce("SdkPushTags", "c", 10, "TagC");
  Received got;
  auto c = consumer("sdk_push_tags", "tags_1");
  c->subscribe("SdkPushTags", "TagA || TagC");
  c->register_message_listener(got.listener(0));
  c->start();
  ASSERT_TRUE(got.wait_distinct(20)) << "got " << got.distinct();
  std::this_thread::sleep_for(500ms);
  c->shutdown();
  EXPECT_EQ(got.distinct(), 20u);
  EXPECT_EQ(got.tags(), (std::set<std::string>{"TagA", "TagC"}));
}

// Seed 001's SQL92 example, filtered on the broker (filter-sql92).
TEST_F(SdkPushConsumerTest, SqlSubscriptionGetsOnlyMatchingMessages) {
  raw_->create_topic(*broker_, "SdkPushSql", 2);
  for (int i = 0; i < 10; ++i) {
    Message m = make_message("SdkPushSql", "TagA", "sql-" + std::to_string(i));
    m.set_property("sequence", std::to_string(i));
    m.set_property("tag", i % 2 == 0 || i == 3 ? "SqlTest" : "Other");
    ASSERT_EQ(producer_->send(m).send_status, SendStatus::SEND_OK);
  }
  Received got;
  auto c = consumer("sdk_push_sql", "sql_1");
  c->subscribe("SdkPushSql", MessageSelector::by_sql("sequence between 2 and 3 and tag='SqlTest'"));
  c->register_message_listener(got.listener(0));
  c->start();
  ASSERT_TRUE(got.wait_distinct(2)) << "got " << got.distinct();
  std::this_thread::sleep_for(1500ms);  // time for anything that should not come
  c->shutdown();
  EXPECT_EQ(got.distinct(), 2u);  // sequence 2 (even) and 3 (named): 4..9 and the others fail a clause
}

// RECONSUME_LATER goes back through the broker (%RETRY%, sdk_delay_retry_test.cc has the
// details): each message comes again once, with its topic and reconsume_times 1.
TEST_F(SdkPushConsumerTest, ReconsumeLaterRedelivers) {
  raw_->create_topic(*broker_, "SdkPushLater", 1);
  produce("SdkPushLater", "later", 3);
  std::mutex mu;
  std::map<std::string, std::vector<int>> attempts;  // body -> reconsume_times seen
  bool wrong_topic = false;
  auto c = consumer("sdk_push_later", "later_1");
  c->subscribe("SdkPushLater", "*");
  c->register_message_listener([&](const std::vector<MessageExt>& msgs) {
    std::lock_guard lock(mu);
    auto& seen = attempts[msgs[0].body];
    seen.push_back(msgs[0].reconsume_times);
    if (msgs[0].topic != "SdkPushLater") wrong_topic = true;
    return seen.size() == 1 ? ConsumeConcurrentlyStatus::RECONSUME_LATER : ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
  });
  c->start();
  auto until = Clock::now() + 10s;
  for (;;) {
    {
      std::lock_guard lock(mu);
      int done = 0;
      for (const auto& [b, n] : attempts) done += n.size() >= 2;
      if (done == 3) break;
    }
    ASSERT_LT(Clock::now(), until) << "RECONSUME_LATER messages were not re-delivered";
    std::this_thread::sleep_for(20ms);
  }
  std::this_thread::sleep_for(500ms);
  c->shutdown();
  std::lock_guard lock(mu);
  EXPECT_FALSE(wrong_topic);
  for (const auto& [body, seen] : attempts) EXPECT_EQ(seen, (std::vector<int>{0, 1})) << body;
}

TEST_F(SdkPushConsumerTest, BroadcastingEveryConsumerGetsAllAndResumesFromItsFile) {
  raw_->create_topic(*broker_, "SdkPushBroadcast", 2);
  TempDir offsets;
  produce("SdkPushBroadcast", "first", 20);
  Received a_got, b_got;
  auto make = [&](const std::string& instance, Received& got) {
    auto c = consumer("sdk_push_broadcast", instance);
    c->set_message_model(MessageModel::BROADCASTING);
    c->set_local_offset_store_dir(offsets.path());
    c->subscribe("SdkPushBroadcast", "*");
    c->register_message_listener(got.listener(0));
    return c;
  };
  auto a = make("broadcast_a", a_got);
  auto b = make("broadcast_b", b_got);
  a->start();
  b->start();
  EXPECT_TRUE(a_got.wait_distinct(20)) << a_got.distinct();
  EXPECT_TRUE(b_got.wait_distinct(20)) << b_got.distinct();
  a->shutdown();  // writes its offset file
  a.reset();
  produce("SdkPushBroadcast", "second", 10);
  EXPECT_TRUE(b_got.wait_distinct(30)) << b_got.distinct();
  Received again;
  auto a2 = make("broadcast_a", again);  // same client id: same file
  a2->start();
  ASSERT_TRUE(again.wait_distinct(10)) << again.distinct();
  std::this_thread::sleep_for(300ms);
  a2->shutdown();
  b->shutdown();
  for (const auto& [body, n] : again.counts()) EXPECT_EQ(body.rfind("second-", 0), 0u) << body << " delivered again";
  EXPECT_EQ(again.distinct(), 10u);
}

TEST_F(SdkPushConsumerTest, OrderlyListenerSeesEachQueueInOrder) {
  raw_->create_topic(*broker_, "SdkPushOrderly", 2);
  constexpr int kEach = 25;
  for (int i = 0; i < kEach; ++i) {
    for (int q = 0; q < 2; ++q) {
      SendResult r = producer_->send(make_message("SdkPushOrderly", "TagA", std::to_string(q) + "-" + std::to_string(i)),
                                     MessageQueue{"SdkPushOrderly", "sdk-broker", q});
      ASSERT_EQ(r.send_status, SendStatus::SEND_OK);
    }
  }
  std::mutex mu;
  std::map<int, std::vector<int64_t>> seen;  // queue -> offsets in delivery order
  std::map<int, int> busy;                   // queue -> listeners running now
  bool overlapped = false, suspended = false;
  int delivered = 0;
  auto c = consumer("sdk_push_orderly", "orderly_1");
  c->subscribe("SdkPushOrderly", "*");
  c->set_consume_message_batch_max_size(3);
  c->register_message_listener([&](const std::vector<MessageExt>& msgs) {
    int q = msgs[0].queue_id;
    {
      std::lock_guard lock(mu);
      if (++busy[q] > 1) overlapped = true;
    }
    std::this_thread::sleep_for(1ms);
    std::lock_guard lock(mu);
    --busy[q];
    if (!suspended && q == 1 && msgs[0].queue_offset >= 10) {
      suspended = true;  // once: the same batch must come again first
      return ConsumeOrderlyStatus::SUSPEND_CURRENT_QUEUE_A_MOMENT;
    }
    for (const auto& m : msgs) seen[q].push_back(m.queue_offset);
    delivered += static_cast<int>(msgs.size());
    return ConsumeOrderlyStatus::SUCCESS;
  });
  c->start();
  auto until = Clock::now() + 15s;
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (delivered >= 2 * kEach) break;
    }
    ASSERT_LT(Clock::now(), until) << "orderly consumer got " << delivered;
    std::this_thread::sleep_for(20ms);
  }
  c->shutdown();
  std::lock_guard lock(mu);
  EXPECT_FALSE(overlapped) << "two batches of one queue ran at once";
  EXPECT_TRUE(suspended);
  for (int q = 0; q < 2; ++q) {
    ASSERT_EQ(seen[q].size(), static_cast<size_t>(kEach)) << q;
    for (int i = 0; i < kEach; ++i) EXPECT_EQ(seen[q][i], i) << "queue " << q;
  }
}

TEST_F(SdkPushConsumerTest, TwoGroupsEachGetEveryMessage) {
  raw_->create_topic(*broker_, "SdkPushTwoGroups", 4);
  constexpr int kN = 80;
  produce("SdkPushTwoGroups", "both", kN / 2);
  Received g1, g2;
  auto a = consumer("sdk_push_group_one", "two_groups_1");
  auto b = consumer("sdk_push_group_two", "two_groups_2");
  a->subscribe("SdkPushTwoGroups", "*");
  b->subscribe("SdkPushTwoGroups", "*");
  a->register_message_listener(g1.listener(0));
  b->register_message_listener(g2.listener(0));
  a->start();
  b->start();
  produce("SdkPushTwoGroups", "live", kN / 2);  // half before, half while they run
  EXPECT_TRUE(g1.wait_distinct(kN)) << "group one got " << g1.distinct() << " of " << kN;
  EXPECT_TRUE(g2.wait_distinct(kN)) << "group two got " << g2.distinct() << " of " << kN;
  a->shutdown();
  b->shutdown();
  EXPECT_EQ(g1.duplicates(), 0);
  EXPECT_EQ(g2.duplicates(), 0);
  EXPECT_EQ(g1.counts(), g2.counts());
}

TEST_F(SdkPushConsumerTest, RebalanceCoversAllQueues) {
  constexpr int kQueues = 8;
  raw_->create_topic(*broker_, "SdkPushCover", kQueues);
  std::mutex mu;
  std::map<int, std::set<int>> queues_of;  // consumer -> queues it was handed messages of
  std::set<std::string> bodies;
  bool counting = false;
  auto listener = [&](int who) -> MessageListenerConcurrently {
    return [&, who](const std::vector<MessageExt>& msgs) {
      std::lock_guard lock(mu);
      for (const auto& m : msgs) {
        bodies.insert(m.body);
        if (counting) queues_of[who].insert(m.queue_id);
      }
      return ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
    };
  };
  std::vector<std::unique_ptr<DefaultMQPushConsumer>> members;
  for (int i = 0; i < 3; ++i) {
    members.push_back(consumer("sdk_push_cover", "cover_" + std::to_string(i)));
    members.back()->subscribe("SdkPushCover", "*");
    members.back()->set_rebalance_interval(1000ms);
    members.back()->register_message_listener(listener(i));
    members.back()->start();
  }
  std::this_thread::sleep_for(2500ms);  // joins notified, else the 1 s timer: allocation settles
  {
    std::lock_guard lock(mu);
    counting = true;
  }
  constexpr int kN = 160;
  for (int i = 0; i < kN; ++i) {
    SendResult r = producer_->send(make_message("SdkPushCover", "TagA", "cover-" + std::to_string(i)),
                                   MessageQueue{"SdkPushCover", "sdk-broker", i % kQueues});
    ASSERT_EQ(r.send_status, SendStatus::SEND_OK);
  }
  auto until = Clock::now() + 15s;
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (bodies.size() >= static_cast<size_t>(kN)) break;
    }
    ASSERT_LT(Clock::now(), until) << "the group got " << bodies.size() << " of " << kN;
    std::this_thread::sleep_for(20ms);
  }
  {
    std::lock_guard lock(mu);
    counting = false;  // members leaving rebalance the rest (and may redeliver): not this test's subject
  }
  for (auto& m : members) m->shutdown();
  std::lock_guard lock(mu);
  std::set<int> covered;
  std::string layout;
  for (const auto& [who, qs] : queues_of) {
    layout += " member " + std::to_string(who) + ":";
    for (int q : qs) layout += " " + std::to_string(q);
  }
  SCOPED_TRACE("queues per member:" + layout);
  for (int who = 0; who < 3; ++who) {
    // AllocateMessageQueueAveragely: 8 queues over 3 members = 3, 3, 2, disjoint.
    EXPECT_GE(queues_of[who].size(), 2u) << "member " << who;
    EXPECT_LE(queues_of[who].size(), 3u) << "member " << who;
    for (int q : queues_of[who]) EXPECT_TRUE(covered.insert(q).second) << "queue " << q << " went to two members";
  }
  EXPECT_EQ(covered.size(), static_cast<size_t>(kQueues));
}

TEST_F(SdkPushConsumerTest, ResetOffsetByTimeRewindsARunningConsumer) {
  raw_->create_topic(*broker_, "SdkPushReset", 2);
  constexpr int kN = 30;
  produce("SdkPushReset", "reset", kN);
  Received got;
  auto c = consumer("sdk_push_reset", "reset_1");
  c->subscribe("SdkPushReset", "*");
  c->set_persist_consumer_offset_interval(200ms);  // its own commits would undo a reset the broker alone made
  c->register_message_listener(got.listener(0));
  c->start();
  ASSERT_TRUE(got.wait_distinct(kN)) << got.distinct();
  std::this_thread::sleep_for(600ms);  // the consumer has committed the end
  // mqadmin resetOffsetByTime -s 0: back to the first message; the broker pushes
  // RESET_CONSUMER_CLIENT_OFFSET to the online member, which consumes everything again.
  auto r = raw_->call(broker_->address(), rc::kInvokeBrokerToResetOffset,
                      {{"topic", "SdkPushReset"}, {"group", "sdk_push_reset"}, {"timestamp", "0"}, {"isForce", "true"}});
  ASSERT_EQ(r.code, 0) << r.remark.value_or("");
  auto until = Clock::now() + 10s;
  while (got.duplicates() < kN && Clock::now() < until) std::this_thread::sleep_for(20ms);
  std::this_thread::sleep_for(600ms);  // commits after the reset reach the broker
  c->shutdown();
  EXPECT_EQ(got.duplicates(), kN) << "every message once more after the reset, no more";
  for (const auto& [body, n] : got.counts()) EXPECT_EQ(n, 2) << body;
  for (int q = 0; q < 2; ++q) {
    auto off = raw_->call(broker_->address(), rc::kQueryConsumerOffset,
                          {{"consumerGroup", "sdk_push_reset"}, {"topic", "SdkPushReset"}, {"queueId", std::to_string(q)}});
    EXPECT_EQ(off.ext_fields["offset"], std::to_string(raw_->max_offset(*broker_, "SdkPushReset", q))) << "queue " << q;
  }
}

}  // namespace
}  // namespace tern::client
