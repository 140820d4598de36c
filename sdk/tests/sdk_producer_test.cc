// DefaultMQProducer against real `mqbroker --standalone` processes on free loopback ports.
// What is sent is checked from the broker's side with raw remoting requests (GET_MAX_OFFSET,
// PULL_MESSAGE) decoded by the SDK's record decoder.
//
// What must hold (issue 5, producer):
//   - sync, async (future and callback) and oneway sends arrive; sends from several
//     threads at once all arrive; msgId is the UNIQ_KEY stored with the message;
//   - ordered sends with a selector put every message of a key on one queue, in order;
//   - a batch lands at consecutive offsets of one queue;
//   - a body over compressMsgBodyOverHowmuch is stored with sys flag 1 and inflates to
//     the original; a smaller one is stored as is;
//   - no route: an exception naming the topic;
//   - retries: with two brokers and one dead, every send still lands on the live one;
//     with one dead broker, the send fails after 1 + retryTimesWhenSendFailed attempts
//     naming the broker;
//   - timeout: a frozen broker makes the send fail after about the timeout, however many
//     retries are allowed; an async send is not retried.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <latch>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "broker_harness.h"
#include "child_process.h"
#include "codes.h"
#include "message_decoder.h"
#include "message_util.h"
#include "remoting_client.h"
#include "runtime/io_context_pool.h"
#include "tern/client/producer.h"

namespace tern::client {
namespace {

using namespace std::chrono_literals;
using namespace test_harness;

// One broker (topics created explicitly; autoCreateTopicEnable=false) for most tests.
class SdkProducerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = new Broker("sdk-broker", "autoCreateTopicEnable=false\n");
    std::string error = broker_->start();
    ASSERT_TRUE(error.empty()) << error;
    raw_ = new Raw;
  }
  static void TearDownTestSuite() {
    delete raw_;
    delete broker_;
  }

  std::unique_ptr<DefaultMQProducer> producer(const std::string& group) {
    auto p = std::make_unique<DefaultMQProducer>(group);
    p->set_namesrv_addr(broker_->namesrv());
    p->set_instance_name(group);
    return p;
  }

  static Broker* broker_;
  static Raw* raw_;
};
Broker* SdkProducerTest::broker_ = nullptr;
Raw* SdkProducerTest::raw_ = nullptr;

TEST_F(SdkProducerTest, SyncSendsFromManyThreadsArrive) {
  raw_->create_topic(*broker_, "SdkSync", 4);
  auto p = producer("sdk_sync");
  p->start();
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::map<std::string, SendResult> by_body;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string body = "sync-" + std::to_string(t) + "-" + std::to_string(i);
        SendResult r = p->send(make_message("SdkSync", "TagA", "key" + std::to_string(i), body));
        std::lock_guard lock(mu);
        by_body[body] = r;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(by_body.size(), static_cast<size_t>(kThreads * kEach));
  std::set<int> queues;
  for (const auto& [body, r] : by_body) {
    EXPECT_EQ(r.send_status, SendStatus::SEND_OK);
    EXPECT_EQ(r.msg_id.size(), 32u);
    EXPECT_EQ(r.offset_msg_id.size(), 32u);
    EXPECT_EQ(r.message_queue.broker_name, "sdk-broker");
    queues.insert(r.message_queue.queue_id);
  }
  EXPECT_EQ(queues.size(), 4u) << "sends rotate over every queue";

  ASSERT_TRUE(raw_->wait_total(*broker_, "SdkSync", 4, kThreads * kEach));
  auto stored = raw_->pull_topic(*broker_, "SdkSync", 4);
  ASSERT_EQ(stored.size(), by_body.size());
  for (const auto& m : stored) {
    auto it = by_body.find(m.body);
    ASSERT_NE(it, by_body.end()) << m.body;
    EXPECT_EQ(m.property(property::kUniqueClientMessageId), it->second.msg_id);
    EXPECT_EQ(m.msg_id, it->second.offset_msg_id);
    EXPECT_EQ(m.queue_id, it->second.message_queue.queue_id);
    EXPECT_EQ(m.queue_offset, it->second.queue_offset);
    EXPECT_EQ(m.tags(), "TagA");
    EXPECT_EQ(m.sys_flag, 0);
  }
  p->shutdown();
}

