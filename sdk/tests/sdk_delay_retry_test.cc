// Delay levels, consumer retry and dead letters against a real `mqbroker --standalone`
// (messageDelayLevel shortened through its config):
//   - a delayed message waits in SCHEDULE_TOPIC_XXXX and reaches its topic when its level
//     is due, with its keys, tags, properties and msgId; the lateness past the due time
//     (delivered copy's store time - parked copy's store time - the level's delay) is
//     measured and printed, and stays under 100 ms;
//   - delayOffset.json holds each level's progress and a graceful restart repeats nothing;
//   - SIGKILL with 1,000 delayed messages pending: after the restart every one arrives,
//     and none twice;
//   - retry: a message failed 3 times arrives on the 4th try with reconsume_times 3, its
//     topic, msgId and keys, the gaps between tries matching levels 3, 4, 5 (within
//     kGapTolerance); after max_reconsume_times (3, and the default 16 at 10 ms levels) it is
//     in %DLQ%<group>; the context's delay level is used (-1: straight to the DLQ);
//     broadcasting consumers do not retry; an orderly consumer moves a message suspended
//     max_reconsume_times times to the DLQ and goes on;
//   - CONSUMER_SEND_MSG_BACK's errors on the wire, and a client's own %RETRY% send
//     redirected to the DLQ after its last try.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sdk_test_harness.h"
#include "tern/client/producer.h"
#include "tern/client/push_consumer.h"

namespace tern::client {
namespace {

using namespace std::chrono_literals;
using namespace test_harness;

// Levels short enough for tests; level n waits kLevelMs[n-1].
const std::vector<int64_t> kLevelMs{200, 400, 600, 800, 1000, 1200};
const char* kLevels = "messageDelayLevel=200ms 400ms 600ms 800ms 1s 1200ms\n";

std::string uniq(const MessageExt& m) { return std::string(m.property(property::kUniqueClientMessageId)); }

struct Percentiles {
  int64_t p50 = 0, p90 = 0, p99 = 0, max = 0, min = 0;
};
Percentiles percentiles(std::vector<int64_t> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))]; };
  p.p50 = at(0.5);
  p.p90 = at(0.9);
  p.p99 = at(0.99);
  p.max = v.back();
  p.min = v.front();
  return p;
}

class SdkDelayTest : public ::testing::Test {
 protected:
  void start_broker(const std::string& extra = "") {
    broker_ = std::make_unique<Broker>("delay-broker", std::string("autoCreateTopicEnable=false\n") + kLevels + extra);
    std::string error = broker_->start();
    ASSERT_TRUE(error.empty()) << error;
  }
  void start_producer() {
    producer_ = std::make_unique<DefaultMQProducer>("delay_test_producer");
    producer_->set_namesrv_addr(broker_->namesrv());
    producer_->set_instance_name("delay_test_producer");
    producer_->start();
  }
  void TearDown() override {
    if (producer_) producer_->shutdown();
  }
  // Sends `n` messages to `topic` (one queue), level = level_of(i); returns the msgIds.
  std::vector<std::string> send_delayed(const std::string& topic, int n, const std::function<int(int)>& level_of) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      Message m = make_message(topic, "TagD", "key-" + std::to_string(i), "delayed-" + std::to_string(i));
      m.set_property("seq", std::to_string(i));
      set_delay_time_level(&m, level_of(i));
      SendResult r = producer_->send(m);
      EXPECT_EQ(r.send_status, SendStatus::SEND_OK);
      ids.push_back(r.msg_id);
    }
    return ids;
  }
  // Every message of the topic's queue 0 once `count` are there (false at the timeout).
  bool wait_count(const std::string& topic, int64_t count, std::chrono::milliseconds timeout) {
    auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      if (raw_.max_offset(*broker_, topic, 0) >= count) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  Raw raw_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<DefaultMQProducer> producer_;
};

