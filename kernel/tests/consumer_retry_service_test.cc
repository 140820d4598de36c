// ConsumerRetryService over an in-memory store, through the real write path: a message
// sent back is parked for %RETRY%<group> with level 3 + reconsume times (or the level
// asked), its properties kept and RETRY_TOPIC / ORIGIN_MESSAGE_ID added; after the last try
// (or with level < 0) it goes to %DLQ%<group> (one queue, perm 6); the errors RocketMQ
// answers; and a client's own send to %RETRY% redirected to the DLQ after its last try.
#include "broker/consumer_retry_service.h"

#include <gtest/gtest.h>

#include "broker/broker_message_writer.h"
#include "broker/pull_request_hold_service.h"
#include "broker/schedule_message_service.h"
#include "broker_test_util.h"
#include "fixtures/memory_store.h"

namespace tern::kernel {
namespace {

using testing::TempDir;

class ConsumerRetryTest : public ::testing::Test {
 protected:
  ConsumerRetryTest() {
    writer_.attach(&store_);
    retry_.attach(&store_);
  }
  ScheduleOptions schedule_options() {
    ScheduleOptions o;
    o.file = dir_.file("config/delayOffset.json");
    return o;  // RocketMQ's 18 levels; nothing is delivered (not started)
  }
  // Stores a consumed message and returns it as stored.
  MessageExt stored(const std::string& topic, int32_t reconsume_times) {
    MessageExt m;
    m.topic = topic;
    m.body = "payload";
    m.set_tags("TagA");
    m.set_property(property::kKeys, "order-1");
    m.set_property(property::kUniqueClientMessageId, "UNIQ-1");
    m.reconsume_times = reconsume_times;
    m.born_timestamp = 77;
    MessageExt out;
    store_.put_message(m, [&](Result<PutResult> r) {
      ASSERT_TRUE(r.is_ok());
      out = *store_.look_message(r->messages[0].commit_log_offset);
    });
    return out;
  }
  Status send_back(SendBackRequest request) {
    Status got = Status::internal("not called");
    retry_.send_back(std::move(request), [&](Status s) { got = std::move(s); });
    return got;
  }

  TempDir dir_;
  std::shared_ptr<Logger> logger_ = testing::test_logger();
  fixture::MemoryStore store_;
  PullRequestHoldService holds_{*logger_};
  ScheduleMessageService schedule_{schedule_options(), holds_, *logger_};
  SubscriptionGroupManager groups_{{dir_.file("config/subscriptionGroup.json"), true}, *logger_};
  TopicConfigManager topics_{[this] {
                               TopicConfigOptions o;
                               o.file = dir_.file("config/topics.json");
                               return o;
                             }(),
                             &groups_, *logger_};
  BrokerMessageWriter writer_{&schedule_};
  ConsumerRetryService retry_{groups_, topics_, writer_, 6, "broker-a", *logger_};
};

TEST_F(ConsumerRetryTest, SentBackMessageIsParkedForTheRetryTopic) {
  MessageExt original = stored("Orders", 0);
  SendBackRequest r;
  r.commit_log_offset = original.commit_log_offset;
  r.group = "G";
  ASSERT_TRUE(send_back(r).is_ok());
  auto parked = store_.queue("SCHEDULE_TOPIC_XXXX", 2);  // level 3 + 0
  ASSERT_EQ(parked.size(), 1u);
  const MessageExt& m = parked[0];
  EXPECT_EQ(m.property(property::kRealTopic), "%RETRY%G");
  EXPECT_EQ(m.property(property::kRealQueueId), "0");
  EXPECT_EQ(m.property(property::kDelayTimeLevel), "3");
  EXPECT_EQ(m.property(property::kRetryTopic), "Orders");
  EXPECT_EQ(m.property(property::kOriginMessageId), original.msg_id);
  EXPECT_EQ(m.property(property::kUniqueClientMessageId), "UNIQ-1");
  EXPECT_EQ(m.property(property::kKeys), "order-1");
  EXPECT_EQ(m.tags(), "TagA");
  EXPECT_EQ(m.property(property::kWaitStoreMsgOk), "false");
  EXPECT_EQ(m.body, "payload");
  EXPECT_EQ(m.reconsume_times, 1);
  EXPECT_EQ(m.born_timestamp, 77);
  auto retry_topic = topics_.find("%RETRY%G");
  ASSERT_TRUE(retry_topic.has_value());
  EXPECT_EQ(retry_topic->write_queue_nums, 1);
}

TEST_F(ConsumerRetryTest, LaterTriesTakeLaterLevelsAndKeepTheFirstOrigin) {
  // A message consumed from the retry topic: RETRY_TOPIC and ORIGIN_MESSAGE_ID already set.
  MessageExt again = stored("%RETRY%G", 4);
  MessageExt m = again;
  m.set_property(property::kRetryTopic, "Orders");
  m.set_property(property::kOriginMessageId, "FIRST");
  store_.put_message(m, [&](Result<PutResult> r) { again = *store_.look_message(r->messages[0].commit_log_offset); });
  SendBackRequest r;
  r.commit_log_offset = again.commit_log_offset;
  r.group = "G";
  ASSERT_TRUE(send_back(r).is_ok());
  auto parked = store_.queue("SCHEDULE_TOPIC_XXXX", 6);  // level 3 + 4
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].property(property::kRetryTopic), "Orders");
  EXPECT_EQ(parked[0].property(property::kOriginMessageId), "FIRST");
  EXPECT_EQ(parked[0].reconsume_times, 5);
  // An explicit level wins.
  r.delay_level = 1;
  ASSERT_TRUE(send_back(r).is_ok());
  EXPECT_EQ(store_.queue("SCHEDULE_TOPIC_XXXX", 0).size(), 1u);
}

