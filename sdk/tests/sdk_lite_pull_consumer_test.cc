// DefaultLitePullConsumer against a real `mqbroker --standalone` (sdk_test_harness.h):
//   - assign + poll gets every message of every queue, each queue in queue order, at most
//     pull_batch_size per poll, and messages sent while it polls (long polling);
//   - seek back re-reads from that offset, seek_to_begin from the start, seek_to_end skips
//     what is stored; a seek out of range throws; offset_for_timestamp finds a batch;
//   - commit_sync stores the offsets of what poll returned on the broker at once; a new
//     consumer of the group then resumes there (nothing lost, nothing read twice);
//   - auto commit: a poll after the interval commits what earlier polls returned;
//   - subscribe: two members split the queues and, once the split is settled, together get
//     every message exactly once (messages are sent after the split: consuming while a
//     member joins is not checked here); a tag subscription made after start() gets only
//     its tags, and unsubscribe stops the topic;
//   - pause stops a queue (buffered messages included) and resume continues it in order;
//   - BROADCASTING: every member gets every message;
//   - wrong uses throw MQClientException with the right code.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sdk_test_harness.h"
#include "tern/client/lite_pull_consumer.h"
#include "tern/client/producer.h"

namespace tern::client {
namespace {

using namespace test_harness;

class SdkLitePullConsumerTest : public BrokerSuite {
 protected:
  static void SetUpTestSuite() { start_suite("autoCreateTopicEnable=false\n", "sdk_lite_test_producer"); }
  static void TearDownTestSuite() { stop_suite(); }

  static std::unique_ptr<DefaultLitePullConsumer> consumer(const std::string& group, const std::string& instance) {
    auto c = std::make_unique<DefaultLitePullConsumer>(group);
    c->set_namesrv_addr(broker_->namesrv());
    c->set_instance_name(instance);
    c->set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
    return c;
  }

  static MessageQueue queue(const std::string& topic, int id) { return MessageQueue{topic, "sdk-broker", id}; }

  // `n` messages to queue `q` of `topic`, bodies "<prefix>-<i>".
  static void produce_to(const std::string& topic, int q, const std::string& prefix, int n,
                         const std::string& tag = "TagA") {
    for (int i = 0; i < n; ++i) {
      SendResult r = producer_->send(make_message(topic, tag, prefix + "-" + std::to_string(i)), queue(topic, q));
      ASSERT_EQ(r.send_status, SendStatus::SEND_OK);
    }
  }

  // Polls until `n` messages came or `timeout` passed; checks each poll's size.
  static std::vector<MessageExt> poll_n(DefaultLitePullConsumer& c, size_t n,
                                        std::chrono::milliseconds timeout = 10s) {
    std::vector<MessageExt> out;
    auto until = Clock::now() + timeout;
    while (out.size() < n && Clock::now() < until) {
      auto got = c.poll(200ms);
      EXPECT_LE(got.size(), static_cast<size_t>(c.pull_batch_size()));
      for (auto& m : got) out.push_back(std::move(m));
    }
    return out;
  }

  // Everything polled within `window` (for "nothing more comes").
  static std::vector<MessageExt> poll_for(DefaultLitePullConsumer& c, std::chrono::milliseconds window) {
    std::vector<MessageExt> out;
    auto until = Clock::now() + window;
    while (Clock::now() < until) {
      for (auto& m : c.poll(100ms)) out.push_back(std::move(m));
    }
    return out;
  }