TEST_F(SdkDelayTest, DelayedMessagesArriveWhenDueWithEverythingKept) {
  start_broker();
  start_producer();
  raw_.create_topic(*broker_, "DelayOnTime", 1);
  constexpr int kN = 240;
  const auto sent_at = Clock::now();
  auto ids = send_delayed("DelayOnTime", kN, [](int i) { return 1 + i % 6; });
  // Nothing is visible before the shortest level, everything after the longest.
  EXPECT_LT(raw_.max_offset(*broker_, "DelayOnTime", 0), kN);
  ASSERT_TRUE(wait_count("DelayOnTime", kN, 20s)) << raw_.max_offset(*broker_, "DelayOnTime", 0);
  std::printf("sending %d delayed messages took %lld ms\n", kN,
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent_at).count()));

  std::map<std::string, MessageExt> parked;  // by UNIQ_KEY
  for (int q = 0; q < static_cast<int>(kLevelMs.size()); ++q) {
    for (auto& m : raw_.pull_all(*broker_, "SCHEDULE_TOPIC_XXXX", q)) parked[uniq(m)] = std::move(m);
  }
  ASSERT_EQ(parked.size(), static_cast<size_t>(kN));
  auto delivered = raw_.pull_all(*broker_, "DelayOnTime", 0);
  ASSERT_EQ(delivered.size(), static_cast<size_t>(kN));
  std::vector<int64_t> lateness;
  std::set<std::string> seen;
  for (const auto& m : delivered) {
    const std::string id = uniq(m);
    ASSERT_TRUE(parked.count(id)) << id;
    EXPECT_TRUE(seen.insert(id).second) << "delivered twice: " << id;
    const MessageExt& p = parked[id];
    const int seq = std::stoi(std::string(m.property("seq")));
    const int level = 1 + seq % 6;
    EXPECT_EQ(p.queue_id, level - 1);
    EXPECT_EQ(p.property(property::kRealTopic), "DelayOnTime");
    EXPECT_EQ(m.body, "delayed-" + std::to_string(seq));
    EXPECT_EQ(m.tags(), "TagD");
    EXPECT_EQ(m.property(property::kKeys), "key-" + std::to_string(seq));
    EXPECT_EQ(id, ids[static_cast<size_t>(seq)]);  // msgId (UNIQ_KEY) kept
    EXPECT_FALSE(m.has_property(property::kDelayTimeLevel));
    const int64_t late = m.store_timestamp - (p.store_timestamp + kLevelMs[static_cast<size_t>(level - 1)]);
    EXPECT_GE(late, 0) << "delivered before due: " << id;
    lateness.push_back(late);
  }
  Percentiles p = percentiles(lateness);
  std::printf("delay-level lateness over %d messages (ms past due): min %lld p50 %lld p90 %lld p99 %lld max %lld\n",
              kN, static_cast<long long>(p.min), static_cast<long long>(p.p50), static_cast<long long>(p.p90),
              static_cast<long long>(p.p99), static_cast<long long>(p.max));
  EXPECT_LE(p.max, 100) << "a delayed message came more than 100 ms after its due time";
}

// A thousand messages of one level sent as fast as the producer goes (async): they fall due
// within a few hundred ms of each other and one task delivers them in order.
TEST_F(SdkDelayTest, ABurstOfOneLevelIsDeliveredOnTime) {
  start_broker();
  start_producer();
  raw_.create_topic(*broker_, "DelayBurst", 1);
  constexpr int kN = 1000;
  std::atomic<int> acked{0};
  for (int i = 0; i < kN; ++i) {
    Message m = make_message("DelayBurst", "TagB", "burst-" + std::to_string(i));
    set_delay_time_level(&m, 4);
    producer_->send_async(m, SendCallback{[&](const SendResult&) { ++acked; },
                                          [](const MQClientException& e) { ADD_FAILURE() << e.what(); }});
  }
  ASSERT_TRUE(wait_count("DelayBurst", kN, 30s)) << raw_.max_offset(*broker_, "DelayBurst", 0);
  EXPECT_EQ(acked.load(), kN);
  std::map<std::string, int64_t> parked_at;
  for (const auto& m : raw_.pull_all(*broker_, "SCHEDULE_TOPIC_XXXX", 3)) parked_at[uniq(m)] = m.store_timestamp;
  std::vector<int64_t> lateness;
  for (const auto& m : raw_.pull_all(*broker_, "DelayBurst", 0)) {
    ASSERT_TRUE(parked_at.count(uniq(m)));
    lateness.push_back(m.store_timestamp - parked_at[uniq(m)] - kLevelMs[3]);
  }
  ASSERT_EQ(lateness.size(), static_cast<size_t>(kN));
  Percentiles p = percentiles(lateness);
  std::printf("burst of %d at one level, lateness (ms past due): min %lld p50 %lld p90 %lld p99 %lld max %lld\n", kN,
              static_cast<long long>(p.min), static_cast<long long>(p.p50), static_cast<long long>(p.p90),
              static_cast<long long>(p.p99), static_cast<long long>(p.max));
  EXPECT_GE(p.min, 0);
  EXPECT_LE(p.max, 100) << "a delayed message came more than 100 ms after its due time";
}

