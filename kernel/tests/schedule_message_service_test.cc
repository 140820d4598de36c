// Delay levels: the messageDelayLevel table (units, ms, bad tokens), due times, the topic
// rewrite into SCHEDULE_TOPIC_XXXX, the copy delivered when due, delayOffset.json, and
// ScheduleMessageService end to end over an in-memory store: delivery after each level's
// delay, in order, with the offsets saved; a failed re-put retried; and the restart check
// that keeps a stale delayOffset.json from delivering anything twice.
#include "broker/schedule_message_service.h"

#include <gtest/gtest.h>

#include "broker/broker_message_writer.h"
#include "broker/pull_request_hold_service.h"
#include "broker_test_util.h"
#include "config/value_check.h"
#include "fixtures/memory_store.h"

namespace tern::kernel {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::slurp;
using testing::spit;
using testing::TempDir;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(DelayLevels, ParsesRocketMqUnitsAndMilliseconds) {
  auto def = DelayLevels::parse("1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h");
  ASSERT_TRUE(def.is_ok()) << def.status().to_string();
  EXPECT_EQ(def->max_level(), 18);
  EXPECT_EQ(def->delay_ms(1), 1000);
  EXPECT_EQ(def->delay_ms(3), 10'000);
  EXPECT_EQ(def->delay_ms(5), 60'000);
  EXPECT_EQ(def->delay_ms(18), 7'200'000);
  auto ms = DelayLevels::parse("  100ms 200ms  1s 1d ");
  ASSERT_TRUE(ms.is_ok()) << ms.status().to_string();
  EXPECT_EQ(ms->delays_ms(), (std::vector<int64_t>{100, 200, 1000, 86'400'000}));
  EXPECT_EQ(parse_duration_ms("250ms").value_or(0), 250);
  EXPECT_FALSE(parse_duration_ms("ms"));
  EXPECT_FALSE(parse_duration_ms("0ms"));
}

TEST(DelayLevels, RefusesABadTableNamingTheKeyAndToken) {
  auto bad = DelayLevels::parse("1s 5x 10s");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_TRUE(bad.status().is_invalid_argument());
  EXPECT_NE(bad.status().message().find("messageDelayLevel"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("\"5x\""), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("level 2"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(DelayLevels::parse("").is_ok());
  EXPECT_FALSE(DelayLevels::parse("0s").is_ok());
  EXPECT_FALSE(DelayLevels::parse("-1s").is_ok());
  // The broker's config check says the same before anything starts.
  ConfigKeySpec spec{"messageDelayLevel", ConfigType::kDurationList, "", "", "", 0};
  EXPECT_NE(check_config_value(spec, "1s 5x").value_or("").find("\"5x\" is not one"), std::string::npos);
  EXPECT_FALSE(check_config_value(spec, "100ms 200ms"));
}

TEST(DelayLevels, CapsAndQueues) {
  auto t = *DelayLevels::parse("1s 2s 3s");
  EXPECT_EQ(t.cap(0), 1);
  EXPECT_EQ(t.cap(2), 2);
  EXPECT_EQ(t.cap(99), 3);
  EXPECT_EQ(t.delay_ms(99), 3000);
  EXPECT_EQ(DelayLevels::queue_id(1), 0);
  EXPECT_EQ(DelayLevels::level_of_queue(17), 18);
}

TEST(DelayLevels, DueTimeIsStoreTimePlusDelay) {
  auto t = *DelayLevels::parse("1s 5s");
  const int64_t now = 1'700'000'000'000;
  EXPECT_EQ(t.due_ms(1, now, now), now + 1000);
  EXPECT_EQ(t.due_ms(2, now - 2000, now), now + 3000);
  EXPECT_EQ(t.due_ms(2, now - 9000, now), now - 4000);  // overdue: due in the past
  // Due later than now + the delay: the clock went back since the store; due now.
  EXPECT_EQ(t.due_ms(1, now + 60'000, now), now);
  EXPECT_EQ(t.due_ms(1, now + 500, now), now);  // any due time past now + delay, as RocketMQ
  EXPECT_EQ(t.due_ms(1, now - 200, now), now + 800);
}

MessageExt delayed(const std::string& topic, int level, const std::string& uniq) {
  MessageExt m;
  m.topic = topic;
  m.queue_id = 3;
  m.body = "body-" + uniq;
  m.flag = 7;
  m.set_tags("TagA");
  m.set_property(property::kKeys, "k1 k2");
  m.set_property(property::kUniqueClientMessageId, uniq);
  m.set_property("user", "value");
  if (level != 0) m.set_property(property::kDelayTimeLevel, std::to_string(level));
  m.born_timestamp = 1234;
  m.reconsume_times = 2;
  m.sys_flag = sys_flag::kCompressed;
  return m;
}

class ScheduleFixture : public ::testing::Test {
 protected:
  ScheduleOptions options(const std::string& levels = "100ms 200ms 300ms") {
    ScheduleOptions o;
    o.file = dir_.file("config/delayOffset.json");
    o.delay_levels = levels;
    o.retry_after_failed_put = 50ms;
    return o;
  }

  TempDir dir_;
  std::shared_ptr<Logger> logger_ = testing::test_logger();
};

TEST_F(ScheduleFixture, RewriteParksTheMessageInItsLevelQueue) {
  PullRequestHoldService holds(*logger_);
  ScheduleMessageService s(options(), holds, *logger_);
  MessageExt m = delayed("Orders", 2, "U1");
  ASSERT_TRUE(s.rewrite_delayed(m));
  EXPECT_EQ(m.topic, "SCHEDULE_TOPIC_XXXX");
  EXPECT_EQ(m.queue_id, 1);
  EXPECT_EQ(m.property(property::kRealTopic), "Orders");
  EXPECT_EQ(m.property(property::kRealQueueId), "3");
  EXPECT_EQ(m.property(property::kDelayTimeLevel), "2");

  MessageExt high = delayed("Orders", 40, "U2");
  ASSERT_TRUE(s.rewrite_delayed(high));
  EXPECT_EQ(high.queue_id, 2);  // capped to the last of three levels
  EXPECT_EQ(high.property(property::kDelayTimeLevel), "3");

  MessageExt plain = delayed("Orders", 0, "U3");
  EXPECT_FALSE(s.rewrite_delayed(plain));
  EXPECT_EQ(plain.topic, "Orders");
  MessageExt negative = delayed("Orders", 0, "U4");
  negative.set_property(property::kDelayTimeLevel, "-1");
  EXPECT_FALSE(s.rewrite_delayed(negative));
  MessageExt half = delayed("Orders", 2, "U5");
  half.sys_flag |= sys_flag::kTransactionPreparedType;
  EXPECT_FALSE(s.rewrite_delayed(half));  // a prepared half message is not parked
  EXPECT_EQ(s.queue_nums(), 3);
}

TEST_F(ScheduleFixture, DeliveredCopyRestoresTheRealTopicAndKeepsTheRest) {
  PullRequestHoldService holds(*logger_);
  ScheduleMessageService s(options(), holds, *logger_);
  MessageExt m = delayed("Orders", 1, "U1");
  ASSERT_TRUE(s.rewrite_delayed(m));
  m.commit_log_offset = 999;
  m.store_timestamp = 5555;
  m.msg_id = "OLD";
  auto copy = delivered_copy(m);
  ASSERT_TRUE(copy.is_ok()) << copy.status().to_string();
  EXPECT_EQ(copy->topic, "Orders");
  EXPECT_EQ(copy->queue_id, 3);
  EXPECT_FALSE(copy->has_property(property::kDelayTimeLevel));
  EXPECT_EQ(copy->property(property::kUniqueClientMessageId), "U1");
  EXPECT_EQ(copy->property(property::kKeys), "k1 k2");
  EXPECT_EQ(copy->tags(), "TagA");
  EXPECT_EQ(copy->property("user"), "value");
  EXPECT_EQ(copy->body, "body-U1");
  EXPECT_EQ(copy->flag, 7);
  EXPECT_EQ(copy->reconsume_times, 2);
  EXPECT_EQ(copy->born_timestamp, 1234);
  EXPECT_EQ(copy->sys_flag, sys_flag::kCompressed);
  EXPECT_EQ(copy->commit_log_offset, 0);
  EXPECT_TRUE(copy->msg_id.empty());

  MessageExt broken = m;
  broken.clear_property(property::kRealTopic);
  EXPECT_TRUE(delivered_copy(broken).status().is_invalid_argument());
  broken = m;
  broken.set_property(property::kRealQueueId, "x");
  EXPECT_NE(delivered_copy(broken).status().message().find("REAL_QID"), std::string::npos);
}

TEST_F(ScheduleFixture, DelayOffsetFileLayout) {
  DelayOffsetTable t{{1, 12}, {3, 40}};
  EXPECT_EQ(encode_delay_offsets_file(t), R"({"offsetTable":{"1":12,"3":40}})");
  auto back = decode_delay_offsets_file(*parse_json(encode_delay_offsets_file(t)));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, t);
  EXPECT_FALSE(decode_delay_offsets_file(*parse_json(R"({"offsetTable":{"0":1}})")).is_ok());
  EXPECT_FALSE(decode_delay_offsets_file(*parse_json(R"({"offsetTable":{"1":-1}})")).is_ok());
  EXPECT_FALSE(decode_delay_offsets_file(*parse_json(R"({"offsetTable":{"x":1}})")).is_ok());

  // RocketMQ's own file, integer keys unquoted, loads.
  spit(dir_.file("config/delayOffset.json"), "{\n\t\"offsetTable\":{1:7,2:9\n\t}\n}");
  PullRequestHoldService holds(*logger_);
  ScheduleMessageService s(options(), holds, *logger_);
  ASSERT_TRUE(s.load().is_ok());
  EXPECT_EQ(s.offsets(), (DelayOffsetTable{{1, 7}, {2, 9}}));
  spit(dir_.file("config/delayOffset.json"), "{not json");
  ScheduleMessageService corrupt(options(), holds, *logger_);
  Status refused = corrupt.load();
  EXPECT_TRUE(refused.is_corruption()) << refused.to_string();
  EXPECT_NE(refused.message().find("delayOffset.json"), std::string::npos);
  ScheduleMessageService bad_table(options("1s nope"), holds, *logger_);
  EXPECT_TRUE(bad_table.load().is_invalid_argument());
}

// A broker's pieces over a MemoryStore: holds, the schedule service and the writer.
class Delivery {
 public:
  Delivery(fixture::MemoryStore& store, ScheduleOptions options, Logger& logger)
      : store_(store), holds_(logger), schedule_(std::move(options), holds_, logger), writer_(&schedule_) {}
  ~Delivery() { stop(); }
  Status start() {
    TERN_RETURN_IF_ERROR(schedule_.load());
    holds_.start(&store_);
    writer_.attach(&store_);
    schedule_.start(&store_);
    return Status::ok();
  }
  void stop() {
    writer_.detach();
    schedule_.stop();
    holds_.stop();
    (void)schedule_.writer().write_if_dirty();
  }
  void send(MessageExt m) {
    writer_.put_message(std::move(m), [](Result<PutResult> r) { ASSERT_TRUE(r.is_ok()) << r.status().to_string(); });
  }
  ScheduleMessageService& schedule() { return schedule_; }
  BrokerMessageWriter& writer() { return writer_; }

 private:
  fixture::MemoryStore& store_;
  PullRequestHoldService holds_;
  ScheduleMessageService schedule_;
  BrokerMessageWriter writer_;
};

TEST_F(ScheduleFixture, DeliversEachLevelAfterItsDelayInOrder) {
  fixture::MemoryStore store;
  Delivery d(store, options(), *logger_);
  ASSERT_TRUE(d.start().is_ok());
  const int64_t sent_at = now_ms();
  for (int i = 0; i < 3; ++i) d.send(delayed("Orders", 1, "A" + std::to_string(i)));
  for (int i = 0; i < 2; ++i) d.send(delayed("Orders", 3, "C" + std::to_string(i)));
  EXPECT_EQ(store.queue("SCHEDULE_TOPIC_XXXX", 0).size(), 3u);
  EXPECT_EQ(store.queue("SCHEDULE_TOPIC_XXXX", 2).size(), 2u);
  EXPECT_TRUE(store.queue("Orders", 3).empty());
  ASSERT_TRUE(eventually([&] { return store.queue("Orders", 3).size() == 5; }, 3s));
  auto delivered = store.queue("Orders", 3);
  std::vector<std::string> order;
  for (const auto& m : delivered) order.emplace_back(m.property(property::kUniqueClientMessageId));
  EXPECT_EQ(order, (std::vector<std::string>{"A0", "A1", "A2", "C0", "C1"}));
  for (const auto& m : delivered) {
    const int64_t delay = m.property(property::kUniqueClientMessageId)[0] == 'A' ? 100 : 300;
    EXPECT_GE(m.store_timestamp, sent_at + delay) << m.property(property::kUniqueClientMessageId);
    EXPECT_LT(m.store_timestamp, sent_at + delay + 1000) << "late";
    EXPECT_FALSE(m.has_property(property::kDelayTimeLevel));
    EXPECT_EQ(m.property(property::kRealTopic), "Orders");  // kept, as RocketMQ keeps it
    EXPECT_EQ(m.reconsume_times, 2);
  }
  EXPECT_TRUE(eventually([&] { return d.schedule().offsets() == DelayOffsetTable{{1, 3}, {3, 2}}; }));
  EXPECT_EQ(d.schedule().delivered(), 5);
  d.stop();
  EXPECT_EQ(slurp(dir_.file("config/delayOffset.json")), R"({"offsetTable":{"1":3,"3":2}})");
}

TEST_F(ScheduleFixture, ABatchWithADelayLevelIsRefused) {
  fixture::MemoryStore store;
  Delivery d(store, options(), *logger_);
  ASSERT_TRUE(d.start().is_ok());
  std::vector<MessageExt> batch{delayed("Orders", 0, "B0"), delayed("Orders", 2, "B1")};
  Status got = Status::internal("not called");
  d.writer().put_messages(std::move(batch), [&](Result<PutResult> r) { got = r.status(); });
  EXPECT_TRUE(got.is_invalid_argument()) << got.to_string();
  EXPECT_NE(got.message().find("message 1"), std::string::npos);
  EXPECT_TRUE(store.topic("Orders").empty());
}

TEST_F(ScheduleFixture, AFailedPutIsRetriedAndDeliveredOnce) {
  fixture::MemoryStore store;
  Delivery d(store, options(), *logger_);
  ASSERT_TRUE(d.start().is_ok());
  store.fail_puts("Orders", 2, Status::unavailable("disk busy"));
  d.send(delayed("Orders", 1, "F0"));
  d.send(delayed("Orders", 1, "F1"));
  ASSERT_TRUE(eventually([&] { return store.queue("Orders", 3).size() == 2; }, 3s));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(store.queue("Orders", 3).size(), 2u);
  EXPECT_EQ(store.queue("Orders", 3)[0].property(property::kUniqueClientMessageId), "F0");
}

TEST_F(ScheduleFixture, AMessageWithoutRealTopicIsSkippedNotBlocking) {
  fixture::MemoryStore store;
  Delivery d(store, options(), *logger_);
  ASSERT_TRUE(d.start().is_ok());
  MessageExt broken = delayed("SCHEDULE_TOPIC_XXXX", 0, "X");
  broken.queue_id = 0;  // parked by hand, without REAL_TOPIC
  store.put_message(broken, [](Result<PutResult>) {});
  d.send(delayed("Orders", 1, "OK"));
  ASSERT_TRUE(eventually([&] { return store.queue("Orders", 3).size() == 1; }, 3s));
  EXPECT_TRUE(eventually([&] { return d.schedule().offsets()[1] == 2; }));
}

TEST_F(ScheduleFixture, OverdueMessagesGoAtOnce) {
  fixture::MemoryStore store;
  {
    Delivery d(store, options("100ms 5s"), *logger_);
    ASSERT_TRUE(d.start().is_ok());
    // Stored "six seconds ago": already due when the service looks.
    store.set_clock_offset_ms(-6000);
    d.send(delayed("Orders", 2, "OLD"));
    store.set_clock_offset_ms(0);
    ASSERT_TRUE(eventually([&] { return store.queue("Orders", 3).size() == 1; }, 2s));
  }
}

TEST_F(ScheduleFixture, AStaleOffsetFileRepeatsNothing) {
  fixture::MemoryStore store;
  {
    Delivery d(store, options(), *logger_);
    ASSERT_TRUE(d.start().is_ok());
    for (int i = 0; i < 4; ++i) d.send(delayed("Orders", 1, "S" + std::to_string(i)));
    MessageExt no_key = delayed("Other", 2, "");
    no_key.clear_property(property::kUniqueClientMessageId);
    d.send(no_key);
    ASSERT_TRUE(eventually([&] { return store.topic("Orders").size() == 4 && store.topic("Other").size() == 1; }, 3s));
    ASSERT_TRUE(eventually([&] { return d.schedule().offsets()[1] == 4; }));
  }
  // A kill -9 before the periodic write: the file still says level 1 is at 1, level 2 at 0.
  spit(dir_.file("config/delayOffset.json"), R"({"offsetTable":{"1":1,"2":0}})");
  {
    Delivery d(store, options(), *logger_);
    ASSERT_TRUE(d.start().is_ok());
    d.send(delayed("Orders", 1, "S4"));
    ASSERT_TRUE(eventually([&] { return store.topic("Orders").size() == 5; }, 3s));
    std::this_thread::sleep_for(400ms);
    EXPECT_EQ(store.topic("Orders").size(), 5u) << "a delivered message came again";
    // Without a UNIQ_KEY nothing proves the delivery: at-least-once.
    EXPECT_EQ(store.topic("Other").size(), 2u);
    EXPECT_EQ(d.schedule().offsets()[1], 5);
  }
}

}  // namespace
}  // namespace tern::kernel
