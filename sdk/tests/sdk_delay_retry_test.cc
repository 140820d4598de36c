// Delay levels, consumer retry and dead letters against a real `mqbroker --standalone`
// (messageDelayLevel shortened through its config):
//   - a delayed message waits in SCHEDULE_TOPIC_XXXX and reaches its topic when its level
//     is due, with its keys, tags, properties and msgId; the lateness past the due time
//     (delivered copy's store time - parked copy's store time - the level's delay) is
//     measured and printed, and stays under 100 ms;
//   - delayOffset.json holds each level's progress and a graceful restart repeats nothing;
//   - SIGKILL with 1,000 delayed messages pending: after the restart every one arrives,
//     and none twice.
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

#include "broker_harness.h"
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

}  // namespace
}  // namespace tern::client