  // The group's offset on the broker, as a tool reads it (QUERY_CONSUMER_OFFSET).
  static int64_t broker_offset(const std::string& group, const MessageQueue& mq) {
    auto r = raw_->call(broker_->address(), rc::kQueryConsumerOffset,
                        {{"consumerGroup", group}, {"topic", mq.topic}, {"queueId", std::to_string(mq.queue_id)}});
    return r.code == 0 ? std::stoll(r.ext_fields["offset"]) : -1;
  }
};

std::map<int, std::vector<MessageExt>> by_queue(const std::vector<MessageExt>& msgs) {
  std::map<int, std::vector<MessageExt>> out;
  for (const auto& m : msgs) out[m.queue_id].push_back(m);
  return out;
}

std::multiset<std::string> bodies(const std::vector<MessageExt>& msgs) {
  std::multiset<std::string> out;
  for (const auto& m : msgs) out.insert(m.body);
  return out;
}

TEST_F(SdkLitePullConsumerTest, AssignPollsEveryQueueInQueueOrder) {
  const std::string topic = "SdkLiteAssign";
  raw_->create_topic(*broker_, topic, 4);
  for (int q = 0; q < 4; ++q) produce_to(topic, q, "q" + std::to_string(q), 12);
  auto c = consumer("sdk_lite_assign", "lite_assign");
  c->set_auto_commit(false);
  c->start();
  auto queues = c->fetch_message_queues(topic);
  ASSERT_EQ(queues.size(), 4u);
  c->assign(queues);
  EXPECT_EQ(c->assignment(), queues);
  auto got = poll_n(*c, 48);
  ASSERT_EQ(got.size(), 48u);
  auto per_queue = by_queue(got);
  ASSERT_EQ(per_queue.size(), 4u);
  for (const auto& [q, msgs] : per_queue) {
    ASSERT_EQ(msgs.size(), 12u) << "queue " << q;
    for (size_t i = 0; i < msgs.size(); ++i) {
      EXPECT_EQ(msgs[i].queue_offset, static_cast<int64_t>(i)) << "queue " << q;
      EXPECT_EQ(msgs[i].body, "q" + std::to_string(q) + "-" + std::to_string(i));
      EXPECT_EQ(msgs[i].topic, topic);
    }
  }
  // Sent while it polls: the long poll answers at once.
  produce_to(topic, 2, "live", 5);
  auto live = poll_n(*c, 5, 5s);
  ASSERT_EQ(live.size(), 5u);
  for (size_t i = 0; i < live.size(); ++i) EXPECT_EQ(live[i].queue_offset, static_cast<int64_t>(12 + i));
  EXPECT_TRUE(poll_for(*c, 300ms).empty());
  c->shutdown();
}

TEST_F(SdkLitePullConsumerTest, SeekRereadsSeekToEndSkips) {
  const std::string topic = "SdkLiteSeek";
  raw_->create_topic(*broker_, topic, 1);
  const MessageQueue mq = queue(topic, 0);
  produce_to(topic, 0, "a", 10);
  std::this_thread::sleep_for(20ms);
  const int64_t between = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
  std::this_thread::sleep_for(20ms);
  produce_to(topic, 0, "b", 10);
  auto c = consumer("sdk_lite_seek", "lite_seek");
  c->set_auto_commit(false);
  c->assign({mq});
  c->start();
  ASSERT_EQ(poll_n(*c, 20).size(), 20u);

  c->seek(mq, 5);  // back
  auto again = poll_n(*c, 15);
  ASSERT_EQ(again.size(), 15u);
  for (size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].queue_offset, static_cast<int64_t>(5 + i));
  EXPECT_TRUE(poll_for(*c, 200ms).empty());

  c->seek(mq, 3);  // a seek drops what is buffered: nothing from before it comes
  c->seek_to_begin(mq);
  auto first = poll_n(*c, 1);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first[0].queue_offset, 0);
  EXPECT_EQ(first[0].body, "a-0");

  EXPECT_EQ(c->offset_for_timestamp(mq, between), 10);
  c->seek(mq, c->offset_for_timestamp(mq, between));
  auto from_b = poll_n(*c, 10);
  ASSERT_FALSE(from_b.empty());
  EXPECT_EQ(from_b[0].body, "b-0");

