// Timer messages end to end: the SDK's set_deliver_time_ms / set_delay_time_ms /
// set_delay_time_sec against a real `mqbroker --standalone`, consumed by the SDK's push
// consumer:
//   - mixed delays of 0.2-3 s arrive within 100 ms of their due time, never before, with
//     their keys, tag and msgId (lateness percentiles are printed: docs/PERFORMANCE.md);
//   - a time in the past delivers at once; one beyond timerMaxDelaySec is refused with
//     MESSAGE_ILLEGAL naming the limit; a bad value is refused naming it;
//   - 1,000 timed messages survive SIGKILL twice, once with all of them pending and once in
//     the middle of their delivery: every one is delivered after the restarts (duplicates
//     are counted and printed), none before its time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
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
using test_harness::Broker;
using test_harness::Clock;
using test_harness::Raw;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t property_ms(const MessageExt& m, std::string_view name) {
  std::string_view v = m.property(name);
  return v.empty() ? -1 : std::stoll(std::string(v));
}

// The p-th percentile (nearest rank, 1..100) of `v`, sorted in place.
int64_t percentile(std::vector<int64_t>& v, int p) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return -1;
  size_t rank = (v.size() * static_cast<size_t>(p) + 99) / 100;  // ceil(p% of n)
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

// The broker's kTimerBatch: the most a crash can make it deliver twice.
constexpr int kOneDeliveryBatch = 512;

