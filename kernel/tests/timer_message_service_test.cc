// TimerMessageService over an in-memory store: timed messages are parked in the timer
// queue and re-put to their topic when due (not before, and promptly); refusals; batches;
// a restart rebuilds the schedule from the checkpoint, the timer queue and the delivery
// log without delivering anything twice; answers that come late (SYNC_FLUSH) hold the
// checkpoint back; failed re-puts are retried; old entries are rolled.
#include "broker/timer_message_service.h"

#include <gtest/gtest.h>

#include "broker/metadata_format.h"
#include "broker/timer_message.h"
#include "broker_test_util.h"
#include "fixtures/memory_store.h"
#include "tern/topic_config.h"

namespace tern::kernel {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::slurp;
using testing::TempDir;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class TimerServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<TimerMessageService> make(std::chrono::milliseconds roll_window = 3600s, bool deliver = true) {
    TimerMessageOptions o;
    o.checkpoint_file = dir_.file("config/timerCheckpoint.json");
    o.max_delay = 600s;
    o.roll_window = roll_window;
    o.deliver = deliver;
    return std::make_unique<TimerMessageService>(o, *logger_);
  }

  // Sends through the service as the write path does; returns the store's answer (or the
  // refusal) once it arrives, or, when the service declines the message, stores it as it is.
  Result<PutResult> send(TimerMessageService& timers, MessageExt m) {
    Result<PutResult> answer = Status::internal("no answer");
    PutCallback done = [&](Result<PutResult> r) { answer = std::move(r); };
    if (!timers.try_schedule(m, done)) store_.put_message(std::move(m), done);
    return answer;
  }

  MessageExt timed(const std::string& body, int64_t deliver_ms, const std::string& topic = "Orders") {
    MessageExt m;
    m.topic = topic;
    m.queue_id = 1;
    m.body = body;
    m.set_property(property::kTimerDeliverMs, std::to_string(deliver_ms));
    m.set_property(property::kUniqueClientMessageId, "U-" + body);
    return m;
  }

  std::vector<MessageExt> delivered(const std::string& topic = "Orders", int32_t queue = 1) {
    return store_.queue(topic, queue);
  }
  std::vector<MessageExt> parked() { return store_.queue(std::string(topic_names::kTimer), kTimerQueueId); }
  std::vector<MessageExt> log_records() {
    return store_.queue(std::string(topic_names::kTimer), kTimerDoneQueueId);
  }
  void write_checkpoint(TimerMessageService& timers) {
    ASSERT_TRUE(timers.checkpoint_writer().write_if_dirty().is_ok());
  }

  TempDir dir_;
  std::shared_ptr<Logger> logger_ = testing::test_logger();
  fixture::MemoryStore store_;
};

TEST_F(TimerServiceTest, ParksThenDeliversWhenDueKeepingTheMessage) {
  auto timers = make();
  ASSERT_TRUE(timers->start(&store_).is_ok());
  int64_t due = now_ms() + 300;
  auto r = send(*timers, timed("a", due));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(parked().size(), 1u);
  EXPECT_TRUE(delivered().empty());
  EXPECT_EQ(timers->waiting(), 1u);

  ASSERT_TRUE(eventually([&] { return delivered().size() == 1; }, 3000ms));
  int64_t at = now_ms();
  MessageExt m = delivered()[0];
  EXPECT_GE(m.store_timestamp, due);           // never early
  EXPECT_LT(m.store_timestamp - due, 100);     // and promptly
  EXPECT_LE(at - due, 1000);
  EXPECT_EQ(m.body, "a");
  EXPECT_EQ(m.queue_id, 1);
  EXPECT_EQ(m.property(property::kUniqueClientMessageId), "U-a");
  EXPECT_EQ(m.property(property::kTimerOutMs), std::to_string(due));
  EXPECT_FALSE(m.property(property::kTimerDequeueMs).empty());
  ASSERT_TRUE(eventually([&] { return log_records().size() == 1; }));
  EXPECT_EQ(log_records()[0].body, "0");
  EXPECT_TRUE(eventually([&] { return timers->low_watermark() == 1; }));
  write_checkpoint(*timers);
  EXPECT_EQ(slurp(dir_.file("config/timerCheckpoint.json")), "{\"timerQueueOffset\":1,\"timerLogOffset\":1}");
  timers->stop();
}