  c->seek_to_end(mq);  // what is stored is skipped
  EXPECT_TRUE(poll_for(*c, 300ms).empty());
  produce_to(topic, 0, "c", 3);
  auto fresh = poll_n(*c, 3);
  ASSERT_EQ(fresh.size(), 3u);
  EXPECT_EQ(fresh[0].queue_offset, 20);
  EXPECT_EQ(fresh[0].body, "c-0");

  try {
    c->seek(mq, 1000);
    ADD_FAILURE() << "a seek past the max offset was accepted";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kNotRunning);
    EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
  }
  try {
    c->seek(queue(topic, 3), 0);
    ADD_FAILURE() << "a seek of a queue not assigned was accepted";
  } catch (const MQClientException& e) {
    EXPECT_NE(std::string(e.what()).find("not assigned"), std::string::npos) << e.what();
  }
  c->shutdown();
}

TEST_F(SdkLitePullConsumerTest, CommitSyncThenNewConsumerResumesThere) {
  const std::string topic = "SdkLiteCommit";
  const std::string group = "sdk_lite_commit";
  raw_->create_topic(*broker_, topic, 2);
  produce_to(topic, 0, "q0", 15);
  produce_to(topic, 1, "q1", 15);
  std::vector<MessageQueue> queues{queue(topic, 0), queue(topic, 1)};
  std::vector<MessageExt> first;
  {
    auto a = consumer(group, "lite_commit_a");
    a->set_auto_commit(false);
    a->set_pull_batch_size(4);
    a->assign(queues);
    a->start();
    first = poll_n(*a, 12);
    ASSERT_GE(first.size(), 12u);
    a->commit_sync();
    // On the broker already, before any periodic persist: the offsets after what poll returned.
    for (const auto& mq : queues) {
      int64_t polled = 0;
      for (const auto& m : first) polled += m.queue_id == mq.queue_id;
      EXPECT_EQ(broker_offset(group, mq), polled) << mq.queue_id;
      EXPECT_EQ(a->committed(mq), polled) << mq.queue_id;
    }
    a->shutdown();  // no auto commit: the buffered, unpolled messages stay uncommitted
  }
  auto b = consumer(group, "lite_commit_b");
  b->assign(queues);
  b->start();
  auto rest = poll_n(*b, 30 - first.size());
  auto more = poll_for(*b, 300ms);
  b->shutdown();
  EXPECT_TRUE(more.empty()) << more.size() << " more than expected";
  auto all = bodies(first);
  for (const auto& m : rest) all.insert(m.body);
  EXPECT_EQ(all.size(), 30u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 30u) << "a message was read twice";
}

TEST_F(SdkLitePullConsumerTest, AutoCommitCommitsWhatEarlierPollsReturned) {
  const std::string topic = "SdkLiteAutoCommit";
  const std::string group = "sdk_lite_auto_commit";
  raw_->create_topic(*broker_, topic, 1);
  const MessageQueue mq = queue(topic, 0);
  produce_to(topic, 0, "m", 10);
  auto c = consumer(group, "lite_auto_commit");
  c->set_auto_commit_interval(1500ms);
  c->assign({mq});
  const auto started = Clock::now();
  c->start();
  ASSERT_EQ(poll_n(*c, 10).size(), 10u);
  if (Clock::now() - started < 1400ms) {
    EXPECT_LE(c->committed(mq), 0);  // the interval has not passed: nothing committed yet
  }
  std::this_thread::sleep_until(started + 1600ms);
  EXPECT_TRUE(c->poll(50ms).empty());  // this poll commits the ten
  EXPECT_EQ(c->committed(mq), 10);
  c->shutdown();  // persists
  EXPECT_EQ(broker_offset(group, mq), 10);
}