TEST_F(SdkDelayTest, PushConsumerGetsDelayedMessagesAfterTheirLevel) {
  start_broker();
  start_producer();
  raw_.create_topic(*broker_, "DelayPush", 1);
  std::mutex mu;
  std::map<std::string, Clock::time_point> arrived;
  DefaultMQPushConsumer c("delay_push_group");
  c.set_namesrv_addr(broker_->namesrv());
  c.set_instance_name("delay_push");
  c.set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
  c.subscribe("DelayPush", "*");
  c.register_message_listener([&](const std::vector<MessageExt>& msgs) {
    std::lock_guard lock(mu);
    for (const auto& m : msgs) arrived.emplace(m.body, Clock::now());
    return ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
  });
  c.start();
  std::this_thread::sleep_for(500ms);  // the consumer holds its long poll
  std::map<std::string, Clock::time_point> sent;
  for (int level : {5, 1, 3}) {
    Message m = make_message("DelayPush", "TagP", "level-" + std::to_string(level));
    set_delay_time_level(&m, level);
    sent[m.body] = Clock::now();
    ASSERT_EQ(producer_->send(m).send_status, SendStatus::SEND_OK);
  }
  auto until = Clock::now() + 10s;
  while (Clock::now() < until) {
    {
      std::lock_guard lock(mu);
      if (arrived.size() == 3) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  c.shutdown();
  std::lock_guard lock(mu);
  ASSERT_EQ(arrived.size(), 3u);
  for (const auto& [body, at] : arrived) {
    int level = std::stoi(body.substr(6));
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(at - sent[body]).count();
    EXPECT_GE(waited, kLevelMs[static_cast<size_t>(level - 1)] - 5) << body;  // ms clock rounding
    EXPECT_LT(waited, kLevelMs[static_cast<size_t>(level - 1)] + 1000) << body;
  }
}

TEST_F(SdkDelayTest, DelayOffsetFileSurvivesARestart) {
  start_broker("flushDelayOffsetInterval=200\n");
  start_producer();
  raw_.create_topic(*broker_, "DelayRestart", 1);
  send_delayed("DelayRestart", 6, [](int i) { return i < 4 ? 1 : 2; });
  ASSERT_TRUE(wait_count("DelayRestart", 6, 10s));
  const std::string file = broker_->dir() + "/store/config/delayOffset.json";
  auto until = Clock::now() + 5s;
  while (Clock::now() < until && tern::testing::read_file(file) != R"({"offsetTable":{"1":4,"2":2}})") {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(tern::testing::read_file(file), R"({"offsetTable":{"1":4,"2":2}})");
  producer_->shutdown();
  producer_.reset();
  ASSERT_TRUE(broker_->stop());
  std::string error = broker_->start();
  ASSERT_TRUE(error.empty()) << error;
  start_producer();
  std::this_thread::sleep_for(1500ms);  // past every level: a repeat would have come
  EXPECT_EQ(raw_.max_offset(*broker_, "DelayRestart", 0), 6) << "delivered again after the restart";
  send_delayed("DelayRestart", 1, [](int) { return 1; });
  ASSERT_TRUE(wait_count("DelayRestart", 7, 10s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(raw_.max_offset(*broker_, "DelayRestart", 0), 7);
  EXPECT_EQ(raw_.max_offset(*broker_, "SCHEDULE_TOPIC_XXXX", 0), 5);
}

TEST_F(SdkDelayTest, SigkillWithAThousandPendingDeliversEachOnce) {
  // Longer levels so that every message is still parked when the sends end; the offset
  // file is written every 10 s (the default), so after the kill it is behind.
  broker_ = std::make_unique<Broker>("delay-broker",
                                     "autoCreateTopicEnable=false\nmessageDelayLevel=2500ms 3s 3500ms 4s\n");
  ASSERT_TRUE(broker_->start().empty());
  start_producer();
  raw_.create_topic(*broker_, "DelayCrash", 1);
  constexpr int kN = 1000;
  const auto t0 = Clock::now();
  std::atomic<int> acked{0};
  for (int i = 0; i < kN; ++i) {
    Message m = make_message("DelayCrash", "TagC", "crash-" + std::to_string(i));
    set_delay_time_level(&m, 1 + i % 4);
    producer_->send_async(m, SendCallback{[&](const SendResult&) { ++acked; },
                                          [](const MQClientException& e) { ADD_FAILURE() << e.what(); }});
  }
  auto until = Clock::now() + 20s;
  while (acked < kN && Clock::now() < until) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(acked.load(), kN);
  const auto sent_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  // Kill while level 1 is being delivered (its first messages are due 2.5 s after the start).
  std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(0, 2700 - sent_ms)));
  const int64_t before = raw_.max_offset(*broker_, "DelayCrash", 0);
  producer_->shutdown();
  producer_.reset();
  broker_->kill_now();
  std::printf("sent %d delayed messages in %lld ms; %lld delivered before SIGKILL\n", kN,
              static_cast<long long>(sent_ms), static_cast<long long>(before));
  ASSERT_LT(before, kN) << "everything was delivered before the kill: the test proves nothing";
  ASSERT_TRUE(broker_->start().empty());
  ASSERT_TRUE(wait_count("DelayCrash", kN, 30s)) << raw_.max_offset(*broker_, "DelayCrash", 0);
  std::this_thread::sleep_for(1000ms);  // anything repeated would come now
  std::map<std::string, int> count;
  for (const auto& m : raw_.pull_all(*broker_, "DelayCrash", 0)) ++count[m.body];
  int duplicates = 0;
  for (const auto& [body, n] : count) duplicates += n - 1;
  // The offset file was behind: the restart check found the deliveries made since its last write.
  const std::string log = tern::testing::read_file(broker_->dir() + "/logs/broker.log");
  const bool checked = log.find("past the saved offset were delivered before the last stop") != std::string::npos;
  std::printf("after the restart: %zu distinct of %d, %d duplicates (restart check %s)\n", count.size(), kN,
              duplicates, checked ? "skipped deliveries made before the kill" : "found nothing to skip");
  EXPECT_EQ(count.size(), static_cast<size_t>(kN));
  EXPECT_EQ(duplicates, 0);
}


// --- consumer retry and dead letters ---

// Level n waits kRetryLevelMs[n-1]; retries use levels 3, 4, 5, ...
const std::vector<int64_t> kRetryLevelMs{100, 150, 300, 400, 500, 600, 700, 800};
const char* kRetryLevels = "messageDelayLevel=100ms 150ms 300ms 400ms 500ms 600ms 700ms 800ms\n";
// A retry's gap (listener call to listener call) is its level's delay plus a send-back, a
// put, a dispatch, a long-poll wake-up and a pull: allowed up to this much more.
constexpr int64_t kGapTolerance = 250;

// Every call of a listener: when, and what it got.
struct Try {
  Clock::time_point at;
  MessageExt msg;
};
class Tries {
 public:
  void add(const MessageExt& m) {
    std::lock_guard lock(mu_);
    tries_.push_back(Try{Clock::now(), m});
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return tries_.size();
  }
  std::vector<Try> all() {
    std::lock_guard lock(mu_);
    return tries_;
  }
  bool wait(size_t n, std::chrono::milliseconds timeout) {
    auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      if (size() >= n) return true;
      std::this_thread::sleep_for(5ms);
    }
    return size() >= n;
  }

 private:
  std::mutex mu_;
  std::vector<Try> tries_;
};

class SdkRetryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = new Broker("retry-broker", std::string("autoCreateTopicEnable=false\n") + kRetryLevels);
    std::string error = broker_->start();
    ASSERT_TRUE(error.empty()) << error;
    raw_ = new Raw;
    producer_ = new DefaultMQProducer("retry_test_producer");
    producer_->set_namesrv_addr(broker_->namesrv());
    producer_->set_instance_name("retry_test_producer");
    producer_->start();
  }
  static void TearDownTestSuite() {
    producer_->shutdown();
    delete producer_;
    delete raw_;
    delete broker_;
  }
  static std::unique_ptr<DefaultMQPushConsumer> consumer(const Broker& broker, const std::string& group) {
    auto c = std::make_unique<DefaultMQPushConsumer>(group);
    c->set_namesrv_addr(broker.namesrv());
    c->set_instance_name(group);
    c->set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
    return c;
  }
  static SendResult send(DefaultMQProducer& producer, const std::string& topic, const std::string& body) {
    Message m = make_message(topic, "TagR", "key-" + body, body);
    m.set_property("color", "blue");
    return producer.send(m);
  }
  // The dead letters of `group`, once `count` are there (the broker's consume queue lags).
  static std::vector<MessageExt> dead_letters(Broker& broker, const std::string& group, size_t count) {
    auto until = Clock::now() + 10s;
    std::vector<MessageExt> got;
    while (Clock::now() < until) {
      if (raw_->max_offset(broker, "%DLQ%" + group, 0) >= static_cast<int64_t>(count)) {
        return raw_->pull_all(broker, "%DLQ%" + group, 0);
      }
      std::this_thread::sleep_for(20ms);
    }
    return got;
  }

  static Broker* broker_;
  static Raw* raw_;
  static DefaultMQProducer* producer_;
};
Broker* SdkRetryTest::broker_ = nullptr;
Raw* SdkRetryTest::raw_ = nullptr;
DefaultMQProducer* SdkRetryTest::producer_ = nullptr;