TEST_F(SdkProducerTest, AsyncAndOnewaySendsArrive) {
  raw_->create_topic(*broker_, "SdkAsync", 2);
  auto p = producer("sdk_async");
  p->start();
  std::vector<std::future<SendResult>> futures;
  for (int i = 0; i < 20; ++i) futures.push_back(p->send_async(make_message("SdkAsync", "future-" + std::to_string(i))));
  std::latch done(20);
  std::atomic<int> ok{0}, failed{0};
  for (int i = 0; i < 20; ++i) {
    p->send_async(make_message("SdkAsync", "callback-" + std::to_string(i)),
                  SendCallback{[&](const SendResult& r) {
                                 if (r.send_status == SendStatus::SEND_OK) ++ok;
                                 // a callback may send again: it runs on an async thread
                                 if (r.message_queue.queue_id >= 0) (void)p->send(make_message("SdkAsync", "nested"));
                                 done.count_down();
                               },
                               [&](const MQClientException& e) {
                                 ADD_FAILURE() << e.what();
                                 ++failed;
                                 done.count_down();
                               }});
  }
  for (auto& f : futures) EXPECT_EQ(f.get().send_status, SendStatus::SEND_OK);
  done.wait();
  EXPECT_EQ(ok.load(), 20);
  for (int i = 0; i < 10; ++i) p->send_oneway(make_message("SdkAsync", "oneway-" + std::to_string(i)));
  auto until = Clock::now() + 10s;
  int64_t total = 0;
  while (Clock::now() < until) {
    total = raw_->max_offset(*broker_, "SdkAsync", 0) + raw_->max_offset(*broker_, "SdkAsync", 1);
    if (total >= 70) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(total, 70);  // 20 futures + 20 callbacks + 20 nested + 10 oneway
  auto stored = raw_->pull_topic(*broker_, "SdkAsync", 2);
  int oneway = 0;
  for (const auto& m : stored) oneway += m.body.rfind("oneway-", 0) == 0;
  EXPECT_EQ(oneway, 10);
  p->shutdown();
}

TEST_F(SdkProducerTest, OrderedSendsKeepEachKeyOnOneQueueInOrder) {
  raw_->create_topic(*broker_, "SdkOrdered", 4);
  auto p = producer("sdk_ordered");
  p->start();
  auto selector = select_message_queue_by_hash();
  for (int i = 0; i < 10; ++i) {
    for (int key = 0; key < 6; ++key) {
      SendResult r = p->send(make_message("SdkOrdered", "order-" + std::to_string(key) + "-" + std::to_string(i)),
                             selector, std::string("order-") + std::to_string(key));
      EXPECT_EQ(r.send_status, SendStatus::SEND_OK);
    }
  }
  ASSERT_TRUE(raw_->wait_total(*broker_, "SdkOrdered", 4, 60));
  std::map<std::string, std::set<int>> queues_of;
  std::map<std::string, std::vector<int>> seq_of;
  for (int q = 0; q < 4; ++q) {
    for (const auto& m : raw_->pull_all(*broker_, "SdkOrdered", q)) {
      size_t dash = m.body.rfind('-');
      std::string key = m.body.substr(0, dash);
      queues_of[key].insert(q);
      seq_of[key].push_back(std::stoi(m.body.substr(dash + 1)));
    }
  }
  ASSERT_EQ(queues_of.size(), 6u);
  for (const auto& [key, qs] : queues_of) {
    EXPECT_EQ(qs.size(), 1u) << key;
    EXPECT_EQ(seq_of[key], (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})) << key;
  }
  p->shutdown();
}