TEST_F(SdkLitePullConsumerTest, SubscribeTwoMembersSplitQueuesEachMessageOnce) {
  const std::string topic = "SdkLiteSplit";
  raw_->create_topic(*broker_, topic, 4);
  auto a = consumer("sdk_lite_split", "lite_split_a");
  auto b = consumer("sdk_lite_split", "lite_split_b");
  for (auto* c : {a.get(), b.get()}) {
    c->subscribe(topic, "*");
    c->set_rebalance_interval(500ms);
  }
  a->start();
  b->start();
  // The split settles (NOTIFY_CONSUMER_IDS_CHANGED, else the 500 ms timer).
  auto until = Clock::now() + 10s;
  std::vector<MessageQueue> qa, qb;
  for (;;) {
    qa = a->assignment();
    qb = b->assignment();
    std::set<MessageQueue> both(qa.begin(), qa.end());
    both.insert(qb.begin(), qb.end());
    if (qa.size() == 2 && qb.size() == 2 && both.size() == 4) break;
    ASSERT_LT(Clock::now(), until) << "no split: a holds " << qa.size() << ", b holds " << qb.size();
    std::this_thread::sleep_for(50ms);
  }
  for (int q = 0; q < 4; ++q) produce_to(topic, q, "q" + std::to_string(q), 20);
  std::vector<MessageExt> got_a, got_b;
  until = Clock::now() + 15s;
  while (got_a.size() + got_b.size() < 80 && Clock::now() < until) {
    for (auto& m : a->poll(50ms)) got_a.push_back(std::move(m));
    for (auto& m : b->poll(50ms)) got_b.push_back(std::move(m));
  }
  for (auto& m : poll_for(*a, 200ms)) got_a.push_back(std::move(m));
  for (auto& m : poll_for(*b, 200ms)) got_b.push_back(std::move(m));
  a->shutdown();
  b->shutdown();
  EXPECT_EQ(got_a.size(), 40u);
  EXPECT_EQ(got_b.size(), 40u);
  auto all = bodies(got_a);
  for (const auto& m : got_b) all.insert(m.body);
  EXPECT_EQ(all.size(), 80u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 80u) << "a message came twice";
  for (const auto& m : got_a) {
    EXPECT_TRUE(std::count(qa.begin(), qa.end(), queue(topic, m.queue_id))) << "a got queue " << m.queue_id;
  }
  for (const auto& m : got_b) {
    EXPECT_TRUE(std::count(qb.begin(), qb.end(), queue(topic, m.queue_id))) << "b got queue " << m.queue_id;
  }
}

TEST_F(SdkLitePullConsumerTest, TagSubscriptionAndUnsubscribe) {
  const std::string topic = "SdkLiteTags";
  raw_->create_topic(*broker_, topic, 2);
  for (int q = 0; q < 2; ++q) {
    produce_to(topic, q, "a" + std::to_string(q), 5, "TagA");
    produce_to(topic, q, "b" + std::to_string(q), 5, "TagB");
    produce_to(topic, q, "c" + std::to_string(q), 5, "TagC");
  }
  auto c = consumer("sdk_lite_tags", "lite_tags");
  c->start();
  c->subscribe(topic, "TagA || TagC");  // after start(): heartbeat and rebalance at once
  auto got = poll_n(*c, 20);
  for (auto& m : poll_for(*c, 300ms)) got.push_back(std::move(m));
  EXPECT_EQ(got.size(), 20u);
  std::set<std::string> tags;
  for (const auto& m : got) tags.insert(std::string(m.tags()));
  EXPECT_EQ(tags, (std::set<std::string>{"TagA", "TagC"}));
  c->commit_sync();  // the offsets pass the filtered-out TagB messages
  EXPECT_EQ(c->committed(queue(topic, 0)), 15);

  c->unsubscribe(topic);
  EXPECT_TRUE(c->assignment().empty());
  produce_to(topic, 0, "late", 3, "TagA");
  EXPECT_TRUE(poll_for(*c, 300ms).empty());
  c->shutdown();
}

