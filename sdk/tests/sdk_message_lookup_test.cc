// Message lookup end to end, through the SDK's public API against a real
// `mqbroker --standalone` with SYNC_FLUSH: every message sent is found again
//   - by key (QUERY_MESSAGE over the broker's index): exactly the messages whose KEYS hold
//     the key, and none of another key;
//   - by msgId: the offset message id (VIEW_MESSAGE_BY_ID) and the client's unique id
//     (UNIQ_KEY, through the index);
//   - by queue offset (a lite pull consumer seeking to it);
// with its body, topic, queue and offset as the send was answered; and all of it again
// after the broker was killed with SIGKILL and restarted. Lookups that match nothing fail
// with kNoMessage naming what was asked.
#include <chrono>
#include <climits>
#include <map>
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

using namespace std::chrono_literals;
using test_harness::Broker;
using test_harness::Clock;
using test_harness::Raw;

constexpr int kMessages = 120;
constexpr int kOrderKeys = 12;  // every key "order-<n>" is on kMessages / kOrderKeys messages
constexpr int kQueues = 4;
const std::string kTopic = "LookupTopic";

struct Sent {
  std::string body;
  SendResult result;
};

std::string order_key(int i) { return "order-" + std::to_string(i % kOrderKeys); }

// The bodies of `messages`, sorted.
std::multiset<std::string> bodies(const std::vector<MessageExt>& messages) {
  std::multiset<std::string> out;
  for (const auto& m : messages) out.insert(m.body);
  return out;
}

class SdkMessageLookupTest : public ::testing::Test {
 protected:
  SdkMessageLookupTest() : broker_("sdk-lookup", "flushDiskType=SYNC_FLUSH\nautoCreateTopicEnable=false\n") {}

  void SetUp() override {
    std::string error = broker_.start();
    ASSERT_TRUE(error.empty()) << error;
    raw_.create_topic(broker_, kTopic, kQueues);
  }

  std::unique_ptr<DefaultMQProducer> producer(const std::string& group) {
    auto p = std::make_unique<DefaultMQProducer>(group);
    p->set_namesrv_addr(broker_.namesrv());
    p->set_instance_name(group);
    p->start();
    return p;
  }

  // Sends kMessages, each with two keys: its order key and its own "msg-<i>".
  std::vector<Sent> send_all(DefaultMQProducer& p) {
    std::vector<Sent> sent;
    for (int i = 0; i < kMessages; ++i) {
      std::string body = "lookup body " + std::to_string(i) + std::string(static_cast<size_t>(i % 7) * 100, 'x');
      Message m = make_message(kTopic, i % 2 ? "TagOdd" : "TagEven", order_key(i) + " msg-" + std::to_string(i), body);
      SendResult r = p.send(m);
      EXPECT_EQ(r.send_status, SendStatus::SEND_OK);
      sent.push_back({body, r});
    }
    return sent;
  }

  // Polls until the index has every message (it is built just after each send is answered).
  QueryResult query_until(DefaultMQProducer& p, const std::string& key, size_t expected) {
    QueryResult r;
    auto until = Clock::now() + 10s;
    while (Clock::now() < until) {
      try {
        r = p.query_message(kTopic, key, 64, 0, INT64_MAX);
        if (r.messages.size() >= expected) break;
      } catch (const MQClientException&) {
      }
      std::this_thread::sleep_for(50ms);
    }
    return r;
  }

