// Timer messages without I/O: reading the requested time from each property (precedence,
// bad values, the horizon), the cases that are not timer messages, the timer-entry
// conversions and the delivery-log body; and the schedule's window, due order, rolling
// and the two offsets its checkpoint keeps.
#include <gtest/gtest.h>

#include "broker/metadata_format.h"
#include "broker/timer_message.h"
#include "broker/timer_schedule.h"
#include "tern/topic_config.h"

namespace tern::kernel {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kWeek = 604'800'000;

MessageExt with(std::string_view name, std::string value) {
  MessageExt m;
  m.topic = "Orders";
  m.queue_id = 3;
  m.set_property(name, std::move(value));
  return m;
}

int64_t deliver(const MessageExt& m) {
  auto r = requested_deliver_ms(m, kNow, kWeek);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(r.is_ok() && r->has_value());
  return r.is_ok() && r->has_value() ? **r : -1;
}

Status refusal(const MessageExt& m) {
  auto r = requested_deliver_ms(m, kNow, kWeek);
  EXPECT_FALSE(r.is_ok());
  return r.is_ok() ? Status::ok() : r.status();
}

TEST(TimerMessage, EachPropertyGivesTheDueTime) {
  EXPECT_EQ(deliver(with(property::kTimerDelaySec, "3")), kNow + 3000);
  EXPECT_EQ(deliver(with(property::kTimerDelayMs, "250")), kNow + 250);
  EXPECT_EQ(deliver(with(property::kTimerDeliverMs, std::to_string(kNow + 5000))), kNow + 5000);
  EXPECT_EQ(deliver(with(property::kStartDeliverTime, std::to_string(kNow + 7000))), kNow + 7000);
  EXPECT_EQ(deliver(with(property::kTimerDelayMs, "+40")), kNow + 40);  // Long.parseLong's syntax
  // In the past or now: still a time (the write path stores it directly).
  EXPECT_EQ(deliver(with(property::kTimerDeliverMs, "1000")), 1000);
  EXPECT_EQ(deliver(with(property::kTimerDelaySec, "0")), kNow);
  EXPECT_EQ(deliver(with(property::kStartDeliverTime, "0")), 0);
}

TEST(TimerMessage, PrecedenceIsRocketMqs) {
  MessageExt m = with(property::kStartDeliverTime, std::to_string(kNow + 9000));
  m.set_property(property::kTimerDeliverMs, std::to_string(kNow + 8000));
  EXPECT_EQ(deliver(m), kNow + 8000);
  m.set_property(property::kTimerDelayMs, "700");
  EXPECT_EQ(deliver(m), kNow + 700);
  m.set_property(property::kTimerDelaySec, "6");
  EXPECT_EQ(deliver(m), kNow + 6000);
}

TEST(TimerMessage, NotTimerMessages) {
  auto none = [](const MessageExt& m) {
    auto r = requested_deliver_ms(m, kNow, kWeek);
    return r.is_ok() && !r->has_value();
  };
  EXPECT_TRUE(none(MessageExt{}));
  MessageExt level = with(property::kTimerDelaySec, "5");
  level.set_property(property::kDelayTimeLevel, "3");
  EXPECT_TRUE(none(level));  // the level wins
  drop_timer_properties(&level);
  EXPECT_FALSE(level.has_property(property::kTimerDelaySec));
  EXPECT_EQ(level.property(property::kDelayTimeLevel), "3");

  MessageExt delivered = with(property::kTimerDelaySec, "5");
  delivered.set_property(property::kTimerOutMs, "123");
  EXPECT_TRUE(none(delivered));  // delivered once already: sent again as it is

  MessageExt half = with(property::kTimerDelaySec, "5");
  half.sys_flag = sys_flag::kTransactionPreparedType;
  EXPECT_TRUE(none(half));
  half.sys_flag = sys_flag::kTransactionCommitType;
  EXPECT_FALSE(none(half));
}

TEST(TimerMessage, BadValuesAreRefusedNamingPropertyAndValue) {
  for (const char* bad : {"", "abc", "12s", "1.5", " 5", "0x10", "99999999999999999999"}) {
    Status s = refusal(with(property::kTimerDelayMs, bad));
    EXPECT_TRUE(s.is_invalid_argument()) << bad;
    EXPECT_NE(s.message().find(std::string("TIMER_DELAY_MS=") + bad), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("not a whole number"), std::string::npos) << s.message();
  }
  Status negative = refusal(with(property::kTimerDelaySec, "-5"));
  EXPECT_NE(negative.message().find("TIMER_DELAY_SEC=-5 is negative"), std::string::npos) << negative.message();
  Status past_epoch = refusal(with(property::kStartDeliverTime, "-1"));
  EXPECT_NE(past_epoch.message().find("__STARTDELIVERTIME=-1"), std::string::npos) << past_epoch.message();
  Status huge = refusal(with(property::kTimerDelaySec, "9223372036854775"));
  EXPECT_NE(huge.message().find("too large"), std::string::npos) << huge.message();
}

TEST(TimerMessage, BeyondTheHorizonIsRefusedNamingTheLimit) {
  EXPECT_EQ(deliver(with(property::kTimerDelaySec, "604800")), kNow + kWeek);  // exactly the limit
  Status s = refusal(with(property::kTimerDelaySec, "604801"));
  EXPECT_TRUE(s.is_invalid_argument());
  EXPECT_NE(s.message().find("TIMER_DELAY_SEC=604801"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("timerMaxDelaySec"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("604800 s (7.0 days"), std::string::npos) << s.message();
  Status absolute = refusal(with(property::kTimerDeliverMs, std::to_string(kNow + 30LL * 86400000)));
  EXPECT_NE(absolute.message().find("30.0 days"), std::string::npos) << absolute.message();
}

TEST(TimerMessage, EntryAndDeliveryKeepTheMessage) {
  MessageExt m = with(property::kTimerDelayMs, "500");
  m.set_property(property::kUniqueClientMessageId, "U1");
  m.set_property(property::kKeys, "k1 k2");
  m.set_tags("TagA");
  m.body = std::string("\0\1body", 6);
  m.flag = 7;
  m.sys_flag = sys_flag::kCompressed;
  m.born_timestamp = kNow - 10;
  m.reconsume_times = 2;
  to_timer_entry(&m, kNow + 500);
  EXPECT_EQ(m.topic, topic_names::kTimer);
  EXPECT_EQ(m.queue_id, kTimerQueueId);
  EXPECT_EQ(m.property(property::kRealTopic), "Orders");
  EXPECT_EQ(m.property(property::kRealQueueId), "3");
  ASSERT_TRUE(timer_out_ms(m).is_ok());
  EXPECT_EQ(*timer_out_ms(m), kNow + 500);

  m.store_timestamp = kNow + 1;  // as stored
  m.commit_log_offset = 4096;
  auto d = timer_entry_to_delivery(m, kNow + 503);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_EQ(d->topic, "Orders");
  EXPECT_EQ(d->queue_id, 3);
  EXPECT_EQ(d->body, m.body);
  EXPECT_EQ(d->flag, 7);
  EXPECT_EQ(d->sys_flag, sys_flag::kCompressed);
  EXPECT_EQ(d->born_timestamp, kNow - 10);
  EXPECT_EQ(d->reconsume_times, 2);
  EXPECT_EQ(d->property(property::kUniqueClientMessageId), "U1");
  EXPECT_EQ(d->property(property::kKeys), "k1 k2");
  EXPECT_EQ(d->tags(), "TagA");
  EXPECT_EQ(d->property(property::kTimerDelayMs), "500");
  EXPECT_EQ(d->property(property::kTimerOutMs), std::to_string(kNow + 500));
  EXPECT_EQ(d->property(property::kTimerEnqueueMs), std::to_string(kNow + 1));
  EXPECT_EQ(d->property(property::kTimerDequeueMs), std::to_string(kNow + 503));
  // Sent again (a consumer forwarding it): not timed a second time.
  auto again = requested_deliver_ms(*d, kNow + 600, kWeek);
  ASSERT_TRUE(again.is_ok());
  EXPECT_FALSE(again->has_value());

  MessageExt rolled = timer_entry_to_roll(m);
  EXPECT_EQ(rolled.topic, topic_names::kTimer);
  EXPECT_EQ(rolled.property(property::kTimerRollTimes), "1");
  EXPECT_EQ(timer_entry_to_roll(rolled).property(property::kTimerRollTimes), "2");
  EXPECT_EQ(rolled.property(property::kRealTopic), "Orders");
  EXPECT_EQ(rolled.body, m.body);

  MessageExt broken = m;
  broken.clear_property(property::kRealTopic);
  EXPECT_TRUE(timer_entry_to_delivery(broken, kNow).status().is_corruption());
  broken = m;
  broken.set_property(property::kRealQueueId, "x");
  Status s = timer_entry_to_delivery(broken, kNow).status();
  EXPECT_NE(s.message().find("REAL_QID=x"), std::string::npos) << s.message();
  broken.clear_property(property::kTimerOutMs);
  EXPECT_TRUE(timer_out_ms(broken).status().is_corruption());
}

TEST(TimerMessage, DeliveryLogBody) {
  EXPECT_EQ(encode_timer_done_offsets({12, 13, 40}), "12,13,40");
  auto back = decode_timer_done_offsets("12,13,40");
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, (std::vector<int64_t>{12, 13, 40}));
  EXPECT_TRUE(decode_timer_done_offsets("")->empty());
  for (const char* bad : {",", "1,", ",1", "1,,2", "-3", "a", "1 ,2", "99999999999999999999"}) {
    EXPECT_TRUE(decode_timer_done_offsets(bad).status().is_corruption()) << bad;
  }
}

TEST(TimerMessage, CheckpointFile) {
  TimerCheckpointFile f{120, 7};
  std::string text = encode_timer_checkpoint_file(f);
  EXPECT_EQ(text, "{\"timerQueueOffset\":120,\"timerLogOffset\":7}");
  auto back = decode_timer_checkpoint_file(*parse_json(text));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, f);
  EXPECT_FALSE(decode_timer_checkpoint_file(*parse_json("{\"timerQueueOffset\":\"x\"}")).is_ok());
  EXPECT_FALSE(decode_timer_checkpoint_file(*parse_json("{\"timerQueueOffset\":-1}")).is_ok());
  EXPECT_EQ(*decode_timer_checkpoint_file(*parse_json("{}")), TimerCheckpointFile{});
}

TimerEntry entry(int64_t offset, int64_t deliver, int64_t enqueue = 0) {
  return TimerEntry{offset, offset * 100, deliver, enqueue};
}

TEST(TimerSchedule, DueEntriesComeEarliestFirst) {
  TimerSchedule s;
  s.add(entry(0, 300));
  s.add(entry(1, 100));
  s.add(entry(2, 200));
  EXPECT_EQ(s.next_deliver_ms(), 100);
  EXPECT_TRUE(s.take_due(99, 10).empty());
  auto due = s.take_due(250, 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0], entry(1, 100));
  EXPECT_EQ(due[1], entry(2, 200));
  EXPECT_EQ(s.waiting(), 1u);
  EXPECT_EQ(s.busy(), 2u);
  EXPECT_EQ(s.take_due(1000, 1).size(), 1u);  // at most `max`
  EXPECT_FALSE(s.next_deliver_ms().has_value());
}