TEST_F(SdkLitePullConsumerTest, PauseStopsAQueueResumeContinues) {
  const std::string topic = "SdkLitePause";
  raw_->create_topic(*broker_, topic, 2);
  const MessageQueue q0 = queue(topic, 0), q1 = queue(topic, 1);
  auto c = consumer("sdk_lite_pause", "lite_pause");
  c->assign({q0, q1});
  c->start();
  produce_to(topic, 0, "early", 5);
  ASSERT_EQ(poll_n(*c, 5).size(), 5u);
  c->pause({q0});
  produce_to(topic, 0, "held", 5);  // pulled by the pull in flight, but not handed out
  produce_to(topic, 1, "free", 10);
  auto while_paused = poll_n(*c, 10);
  for (auto& m : poll_for(*c, 500ms)) while_paused.push_back(std::move(m));
  EXPECT_EQ(while_paused.size(), 10u);
  for (const auto& m : while_paused) EXPECT_EQ(m.queue_id, 1) << m.body << " came from a paused queue";
  c->resume({q0});
  auto resumed = poll_n(*c, 5);
  ASSERT_EQ(resumed.size(), 5u);
  for (size_t i = 0; i < resumed.size(); ++i) {
    EXPECT_EQ(resumed[i].queue_id, 0);
    EXPECT_EQ(resumed[i].queue_offset, static_cast<int64_t>(5 + i));
    EXPECT_EQ(resumed[i].body, "held-" + std::to_string(i));
  }
  c->shutdown();
}

TEST_F(SdkLitePullConsumerTest, BroadcastingEveryMemberGetsAll) {
  const std::string topic = "SdkLiteBroadcast";
  raw_->create_topic(*broker_, topic, 2);
  TempDir offsets;
  produce_to(topic, 0, "q0", 6);
  produce_to(topic, 1, "q1", 6);
  std::vector<std::unique_ptr<DefaultLitePullConsumer>> members;
  for (const char* name : {"lite_broadcast_a", "lite_broadcast_b"}) {
    auto c = consumer("sdk_lite_broadcast", name);
    c->set_message_model(MessageModel::BROADCASTING);
    c->set_local_offset_store_dir(offsets.path());
    c->subscribe(topic, "*");
    c->start();
    members.push_back(std::move(c));
  }
  for (auto& c : members) {
    auto got = poll_n(*c, 12);
    EXPECT_EQ(got.size(), 12u);
    EXPECT_EQ(bodies(got).size(), 12u);
    c->commit_sync();  // writes its file
    EXPECT_EQ(c->committed(queue(topic, 1)), 6);
    c->shutdown();
  }
}

TEST_F(SdkLitePullConsumerTest, WrongUsesThrow) {
  auto c = consumer("sdk_lite_errors", "lite_errors");
  auto code_of = [](auto&& call) {
    try {
      call();
    } catch (const MQClientException& e) {
      return e.code();
    }
    return 0;
  };
  EXPECT_EQ(code_of([&] { c->poll(10ms); }), client_error::kNotRunning);
  EXPECT_EQ(code_of([&] { c->commit_sync(); }), client_error::kNotRunning);
  c->subscribe("SdkLiteErrors", "*");
  EXPECT_EQ(code_of([&] { c->assign({queue("SdkLiteErrors", 0)}); }), client_error::kNotRunning);
  c->start();
  EXPECT_EQ(code_of([&] { c->start(); }), client_error::kNotRunning);
  EXPECT_EQ(code_of([&] { c->fetch_message_queues("SdkLiteNoSuchTopic"); }), client_error::kNotFoundTopicException);
  c->shutdown();
  EXPECT_EQ(code_of([&] { c->poll(10ms); }), client_error::kNotRunning);

  auto d = consumer("sdk_lite_errors_2", "lite_errors_2");
  d->assign({queue("SdkLiteErrors", 0)});
  EXPECT_EQ(code_of([&] { d->subscribe("SdkLiteErrors", "*"); }), client_error::kNotRunning);
  EXPECT_EQ(code_of([&] { d->assign({}); }), client_error::kNotRunning);
}

}  // namespace
}  // namespace tern::client