TEST_F(SdkRetryTest, FailedThreeTimesArrivesOnTheFourthTryAtLevelGaps) {
  raw_->create_topic(*broker_, "RetryFour", 1);
  Tries tries;
  auto c = consumer(*broker_, "retry_four");
  c->subscribe("RetryFour", "*");
  c->register_message_listener([&](const std::vector<MessageExt>& msgs) {
    tries.add(msgs[0]);
    return tries.size() <= 3 ? ConsumeConcurrentlyStatus::RECONSUME_LATER : ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
  });
  c->start();
  SendResult sent = send(*producer_, "RetryFour", "four");
  ASSERT_TRUE(tries.wait(4, 15s)) << tries.size();
  std::this_thread::sleep_for(1000ms);  // nothing more may come: the 4th try succeeded
  c->shutdown();
  auto all = tries.all();
  ASSERT_EQ(all.size(), 4u);
  for (size_t i = 0; i < all.size(); ++i) {
    const MessageExt& m = all[i].msg;
    EXPECT_EQ(m.reconsume_times, static_cast<int>(i)) << "try " << i + 1;
    EXPECT_EQ(m.topic, "RetryFour") << "try " << i + 1;
    EXPECT_EQ(uniq(m), sent.msg_id) << "try " << i + 1;
    EXPECT_EQ(m.property(property::kKeys), "key-four");
    EXPECT_EQ(m.tags(), "TagR");
    EXPECT_EQ(m.property("color"), "blue");
    EXPECT_EQ(m.body, "four");
  }
  std::string gaps;
  for (size_t i = 1; i < all.size(); ++i) {
    const int64_t gap = std::chrono::duration_cast<std::chrono::milliseconds>(all[i].at - all[i - 1].at).count();
    const int64_t level_ms = kRetryLevelMs[i + 1];  // tries 2, 3, 4 come after levels 3, 4, 5
    gaps += (gaps.empty() ? "" : ", ") + std::to_string(gap) + " ms (level " + std::to_string(i + 2) + ": " +
            std::to_string(level_ms) + " ms)";
    EXPECT_GE(gap, level_ms - 5) << "try " << i + 1 << " came before its level was due";
    EXPECT_LE(gap, level_ms + kGapTolerance) << "try " << i + 1;
  }
  std::printf("gaps between tries: %s\n", gaps.c_str());
}