// What a consumer got: each message with the wall time its listener saw it.
class Arrivals {
 public:
  MessageListenerConcurrently listener() {
    return [this](const std::vector<MessageExt>& msgs) {
      int64_t now = wall_ms();
      std::lock_guard lock(mu_);
      for (const auto& m : msgs) got_.push_back({m, now});
      return ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
    };
  }
  struct Arrival {
    MessageExt message;
    int64_t received_ms;
  };
  std::vector<Arrival> all() {
    std::lock_guard lock(mu_);
    return got_;
  }
  size_t distinct_with_prefix(const std::string& prefix) {
    std::lock_guard lock(mu_);
    std::set<std::string> bodies;
    for (const auto& a : got_) {
      if (a.message.body.rfind(prefix, 0) == 0) bodies.insert(a.message.body);
    }
    return bodies.size();
  }
  bool wait_distinct(const std::string& prefix, size_t n, std::chrono::milliseconds timeout) {
    auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      if (distinct_with_prefix(prefix) >= n) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

 private:
  std::mutex mu_;
  std::vector<Arrival> got_;
};

class SdkTimerTest : public test_harness::BrokerSuite {
 protected:
  static void SetUpTestSuite() { start_suite("autoCreateTopicEnable=false\n", "sdk_timer_test_producer"); }
  static void TearDownTestSuite() { stop_suite(); }
};

TEST_F(SdkTimerTest, MixedDelaysArriveWithin100MsOfDue) {
  constexpr int kQueues = 4;
  raw_->create_topic(*broker_, "SdkTimerDue", kQueues);
  Arrivals got;
  DefaultMQPushConsumer consumer("sdk_timer_due");
  consumer.set_namesrv_addr(broker_->namesrv());
  consumer.set_instance_name("sdk_timer_due");
  consumer.set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
  consumer.subscribe("SdkTimerDue", "*");
  consumer.register_message_listener(got.listener());
  consumer.start();
  // One plain message per queue: once they are in, every queue has a pull parked.
  for (int i = 0; i < kQueues; ++i) producer_->send(make_message("SdkTimerDue", "Warm", "warm-" + std::to_string(i)));
  ASSERT_TRUE(got.wait_distinct("warm-", kQueues, 20s));

  // 60 messages, 0.2-3 s ahead, each way of asking: absolute, ms, s.
  constexpr int kN = 60;
  std::map<std::string, std::pair<int64_t, int64_t>> window;  // body -> earliest, latest acceptable due time
  std::map<std::string, SendResult> sent;
  for (int i = 0; i < kN; ++i) {
    std::string body = "due-" + std::to_string(i);
    Message m = make_message("SdkTimerDue", "TagT", "key-" + std::to_string(i) + " second", body);
    int64_t delay = 200 + (i * 2800) / (kN - 1);  // 200..3000 ms
    int64_t before = wall_ms();
    switch (i % 3) {
      case 0: set_deliver_time_ms(&m, before + delay); break;
      case 1: set_delay_time_ms(&m, delay); break;
      default: delay = 1000 * (1 + (i / 3) % 3); set_delay_time_sec(&m, delay / 1000); break;
    }
    SendResult r = producer_->send(m);
    ASSERT_EQ(r.send_status, SendStatus::SEND_OK);
    window[body] = {before + delay, (i % 3 == 0 ? before : wall_ms()) + delay};
    sent[body] = r;
  }
  ASSERT_TRUE(got.wait_distinct("due-", kN, 15s)) << got.distinct_with_prefix("due-") << " of " << kN;
  consumer.shutdown();

  std::vector<int64_t> lateness, broker_lateness;
  int duplicates = 0;
  std::set<std::string> seen;
  for (const auto& a : got.all()) {
    const MessageExt& m = a.message;
    if (m.body.rfind("due-", 0) != 0) continue;
    if (!seen.insert(m.body).second) {
      ++duplicates;
      continue;
    }
    int64_t due = property_ms(m, property::kTimerOutMs);
    auto [earliest, latest] = window[m.body];
    EXPECT_GE(due, earliest) << m.body;
    EXPECT_LE(due, latest + 5) << m.body;  // the broker's clock read a little later
    EXPECT_GE(m.store_timestamp, due) << m.body << ": delivered before its time";
    EXPECT_GE(a.received_ms, due) << m.body;
    lateness.push_back(a.received_ms - due);
    broker_lateness.push_back(m.store_timestamp - due);
    // The message is the one sent: its id, keys, tag, topic and queue.
    const SendResult& r = sent[m.body];
    EXPECT_EQ(uniq_msg_id(m), r.msg_id);
    EXPECT_EQ(m.property(property::kKeys), "key-" + m.body.substr(4) + " second");
    EXPECT_EQ(m.tags(), "TagT");
    EXPECT_EQ(m.topic, "SdkTimerDue");
    EXPECT_EQ(m.property(property::kRealTopic), "SdkTimerDue");
    EXPECT_GE(property_ms(m, property::kTimerDequeueMs), due);
  }
  EXPECT_EQ(duplicates, 0);
  ASSERT_EQ(lateness.size(), static_cast<size_t>(kN));
  int64_t p50 = percentile(lateness, 50), p90 = percentile(lateness, 90), p99 = percentile(lateness, 99),
          max = lateness.back();
  int64_t broker_p50 = percentile(broker_lateness, 50), broker_max = broker_lateness.back();
  std::printf("[timer lateness] %d messages, due 0.2-3 s ahead: consumer-seen lateness p50 %lld ms, p90 %lld ms, "
              "p99 %lld ms, max %lld ms; broker re-put lateness p50 %lld ms, max %lld ms\n",
              kN, static_cast<long long>(p50), static_cast<long long>(p90), static_cast<long long>(p99),
              static_cast<long long>(max), static_cast<long long>(broker_p50), static_cast<long long>(broker_max));
  EXPECT_LE(max, 100) << "a message arrived more than 100 ms after its due time";
}

TEST_F(SdkTimerTest, PastTimeDeliversAtOnceAndOverHorizonIsRefused) {
  raw_->create_topic(*broker_, "SdkTimerEdge", 1);
  Message past = make_message("SdkTimerEdge", "TagP", "past");
  set_deliver_time_ms(&past, wall_ms() - 60'000);
  ASSERT_EQ(producer_->send(past).send_status, SendStatus::SEND_OK);
  ASSERT_TRUE(raw_->wait_total(*broker_, "SdkTimerEdge", 1, 1));  // straight into its queue
  auto msgs = raw_->pull_all(*broker_, "SdkTimerEdge", 0);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].body, "past");
  EXPECT_FALSE(msgs[0].has_property(property::kTimerOutMs));  // never parked

  Message far = make_message("SdkTimerEdge", "TagF", "far");
  set_delay_time_sec(&far, 8 * 86400);
  try {
    producer_->send(far);
    ADD_FAILURE() << "a send 8 days ahead was accepted";
  } catch (const MQBrokerException& e) {
    EXPECT_EQ(e.code(), 13);  // MESSAGE_ILLEGAL, as RocketMQ 5 answers WHEEL_TIMER_MSG_ILLEGAL
    EXPECT_NE(e.remark().find("timerMaxDelaySec"), std::string::npos) << e.remark();
    EXPECT_NE(e.remark().find("TIMER_DELAY_SEC=691200"), std::string::npos) << e.remark();
  }
  Message bad = make_message("SdkTimerEdge", "TagB", "bad");
  bad.set_property(property::kTimerDeliverMs, "tomorrow");
  try {
    producer_->send(bad);
    ADD_FAILURE() << "a send with TIMER_DELIVER_MS=tomorrow was accepted";
  } catch (const MQBrokerException& e) {
    EXPECT_EQ(e.code(), 13);
    EXPECT_NE(e.remark().find("TIMER_DELIVER_MS=tomorrow is not a whole number"), std::string::npos) << e.remark();
  }
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(raw_->max_offset(*broker_, "SdkTimerEdge", 0), 1);  // neither was stored
}