TEST_F(ConsumerRetryTest, AfterTheLastTryTheMessageIsADeadLetter) {
  MessageExt tired = stored("%RETRY%G", 16);
  SendBackRequest r;
  r.commit_log_offset = tired.commit_log_offset;
  r.group = "G";
  ASSERT_TRUE(send_back(r).is_ok());  // the group's retryMaxTimes: 16
  auto dlq = store_.topic("%DLQ%G");
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].reconsume_times, 17);
  EXPECT_FALSE(dlq[0].has_property(property::kDelayTimeLevel));
  EXPECT_EQ(dlq[0].property(property::kUniqueClientMessageId), "UNIQ-1");
  auto t = topics_.find("%DLQ%G");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->write_queue_nums, 1);
  EXPECT_EQ(t->perm, 6);

  MessageExt young = stored("Orders", 2);
  r.commit_log_offset = young.commit_log_offset;
  r.max_reconsume_times = 2;  // the client's maxReconsumeTimes overrides the group's
  ASSERT_TRUE(send_back(r).is_ok());
  EXPECT_EQ(store_.topic("%DLQ%G").size(), 2u);
  r.max_reconsume_times.reset();
  r.delay_level = -1;  // straight to the DLQ
  ASSERT_TRUE(send_back(r).is_ok());
  EXPECT_EQ(store_.topic("%DLQ%G").size(), 3u);
  EXPECT_TRUE(store_.queue("SCHEDULE_TOPIC_XXXX", 4).empty());
}

TEST_F(ConsumerRetryTest, ErrorsAsRocketMqAnswersThem) {
  SendBackRequest r;
  r.commit_log_offset = 123456;
  r.group = "G";
  Status missing = send_back(r);
  EXPECT_FALSE(missing.is_ok());
  EXPECT_NE(missing.message().find("look message by offset failed, 123456"), std::string::npos) << missing.to_string();

  SubscriptionGroupManager strict({dir_.file("config/strict.json"), false}, *logger_);
  ConsumerRetryService no_auto(strict, topics_, writer_, 6, "broker-a", *logger_);
  no_auto.attach(&store_);
  Status unknown = Status::internal("not called");
  no_auto.send_back(r, [&](Status s) { unknown = s; });
  EXPECT_TRUE(unknown.is_not_found()) << unknown.to_string();
  EXPECT_NE(unknown.message().find("subscription group not exist, G"), std::string::npos);

  ConsumerRetryService read_only(groups_, topics_, writer_, 4, "broker-a", *logger_);
  Status denied = Status::internal("not called");
  read_only.send_back(r, [&](Status s) { denied = s; });
  EXPECT_EQ(denied.code(), Status::Code::kPermissionDenied);

  EXPECT_NE(denied.message().find("broker[broker-a]"), std::string::npos);
}

TEST_F(ConsumerRetryTest, AClientsRetrySendGoesToTheDlqAfterItsLastTry) {
  MessageExt m;
  m.topic = "%RETRY%G";
  m.reconsume_times = 3;
  m.set_property(property::kDelayTimeLevel, "6");
  ASSERT_TRUE(retry_.redirect_retry_send(m, 5).is_ok());
  EXPECT_EQ(m.topic, "%RETRY%G");
  ASSERT_TRUE(retry_.redirect_retry_send(m, 3).is_ok());
  EXPECT_EQ(m.topic, "%DLQ%G");
  EXPECT_EQ(m.queue_id, 0);
  EXPECT_FALSE(m.has_property(property::kDelayTimeLevel));
  MessageExt other;
  other.topic = "Orders";
  other.reconsume_times = 99;
  ASSERT_TRUE(retry_.redirect_retry_send(other, std::nullopt).is_ok());
  EXPECT_EQ(other.topic, "Orders");
}

}  // namespace
}  // namespace tern::kernel