TEST_F(SdkRetryTest, AfterMaxReconsumeTimesTheMessageIsADeadLetter) {
  raw_->create_topic(*broker_, "RetryDlq", 1);
  Tries tries;
  auto c = consumer(*broker_, "retry_dlq");
  c->set_max_reconsume_times(3);
  c->subscribe("RetryDlq", "*");
  c->register_message_listener([&](const std::vector<MessageExt>& msgs) {
    tries.add(msgs[0]);
    return ConsumeConcurrentlyStatus::RECONSUME_LATER;
  });
  c->start();
  SendResult sent = send(*producer_, "RetryDlq", "dead");
  auto dlq = dead_letters(*broker_, "retry_dlq", 1);
  std::this_thread::sleep_for(1000ms);
  c->shutdown();
  EXPECT_EQ(tries.size(), 4u);  // the first try and 3 retries
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(uniq(dlq[0]), sent.msg_id);
  EXPECT_EQ(dlq[0].property(property::kRetryTopic), "RetryDlq");
  EXPECT_EQ(dlq[0].property(property::kKeys), "key-dead");
  EXPECT_EQ(dlq[0].reconsume_times, 4);
  EXPECT_EQ(dlq[0].body, "dead");
  EXPECT_FALSE(dlq[0].has_property(property::kDelayTimeLevel));
}