TEST_F(SdkProducerTest, BatchLandsAtConsecutiveOffsets) {
  raw_->create_topic(*broker_, "SdkBatch", 2);
  auto p = producer("sdk_batch");
  p->start();
  (void)p->send(make_message("SdkBatch", "before"));
  std::vector<Message> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(make_message("SdkBatch", "B", "OrderID" + std::to_string(i), "batch-" + std::to_string(i)));
  SendResult r = p->send(batch);
  EXPECT_EQ(r.send_status, SendStatus::SEND_OK);
  std::vector<std::string> ids;
  for (size_t s = 0, e; s <= r.msg_id.size(); s = e + 1) {
    e = r.msg_id.find(',', s);
    if (e == std::string::npos) e = r.msg_id.size();
    ids.push_back(r.msg_id.substr(s, e - s));
  }
  ASSERT_EQ(ids.size(), 10u) << r.msg_id;
  ASSERT_TRUE(raw_->wait_total(*broker_, "SdkBatch", 2, 11));
  EXPECT_EQ(raw_->max_offset(*broker_, "SdkBatch", r.message_queue.queue_id), r.queue_offset + 10) << r.to_string();
  auto stored = raw_->pull_all(*broker_, "SdkBatch", r.message_queue.queue_id, true, r.queue_offset);
  ASSERT_EQ(stored.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(stored[i].queue_offset, r.queue_offset + i);
    EXPECT_EQ(stored[i].body, "batch-" + std::to_string(i));
    EXPECT_EQ(stored[i].property(property::kUniqueClientMessageId), ids[i]);
    EXPECT_EQ(stored[i].property(property::kKeys), "OrderID" + std::to_string(i));
  }
  // Over the size limit: refused before sending, naming the topic.
  std::vector<Message> big(3, make_message("SdkBatch", std::string(2 * 1024 * 1024, 'x')));
  try {
    (void)p->send(big);
    FAIL() << "no exception";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kMessageIllegal);
    EXPECT_NE(std::string(e.what()).find("SdkBatch"), std::string::npos) << e.what();
  }
  p->shutdown();
}

TEST_F(SdkProducerTest, LargeBodiesAreStoredCompressed) {
  raw_->create_topic(*broker_, "SdkZip", 1);
  auto p = producer("sdk_zip");
  p->set_compress_msg_body_over_howmuch(4096);
  p->start();
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "line " + std::to_string(i) + "\n";
  ASSERT_GE(big.size(), 4096u);
  (void)p->send(make_message("SdkZip", big));
  (void)p->send(make_message("SdkZip", std::string(4095, 's')));
  ASSERT_TRUE(raw_->wait_total(*broker_, "SdkZip", 1, 2));
  auto raw = raw_->pull_all(*broker_, "SdkZip", 0, /*inflate=*/false);
  ASSERT_EQ(raw.size(), 2u);
  EXPECT_EQ(raw[0].sys_flag & sys_flag::kCompressed, sys_flag::kCompressed);
  EXPECT_LT(raw[0].body.size(), big.size());
  auto inflated = internal::zlib_uncompress(raw[0].body);
  ASSERT_TRUE(inflated.is_ok());
  EXPECT_EQ(*inflated, big);
  EXPECT_EQ(raw[1].sys_flag & sys_flag::kCompressed, 0);
  EXPECT_EQ(raw[1].body, std::string(4095, 's'));
  p->shutdown();
}

TEST_F(SdkProducerTest, NoRouteThrowsNamingTheTopic) {
  auto p = producer("sdk_noroute");
  p->start();
  auto begin = Clock::now();
  try {
    (void)p->send(make_message("SdkNoSuchTopic", "x"));
    FAIL() << "no exception";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kNotFoundTopicException);
    EXPECT_EQ(e.topic(), "SdkNoSuchTopic");
    EXPECT_NE(std::string(e.what()).find("SdkNoSuchTopic"), std::string::npos) << e.what();
  }
  EXPECT_LT(Clock::now() - begin, 3s);
  auto f = p->send_async(make_message("SdkNoSuchTopic", "x"));
  EXPECT_THROW(f.get(), MQClientException);
  p->shutdown();
}

// Two brokers, one name server: B dies, every send still lands (on A).
TEST(SdkProducerRetryTest, RetriesRotateToTheLiveBroker) {
  Broker a("sdk-a", "autoCreateTopicEnable=false\n");
  ASSERT_EQ(a.start(), "");
  Broker b("sdk-b", "autoCreateTopicEnable=false\n", a.namesrv());
  ASSERT_EQ(b.start(), "");
  Raw raw;
  raw.create_topic(a, "SdkTwo", 2);
  raw.create_topic(b, "SdkTwo", 2, a.namesrv());
  DefaultMQProducer p("sdk_two");
  p.set_namesrv_addr(a.namesrv());
  p.set_instance_name("sdk_two");
  p.start();
  std::set<std::string> brokers;
  for (int i = 0; i < 8; ++i) brokers.insert(p.send(make_message("SdkTwo", "warm")).message_queue.broker_name);
  EXPECT_EQ(brokers, (std::set<std::string>{"sdk-a", "sdk-b"}));
  b.kill_now();
  for (int i = 0; i < 20; ++i) {
    SendResult r = p.send(make_message("SdkTwo", "after-" + std::to_string(i)));
    EXPECT_EQ(r.message_queue.broker_name, "sdk-a");
  }
  p.shutdown();
}