  // Every lookup of every sent message answers that message.
  void expect_all_found(DefaultMQProducer& p, const std::vector<Sent>& sent) {
    // By key: each order key finds exactly its messages.
    for (int k = 0; k < kOrderKeys; ++k) {
      std::multiset<std::string> expected;
      for (int i = k; i < kMessages; i += kOrderKeys) expected.insert(sent[static_cast<size_t>(i)].body);
      QueryResult r = query_until(p, order_key(k), expected.size());
      EXPECT_EQ(bodies(r.messages), expected) << "key " << order_key(k);
      EXPECT_GT(r.index_last_update_timestamp, 0);
      for (const auto& m : r.messages) EXPECT_EQ(m.topic, kTopic);
    }
    for (int i = 0; i < kMessages; ++i) {
      const Sent& s = sent[static_cast<size_t>(i)];
      SCOPED_TRACE("message " + std::to_string(i) + " " + s.result.to_string());
      // By its own key.
      QueryResult one = query_until(p, "msg-" + std::to_string(i), 1);
      ASSERT_EQ(one.messages.size(), 1u);
      EXPECT_EQ(one.messages[0].body, s.body);
      // By offset message id.
      MessageExt by_offset = p.view_message(s.result.offset_msg_id);
      EXPECT_EQ(by_offset.body, s.body);
      EXPECT_EQ(by_offset.topic, kTopic);
      EXPECT_EQ(by_offset.queue_id, s.result.message_queue.queue_id);
      EXPECT_EQ(by_offset.queue_offset, s.result.queue_offset);
      EXPECT_EQ(by_offset.msg_id, s.result.offset_msg_id);
      EXPECT_EQ(uniq_msg_id(by_offset), s.result.msg_id);
      EXPECT_EQ(by_offset.tags(), i % 2 ? "TagOdd" : "TagEven");
      // By the client's unique id, and by the offset id through the same call.
      EXPECT_EQ(p.view_message(kTopic, s.result.msg_id).body, s.body);
      EXPECT_EQ(p.view_message(kTopic, s.result.offset_msg_id).body, s.body);
    }
    // By queue offset: a lite pull consumer seeks to each sent message's queue and offset.
    DefaultLitePullConsumer reader("lookup_reader");
    reader.set_namesrv_addr(broker_.namesrv());
    reader.set_instance_name("lookup_reader");
    reader.set_auto_commit(false);
    reader.set_pull_batch_size(1);
    reader.start();
    std::vector<MessageQueue> queues = reader.fetch_message_queues(kTopic);
    ASSERT_EQ(queues.size(), static_cast<size_t>(kQueues));
    for (int i = 0; i < kMessages; i += 7) {
      const Sent& s = sent[static_cast<size_t>(i)];
      reader.assign({s.result.message_queue});
      reader.seek(s.result.message_queue, s.result.queue_offset);
      std::vector<MessageExt> got;
      auto until = Clock::now() + 5s;
      while (got.empty() && Clock::now() < until) got = reader.poll(200ms);
      ASSERT_FALSE(got.empty()) << "nothing at " << s.result.to_string();
      EXPECT_EQ(got.front().queue_offset, s.result.queue_offset);
      EXPECT_EQ(got.front().body, s.body) << s.result.to_string();
    }
    reader.shutdown();
  }

  Broker broker_;
  Raw raw_;
};

TEST_F(SdkMessageLookupTest, EverySentMessageIsFoundByKeyIdUniqueKeyAndQueueOffset) {
  auto p = producer("lookup_producer");
  std::vector<Sent> sent = send_all(*p);
  expect_all_found(*p, sent);
}

TEST_F(SdkMessageLookupTest, LookupsThatMatchNothingFailNamingWhatWasAsked) {
  auto p = producer("lookup_misses");
  SendResult r = p->send(make_message(kTopic, "", "only-key", "the one message"));
  ASSERT_EQ(query_until(*p, "only-key", 1).messages.size(), 1u);

  auto expect_no_message = [](auto&& call, const std::string& named) {
    try {
      call();
      ADD_FAILURE() << "expected MQClientException naming " << named;
    } catch (const MQClientException& e) {
      EXPECT_EQ(e.code(), client_error::kNoMessage) << e.what();
      EXPECT_NE(std::string(e.what()).find(named), std::string::npos) << e.what();
    }
  };
  // A key nobody used; a time range before the message was stored.
  expect_no_message([&] { p->query_message(kTopic, "no-such-key", 64, 0, INT64_MAX); }, "no-such-key");
  expect_no_message([&] { p->query_message(kTopic, "only-key", 64, 0, 1000); }, "only-key");
  // A unique id never sent, and a well-formed offset id past the end of the commit log.
  expect_no_message([&] { p->view_message(kTopic, "0A0A0A0A000018B4AAC2000000000000"); },
                    "0A0A0A0A000018B4AAC2000000000000");
  std::string past_end = r.offset_msg_id.substr(0, 16) + "00000000FFFFFFFF";
  expect_no_message([&] { p->view_message(past_end); }, past_end);
  // Not an id at all.
  try {
    p->view_message("not-an-id");
    ADD_FAILURE() << "expected MQClientException";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kMessageIllegal) << e.what();
    EXPECT_NE(std::string(e.what()).find("not-an-id"), std::string::npos) << e.what();
  }
  // A topic the name server does not know.
  try {
    p->query_message("NoSuchLookupTopic", "k", 64, 0, INT64_MAX);
    ADD_FAILURE() << "expected MQClientException";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kNotFoundTopicException) << e.what();
    EXPECT_NE(std::string(e.what()).find("NoSuchLookupTopic"), std::string::npos) << e.what();
  }
}

// SYNC_FLUSH: what was answered SEND_OK is on disk, and so must be findable after a crash —
// the index is rebuilt from the commit log for whatever it had not written.
TEST_F(SdkMessageLookupTest, EveryMessageIsFoundAfterSigkillAndRestart) {
  std::vector<Sent> sent;
  {
    auto p = producer("lookup_crash");
    sent = send_all(*p);
    p->shutdown();
  }
  broker_.kill_now();
  std::string error = broker_.start();
  ASSERT_TRUE(error.empty()) << error;
  auto p = producer("lookup_after_crash");
  expect_all_found(*p, sent);
}

}  // namespace
}  // namespace tern::client