TEST_F(SdkRetryTest, TheContextChoosesTheLevelAndMinusOneMeansDeadLetter) {
  raw_->create_topic(*broker_, "RetryContext", 1);
  Tries tries;
  auto c = consumer(*broker_, "retry_context");
  c->subscribe("RetryContext", "*");
  c->register_message_listener([&](const std::vector<MessageExt>& msgs, ConsumeConcurrentlyContext& context) {
    tries.add(msgs[0]);
    EXPECT_EQ(context.message_queue.topic, msgs[0].reconsume_times == 0 ? "RetryContext" : "%RETRY%retry_context");
    context.delay_level_when_next_consume = msgs[0].reconsume_times == 0 ? 1 : -1;
    return ConsumeConcurrentlyStatus::RECONSUME_LATER;
  });
  c->start();
  send(*producer_, "RetryContext", "ctx");
  auto dlq = dead_letters(*broker_, "retry_context", 1);
  std::this_thread::sleep_for(500ms);
  c->shutdown();
  auto all = tries.all();
  ASSERT_EQ(all.size(), 2u);
  const int64_t gap = std::chrono::duration_cast<std::chrono::milliseconds>(all[1].at - all[0].at).count();
  EXPECT_GE(gap, kRetryLevelMs[0] - 5);
  EXPECT_LE(gap, kRetryLevelMs[0] + kGapTolerance);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].reconsume_times, 2);
}

TEST_F(SdkRetryTest, BroadcastingConsumersDoNotRetry) {
  raw_->create_topic(*broker_, "RetryBroadcast", 1);
  TempDir offsets;
  Tries tries;
  auto c = consumer(*broker_, "retry_broadcast");
  c->set_message_model(MessageModel::BROADCASTING);
  c->set_local_offset_store_dir(offsets.path());
  c->subscribe("RetryBroadcast", "*");
  c->register_message_listener([&](const std::vector<MessageExt>& msgs) {
    tries.add(msgs[0]);
    return ConsumeConcurrentlyStatus::RECONSUME_LATER;
  });
  c->start();
  send(*producer_, "RetryBroadcast", "once");
  ASSERT_TRUE(tries.wait(1, 10s));
  std::this_thread::sleep_for(1000ms);  // level 3 is 300 ms: a retry would have come
  c->shutdown();
  EXPECT_EQ(tries.size(), 1u);
  EXPECT_LE(raw_->max_offset(*broker_, "%RETRY%retry_broadcast", 0), 0);
}

TEST_F(SdkRetryTest, AnOrderlyConsumerMovesAStuckMessageToTheDlqAndGoesOn) {
  raw_->create_topic(*broker_, "RetryOrderly", 1);
  Tries tries;
  auto c = consumer(*broker_, "retry_orderly");
  c->set_max_reconsume_times(2);
  c->subscribe("RetryOrderly", "*");
  c->register_message_listener([&](const std::vector<MessageExt>& msgs) {
    tries.add(msgs[0]);
    return msgs[0].body == "stuck" ? ConsumeOrderlyStatus::SUSPEND_CURRENT_QUEUE_A_MOMENT
                                   : ConsumeOrderlyStatus::SUCCESS;
  });
  send(*producer_, "RetryOrderly", "stuck");
  send(*producer_, "RetryOrderly", "next");
  c->start();
  ASSERT_TRUE(tries.wait(4, 15s)) << tries.size();
  auto dlq = dead_letters(*broker_, "retry_orderly", 1);
  c->shutdown();
  auto all = tries.all();
  std::vector<std::string> order;
  for (const auto& t : all) order.push_back(t.msg.body + "/" + std::to_string(t.msg.reconsume_times));
  EXPECT_EQ(order, (std::vector<std::string>{"stuck/0", "stuck/1", "stuck/2", "next/0"}));
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].body, "stuck");
}