TEST(TimerSchedule, TheWatermarkStopsAtTheFirstEntryNotDone) {
  TimerSchedule s(10);
  EXPECT_EQ(s.low_watermark(), 10);
  s.add(entry(11, 100));  // 10 is stored but not reported yet
  s.add(entry(12, 50));
  auto due = s.take_due(100, 10);
  ASSERT_EQ(due.size(), 2u);
  s.finish(12);
  s.finish(11);
  EXPECT_EQ(s.low_watermark(), 10);  // offset 10 may still come: a restart must read it
  s.add(entry(10, 500));
  EXPECT_EQ(s.low_watermark(), 10);
  s.take_due(500, 10);
  s.finish(10);
  EXPECT_EQ(s.low_watermark(), 13);
  EXPECT_EQ(s.end_offset(), 13);
  s.add(entry(5, 1));  // below the window: already done
  EXPECT_EQ(s.waiting(), 0u);
}

TEST(TimerSchedule, RetryWaitsAgainAndFinishedSlotsIgnoreLateAdds) {
  TimerSchedule s;
  s.add(entry(0, 100));
  ASSERT_EQ(s.take_due(100, 10).size(), 1u);
  s.retry(0, 900);
  EXPECT_EQ(s.next_deliver_ms(), 900);
  EXPECT_TRUE(s.take_due(800, 10).empty());
  EXPECT_EQ(s.take_due(900, 10).size(), 1u);

  TimerSchedule r(0);
  r.finish(3);  // the delivery log lists 3 before the queue is read
  EXPECT_TRUE(r.is_done(3));
  EXPECT_FALSE(r.is_done(2));
  EXPECT_FALSE(r.is_done(4));
  r.add(entry(3, 10));
  EXPECT_EQ(r.waiting(), 0u);
  r.add(entry(0, 10));
  r.finish(1);
  r.finish(2);
  EXPECT_EQ(r.waiting(), 1u);
  EXPECT_EQ(r.low_watermark(), 0);
}