// Sends 1,000 timed messages from 4 threads; returns once every send is acknowledged.
void send_thousand(DefaultMQProducer& producer, const std::string& topic, int64_t first_due_ms, int64_t spread_ms) {
  constexpr int kN = 1000;
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < kN; i = next++) {
        Message m = make_message(topic, "TagK", "k-" + std::to_string(i), "crash-" + std::to_string(i));
        set_deliver_time_ms(&m, first_due_ms + (i * spread_ms) / kN);
        try {
          if (producer.send(m).send_status != SendStatus::SEND_OK) ++failed;
        } catch (const MQClientException& e) {
          ++failed;
          std::fprintf(stderr, "send %d: %s\n", i, e.what());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failed.load(), 0);
}

TEST(SdkTimerCrashTest, ThousandPendingSurviveSigkillAndAreAllDelivered) {
  constexpr int kN = 1000;
  constexpr int kQueues = 4;
  const std::string topic = "SdkTimerCrash";
  Broker broker("sdk-timer-crash", "autoCreateTopicEnable=false\nflushConsumerOffsetInterval=200\n");
  ASSERT_EQ(broker.start(), "");
  int64_t base = wall_ms();
  {
    Raw raw;
    raw.create_topic(broker, topic, kQueues);
    DefaultMQProducer producer("sdk_timer_crash_producer");
    producer.set_namesrv_addr(broker.namesrv());
    producer.set_instance_name("sdk_timer_crash_producer");
    producer.start();
    // Due from base + 6 s to base + 8 s: after the first kill and restart, during the second.
    send_thousand(producer, topic, base + 6000, 2000);
    producer.shutdown();
    int64_t total = 0;
    for (int q = 0; q < kQueues; ++q) total += raw.max_offset(broker, topic, q);
    ASSERT_EQ(total, 0) << "delivered before their time";
  }
  std::printf("[timer crash] 1000 sent and acknowledged %lld ms after the start\n",
              static_cast<long long>(wall_ms() - base));
  ASSERT_LT(wall_ms() - base, 5000) << "sending took too long for this test's timing";

  // Kill 1: every message pending.
  broker.kill_now();
  auto restart = [&broker](const char* what) {
    auto started = Clock::now();
    std::string error = broker.start();
    ASSERT_EQ(error, "");
    std::printf("[timer crash] %s: restarted in %lld ms\n", what,
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started)
                                           .count()));
  };
  restart("SIGKILL with 1000 pending");

  // Kill 2: half way through their delivery.
  while (wall_ms() < base + 7000) std::this_thread::sleep_for(5ms);
  int64_t before_kill = 0;
  {
    Raw raw;
    for (int q = 0; q < kQueues; ++q) before_kill += raw.max_offset(broker, topic, q);
  }
  broker.kill_now();
  restart("SIGKILL during delivery");
  std::printf("[timer crash] about %lld of 1000 were delivered at the second kill\n",
              static_cast<long long>(before_kill));

  Raw raw;
  std::map<std::string, int> count;
  std::vector<MessageExt> all;
  auto until = Clock::now() + 20s;
  while (Clock::now() < until) {
    all = raw.pull_topic(broker, topic, kQueues);
    count.clear();
    for (const auto& m : all) ++count[m.body];
    if (count.size() >= static_cast<size_t>(kN)) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(count.size(), static_cast<size_t>(kN)) << "messages lost across SIGKILL";
  std::this_thread::sleep_for(500ms);  // late duplicates, if any, show up in the count
  all = raw.pull_topic(broker, topic, kQueues);
  int duplicates = static_cast<int>(all.size()) - kN;
  for (const auto& m : all) {
    int64_t due = property_ms(m, property::kTimerOutMs);
    EXPECT_GE(m.store_timestamp, due) << m.body << " delivered before its time";
    EXPECT_EQ(m.tags(), "TagK");
  }
  std::printf("[timer crash] all %d delivered after two SIGKILLs; duplicates: %d\n", kN, duplicates);
  EXPECT_LE(duplicates, kOneDeliveryBatch) << "more repeats than one delivery batch";
}

}  // namespace
}  // namespace tern::client