// RocketMQ's default 16 retries, with every level at 10 ms.
TEST(SdkRetryDefault, SixteenRetriesThenTheDlq) {
  Broker broker("retry16-broker", "autoCreateTopicEnable=false\nmessageDelayLevel=" + [] {
    std::string levels;
    for (int i = 0; i < 18; ++i) levels += "10ms ";
    return levels;
  }() + "\n");
  ASSERT_TRUE(broker.start().empty());
  Raw raw;
  raw.create_topic(broker, "RetrySixteen", 1);
  DefaultMQProducer producer("retry16_producer");
  producer.set_namesrv_addr(broker.namesrv());
  producer.set_instance_name("retry16_producer");
  producer.start();
  Tries tries;
  DefaultMQPushConsumer c("retry_sixteen");
  c.set_namesrv_addr(broker.namesrv());
  c.set_instance_name("retry_sixteen");
  c.set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
  c.subscribe("RetrySixteen", "*");
  c.register_message_listener([&](const std::vector<MessageExt>& msgs) {
    tries.add(msgs[0]);
    return ConsumeConcurrentlyStatus::RECONSUME_LATER;
  });
  c.start();
  const auto t0 = Clock::now();
  ASSERT_EQ(producer.send(make_message("RetrySixteen", "T", "sixteen")).send_status, SendStatus::SEND_OK);
  auto until = Clock::now() + 30s;
  while (raw.max_offset(broker, "%DLQ%retry_sixteen", 0) < 1 && Clock::now() < until) std::this_thread::sleep_for(10ms);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  std::this_thread::sleep_for(300ms);
  c.shutdown();
  producer.shutdown();
  auto dlq = raw.pull_all(broker, "%DLQ%retry_sixteen", 0);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].reconsume_times, 17);
  EXPECT_EQ(tries.size(), 17u);  // the first try and 16 retries
  auto all = tries.all();
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].msg.reconsume_times, static_cast<int>(i));
  std::printf("17 tries and the DLQ in %lld ms\n", static_cast<long long>(took));
}

// The wire: CONSUMER_SEND_MSG_BACK's errors, and a client's own %RETRY% send.
TEST_F(SdkRetryTest, SendBackOnTheWire) {
  namespace rc = remoting::request_code;
  auto r = raw_->call(broker_->address(), rc::kConsumerSendMsgBack,
                      {{"offset", "999999999"}, {"group", "wire_group"}, {"delayLevel", "0"}});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.remark.value_or("").find("look message by offset failed, 999999999"), std::string::npos)
      << r.remark.value_or("");
  r = raw_->call(broker_->address(), rc::kConsumerSendMsgBack, {{"offset", "0"}, {"delayLevel", "0"}});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.remark.value_or("").find("'group'"), std::string::npos) << r.remark.value_or("");

  // A client's fallback send to %RETRY%: stored there, or in the DLQ once its count is up.
  raw_->create_topic(*broker_, "WireRetry", 1);
  auto send_retry = [&](int reconsume_times) {
    return raw_->call(broker_->address(), rc::kSendMessage,
                      {{"producerGroup", "p"}, {"topic", "%RETRY%wire_group"}, {"defaultTopic", "TBW102"},
                       {"defaultTopicQueueNums", "4"}, {"queueId", "0"}, {"sysFlag", "0"},
                       {"bornTimestamp", "0"}, {"flag", "0"},
                       {"properties", std::string("UNIQ_KEY\x01wire-") + std::to_string(reconsume_times) + "\x02"},
                       {"reconsumeTimes", std::to_string(reconsume_times)}, {"maxReconsumeTimes", "5"}});
  };
  EXPECT_EQ(send_retry(2).code, 0);
  EXPECT_EQ(send_retry(5).code, 0);
  auto dlq = dead_letters(*broker_, "wire_group", 1);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(uniq(dlq[0]), "wire-5");
  EXPECT_EQ(raw_->max_offset(*broker_, "%RETRY%wire_group", 0), 1);

  // An unknown group where groups are not auto-created: SUBSCRIPTION_GROUP_NOT_EXIST.
  Broker strict("strict-broker", "autoCreateSubscriptionGroup=false\n");
  ASSERT_TRUE(strict.start().empty());
  r = raw_->call(strict.address(), rc::kConsumerSendMsgBack,
                 {{"offset", "0"}, {"group", "nobody"}, {"delayLevel", "0"}});
  EXPECT_EQ(r.code, 26);
  EXPECT_NE(r.remark.value_or("").find("subscription group not exist, nobody"), std::string::npos);
}

}  // namespace
}  // namespace tern::client