TEST(TimerSchedule, StaleEntriesAreTheOldOnesNotDueSoon) {
  TimerSchedule s;
  s.add(entry(0, 10'000, 100));  // old, due late: roll
  s.add(entry(1, 1'050, 100));   // old, due soon: deliver instead
  s.add(entry(2, 10'000, 150));  // old, due late: roll
  s.add(entry(3, 10'000, 900));  // recent
  auto stale = s.take_stale(/*stored_before=*/500, /*due_after=*/1'100, 10);
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0].queue_offset, 0);
  EXPECT_EQ(stale[1].queue_offset, 2);
  EXPECT_EQ(s.waiting(), 2u);
  // Rolled: the copy joins at the end, the original is done.
  s.add(entry(4, 10'000, 1'000));
  s.finish(0);
  s.finish(2);
  EXPECT_EQ(s.low_watermark(), 1);
  auto due = s.take_due(1'050, 10);
  ASSERT_EQ(due.size(), 1u);
  s.finish(1);
  EXPECT_EQ(s.low_watermark(), 3);
}

TEST(TimerSchedule, RollingOftenLeavesNoHeapBehind) {
  TimerSchedule s;
  s.add(entry(0, 1'000'000, 0));
  int64_t next = 1;
  for (int round = 0; round < 20'000; ++round) {  // one message rolled 20,000 times
    auto stale = s.take_stale(round + 1, 0, 1);
    ASSERT_EQ(stale.size(), 1u);
    s.add(entry(next, 1'000'000, round + 1));
    s.finish(stale[0].queue_offset);
    ++next;
  }
  EXPECT_EQ(s.waiting(), 1u);
  EXPECT_LE(s.heap_size(), 2u + 4096u);
  EXPECT_EQ(s.low_watermark(), next - 1);
  auto due = s.take_due(1'000'000, 10);
  ASSERT_EQ(due.size(), 1u);  // delivered once
  EXPECT_EQ(due[0].queue_offset, next - 1);
}

TEST(TimerSchedule, LogWatermarkKeepsRecordsListingOffsetsAtOrAboveTheWindow) {
  TimerSchedule s(0, 0);
  EXPECT_EQ(s.done_log_watermark(), 0);
  s.add(entry(0, 100));
  s.add(entry(1, 50));
  s.take_due(50, 10);  // offset 1
  s.finish(1);
  s.logged(0, 1);  // log record 0 lists offset 1, above the window's start (0)
  EXPECT_EQ(s.done_log_watermark(), 0);
  s.take_due(100, 10);
  s.finish(0);
  s.logged(1, 0);
  EXPECT_EQ(s.low_watermark(), 2);
  EXPECT_EQ(s.done_log_watermark(), 2);  // both records list only offsets below 2
}

}  // namespace
}  // namespace tern::kernel