// autoCreateTopicEnable=true: an unknown topic borrows TBW102's route and the broker
// creates it on first send (RocketMQ's default-topic path).
TEST(SdkProducerRetryTest, UnknownTopicIsCreatedThroughTheDefaultTopic) {
  Broker a("sdk-auto", "autoCreateTopicEnable=true\n");
  ASSERT_EQ(a.start(), "");
  DefaultMQProducer p("sdk_auto");
  p.set_namesrv_addr(a.namesrv());
  p.set_instance_name("sdk_auto");
  p.start();
  for (int i = 0; i < 5; ++i) {
    SendResult r = p.send(make_message("SdkAutoCreated", "auto-" + std::to_string(i)));
    EXPECT_EQ(r.send_status, SendStatus::SEND_OK);
    EXPECT_EQ(r.message_queue.broker_name, "sdk-auto");
    EXPECT_LT(r.message_queue.queue_id, 4);  // defaultTopicQueueNums
  }
  Raw raw;
  EXPECT_TRUE(raw.wait_total(a, "SdkAutoCreated", 4, 5));
  p.shutdown();
}

// One broker that dies, then one that freezes.
TEST(SdkProducerRetryTest, DeadBrokerFailsAfterRetriesNamingIt) {
  Broker a("sdk-dead", "autoCreateTopicEnable=false\n");
  ASSERT_EQ(a.start(), "");
  Raw raw;
  raw.create_topic(a, "SdkDead", 2);
  DefaultMQProducer p("sdk_dead");
  p.set_namesrv_addr(a.namesrv());
  p.set_instance_name("sdk_dead");
  p.set_retry_times_when_send_failed(2);
  p.start();
  (void)p.send(make_message("SdkDead", "alive"));
  a.kill_now();
  try {
    (void)p.send(make_message("SdkDead", "dead"));
    FAIL() << "no exception";
  } catch (const MQClientException& e) {
    std::string what = e.what();
    EXPECT_EQ(e.code(), client_error::kConnectBrokerException) << what;
    EXPECT_NE(what.find("3 attempt(s)"), std::string::npos) << what;
    EXPECT_NE(what.find("sdk-dead@" + a.address()), std::string::npos) << what;
    EXPECT_NE(what.find("SdkDead"), std::string::npos) << what;
    EXPECT_EQ(e.broker(), "sdk-dead@" + a.address());
  }
  p.shutdown();
}

TEST(SdkProducerRetryTest, TimeoutEndsTheSendWithoutMoreRetries) {
  Broker a("sdk-frozen", "autoCreateTopicEnable=false\n");
  ASSERT_EQ(a.start(), "");
  Raw raw;
  raw.create_topic(a, "SdkFrozen", 2);
  DefaultMQProducer p("sdk_frozen");
  p.set_namesrv_addr(a.namesrv());
  p.set_instance_name("sdk_frozen");
  p.set_retry_times_when_send_failed(1000);
  p.set_send_msg_timeout(400ms);
  p.start();
  (void)p.send(make_message("SdkFrozen", "alive"));
  a.freeze();
  auto begin = Clock::now();
  try {
    SendResult r = p.send(make_message("SdkFrozen", "frozen"));
    FAIL() << "no exception after " << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begin).count()
           << " ms: " << r.to_string();
  } catch (const MQClientException& e) {
    auto took = Clock::now() - begin;
    EXPECT_EQ(e.code(), client_error::kRequestTimeout) << e.what();
    EXPECT_NE(std::string(e.what()).find("1 attempt(s)"), std::string::npos) << e.what();
    EXPECT_GE(took, 350ms);
    EXPECT_LT(took, 1500ms) << "1000 retries must not multiply the timeout";
  }
  // Async: one attempt, then the exception.
  begin = Clock::now();
  auto f = p.send_async(make_message("SdkFrozen", "frozen-async"));
  try {
    (void)f.get();
    FAIL() << "no exception";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kAccessBrokerTimeout) << e.what();
    EXPECT_LT(Clock::now() - begin, 1500ms);
  }
  a.thaw();
  p.shutdown();
}

}  // namespace
}  // namespace tern::client