TEST_F(TimerServiceTest, DueNowAndUntimedGoStraightToTheTopic) {
  auto timers = make();
  ASSERT_TRUE(timers->start(&store_).is_ok());
  ASSERT_TRUE(send(*timers, timed("past", now_ms() - 5000)).is_ok());
  ASSERT_TRUE(send(*timers, timed("now", now_ms())).is_ok());
  MessageExt plain;
  plain.topic = "Orders";
  plain.queue_id = 1;
  plain.body = "plain";
  ASSERT_TRUE(send(*timers, plain).is_ok());
  EXPECT_EQ(delivered().size(), 3u);
  EXPECT_TRUE(parked().empty());
  EXPECT_FALSE(delivered()[0].has_property(property::kTimerOutMs));  // stored as sent
}

TEST_F(TimerServiceTest, RefusalsNameTheProblemAndStoreNothing) {
  auto timers = make();
  ASSERT_TRUE(timers->start(&store_).is_ok());
  MessageExt far = timed("far", now_ms() + 601'000);
  auto r = send(*timers, far);
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(r.status().is_invalid_argument());
  EXPECT_NE(r.status().message().find("timerMaxDelaySec"), std::string::npos) << r.status().message();
  MessageExt bad = timed("bad", 0);
  bad.set_property(property::kTimerDelaySec, "soon");
  r = send(*timers, bad);
  EXPECT_NE(r.status().message().find("TIMER_DELAY_SEC=soon"), std::string::npos) << r.status().message();
  EXPECT_TRUE(parked().empty());
  EXPECT_TRUE(delivered().empty());
}

TEST_F(TimerServiceTest, ADelayLevelWinsOverTimerProperties) {
  auto timers = make();
  ASSERT_TRUE(timers->start(&store_).is_ok());
  MessageExt m = timed("lvl", now_ms() + 5000);
  m.set_property(property::kDelayTimeLevel, "2");
  PutCallback done = [](Result<PutResult>) {};
  EXPECT_FALSE(timers->try_schedule(m, done));
  EXPECT_FALSE(m.has_property(property::kTimerDeliverMs));
  EXPECT_EQ(m.delay_time_level(), 2);
}

TEST_F(TimerServiceTest, ABatchWithATimedMessageIsParkedWhole) {
  auto timers = make();
  ASSERT_TRUE(timers->start(&store_).is_ok());
  std::vector<MessageExt> batch{timed("b0", now_ms() + 200), timed("b1", 0)};
  batch[1].clear_property(property::kTimerDeliverMs);  // no time: due at once
  Result<PutResult> answer = Status::internal("no answer");
  PutCallback done = [&](Result<PutResult> r) { answer = std::move(r); };
  ASSERT_TRUE(timers->try_schedule(batch, done));
  ASSERT_TRUE(answer.is_ok());
  EXPECT_EQ(answer->messages.size(), 2u);
  EXPECT_EQ(parked().size(), 2u);
  ASSERT_TRUE(eventually([&] { return delivered().size() == 2; }, 3000ms));
  EXPECT_EQ(delivered()[0].body, "b1");  // due first
  EXPECT_EQ(delivered()[1].body, "b0");

  std::vector<MessageExt> untimed(2);
  PutCallback untouched = [](Result<PutResult>) {};
  EXPECT_FALSE(timers->try_schedule(untimed, untouched));
  EXPECT_TRUE(static_cast<bool>(untouched));  // declined: the caller still has it
  std::vector<MessageExt> one_bad{timed("x", now_ms() + 200), timed("y", now_ms() + 200)};
  one_bad[1].set_property(property::kTimerDelayMs, "-1");
  done = [&](Result<PutResult> r) { answer = std::move(r); };
  ASSERT_TRUE(timers->try_schedule(one_bad, done));
  EXPECT_NE(answer.status().message().find("message 1 of the batch"), std::string::npos) << answer.status().message();
}

TEST_F(TimerServiceTest, RestartDeliversWhatWaitsAndNothingTwice) {
  int64_t base = now_ms();
  {
    auto timers = make();
    ASSERT_TRUE(timers->start(&store_).is_ok());
    ASSERT_TRUE(send(*timers, timed("late", base + 60'000)).is_ok());  // offset 0: pins the checkpoint
    ASSERT_TRUE(send(*timers, timed("soon1", base + 100)).is_ok());
    ASSERT_TRUE(send(*timers, timed("soon2", base + 150)).is_ok());
    ASSERT_TRUE(send(*timers, timed("later", base + 1'500)).is_ok());
    ASSERT_TRUE(eventually([&] { return delivered().size() == 2 && log_records().size() >= 1; }, 3000ms));
    write_checkpoint(*timers);
    // "Crash": the thread stops, nothing else is written.
    timers->stop();
  }
  EXPECT_EQ(slurp(dir_.file("config/timerCheckpoint.json")).find("\"timerQueueOffset\":0"), 1u);
  auto again = make();
  ASSERT_TRUE(again->start(&store_).is_ok());
  EXPECT_EQ(again->waiting(), 2u);  // "late" and "later"; soon1/soon2 are in the delivery log
  ASSERT_TRUE(eventually([&] { return delivered().size() == 3; }, 3000ms));
  std::this_thread::sleep_for(200ms);
  ASSERT_EQ(delivered().size(), 3u);
  EXPECT_EQ(delivered()[2].body, "later");
  EXPECT_GE(delivered()[2].store_timestamp, base + 1'500);
  again->stop();
}

TEST_F(TimerServiceTest, ACorruptCheckpointMeansAFullScanNotAFailure) {
  {
    auto timers = make();
    ASSERT_TRUE(timers->start(&store_).is_ok());
    ASSERT_TRUE(send(*timers, timed("w", now_ms() + 60'000)).is_ok());
    timers->stop();
  }
  testing::spit(dir_.file("config/timerCheckpoint.json"), "{not json");
  auto again = make();
  ASSERT_TRUE(again->start(&store_).is_ok());
  EXPECT_EQ(again->waiting(), 1u);
}

TEST_F(TimerServiceTest, AnAnswerNotYetReceivedHoldsTheCheckpointBack) {
  auto timers = make();
  ASSERT_TRUE(timers->start(&store_).is_ok());
  store_.hold_answers(true);  // SYNC_FLUSH: appended, answered after the fsync
  Result<PutResult> answer = Status::internal("no answer");
  MessageExt m = timed("slow", now_ms() + 50);
  PutCallback done = [&](Result<PutResult> r) { answer = std::move(r); };
  ASSERT_TRUE(timers->try_schedule(m, done));
  store_.hold_answers(false);
  ASSERT_TRUE(send(*timers, timed("fast", now_ms() + 50)).is_ok());  // offset 1
  ASSERT_TRUE(eventually([&] { return delivered().size() == 1; }, 3000ms));
  EXPECT_EQ(timers->low_watermark(), 0);  // offset 0 is stored but unknown yet
  store_.release_answers();
  ASSERT_TRUE(answer.is_ok());
  ASSERT_TRUE(eventually([&] { return delivered().size() == 2 && timers->low_watermark() == 2; }, 3000ms));
}

TEST_F(TimerServiceTest, FailedReputsAreRetried) {
  auto timers = make();
  ASSERT_TRUE(timers->start(&store_).is_ok());
  ASSERT_TRUE(send(*timers, timed("r", now_ms() + 50)).is_ok());
  store_.fail_every_put(Status::resource_exhausted("disk full"));
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(delivered().empty());
  store_.fail_every_put(Status::ok());
  ASSERT_TRUE(eventually([&] { return delivered().size() == 1; }, 3000ms));
  EXPECT_EQ(delivered()[0].body, "r");
}

TEST_F(TimerServiceTest, UnreadableEntriesAreDroppedNotRetriedForever) {
  auto timers = make();
  ASSERT_TRUE(timers->start(&store_).is_ok());
  ASSERT_TRUE(send(*timers, timed("gone", now_ms() + 100)).is_ok());
  store_.remove(parked()[0].commit_log_offset);
  ASSERT_TRUE(eventually([&] { return timers->low_watermark() == 1; }, 3000ms));
  EXPECT_TRUE(delivered().empty());
}

TEST_F(TimerServiceTest, OldEntriesAreRolledToTheQueueEnd) {
  auto timers = make(2s);  // roll after 2 s; entries due within 1 s are left alone
  ASSERT_TRUE(timers->start(&store_).is_ok());
  int64_t due = now_ms() + 4'500;
  ASSERT_TRUE(send(*timers, timed("long", due)).is_ok());
  ASSERT_TRUE(eventually([&] { return parked().size() >= 2; }, 4000ms));
  EXPECT_EQ(parked()[1].property(property::kTimerRollTimes), "1");
  EXPECT_EQ(parked()[1].property(property::kTimerOutMs), std::to_string(due));
  EXPECT_TRUE(eventually([&] { return timers->low_watermark() >= 1; }));
  ASSERT_TRUE(eventually([&] { return delivered().size() == 1; }, 6000ms));
  EXPECT_GE(delivered()[0].store_timestamp, due);
  EXPECT_EQ(delivered()[0].body, "long");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(delivered().size(), 1u);  // the original was not delivered too
}

TEST_F(TimerServiceTest, OffOnASlave) {
  auto timers = make(3600s, /*deliver=*/false);
  ASSERT_TRUE(timers->start(&store_).is_ok());
  auto r = send(*timers, timed("s", now_ms() + 1000));
  EXPECT_TRUE(r.status().is_unavailable()) << r.status().to_string();
  EXPECT_TRUE(parked().empty());
}

}  // namespace
}  // namespace tern::kernel
