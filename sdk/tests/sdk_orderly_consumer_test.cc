// Orderly consumption under the brokers' queue locks (LOCK/UNLOCK_BATCH_MQ), end to end:
// SDK orderly push consumers against a real `mqbroker --standalone` whose locks expire
// after 3 s (rebalanceLockMaxLiveTime=3000; members renew every second).
//   (a) members of one group come and go while ordered sends stream in: no two consume
//       calls of one queue ever overlap in time, whichever members made them, and each
//       queue is processed in send order with no replay;
//   (b) ordered sends by key (MessageQueueSelector by hash) while a second member joins
//       and leaves: per key in order, nothing lost;
//   (c) a member that dies (a child process killed with SIGKILL: no unlock) keeps its
//       queues until the broker's lock expires; the survivor takes them then, and replays
//       at most a suffix of what the dead member had processed;
//   (d) a lock not renewed within the client-side lifetime (the broker frozen) stops new
//       batches until the broker renews it.
//
// What "in order" means here, per queue (check_queue_order): sort the queue's consume
// calls by start time and read their offsets in that order. The first offset is 0 (the
// group starts at the first message); every next offset is the previous one plus 1,
// except at the first message of a call made by another member than the call before it
// (a hand-over), where it may go back: the new owner starts at the offset the old one
// committed, which is at most one past the last it processed; going back there replays a
// suffix of what was processed, in order. A gap (skipping an offset) is never allowed, and
// in the end every sent offset was processed. With graceful hand-overs (a rebalance
// releases a queue after its batch in progress and persists its offset before unlocking;
// shutdown persists before it unlocks) there is no replay at all, and (a) and (b) assert
// that; (c) allows the suffix, as the dead member's last offsets may not have been
// persisted.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sdk_test_harness.h"
#include "child_process.h"
#include "tern/client/message_queue_selector.h"
#include "tern/client/producer.h"
#include "tern/client/push_consumer.h"

namespace tern::client {
namespace {

using namespace std::chrono_literals;
using tern::testing::ChildProcess;
using test_harness::Broker;
using test_harness::Raw;
using Clock = std::chrono::steady_clock;

const std::string kMember = TERN_ORDERLY_MEMBER;
const std::string kBrokerName = "orderly-broker";
constexpr int kQueues = 4;
constexpr auto kLockExpiry = 3000ms;    // the broker's rebalanceLockMaxLiveTime below
constexpr auto kLockInterval = 1000ms;  // members renew their locks this often

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// One call of an orderly listener.
struct ConsumeCall {
  std::string member;
  int queue = 0;
  std::vector<int64_t> offsets;
  std::vector<std::string> bodies;  // empty for calls read from a child's output
  int64_t start_ns = 0, end_ns = 0;
};

// Every consume call of every member, and listeners that record them.
class Journal {
 public:
  // A listener that works `work` per call and records it.
  MessageListenerOrderly listener(const std::string& member, std::chrono::milliseconds work) {
    return [this, member, work](const std::vector<MessageExt>& msgs) {
      ConsumeCall c;
      c.member = member;
      c.queue = msgs.front().queue_id;
      c.start_ns = steady_ns();
      for (const auto& m : msgs) {
        c.offsets.push_back(m.queue_offset);
        c.bodies.push_back(m.body);
      }
      std::this_thread::sleep_for(work);
      c.end_ns = steady_ns();
      add(std::move(c));
      return ConsumeOrderlyStatus::SUCCESS;
    };
  }
  void add(ConsumeCall c) {
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(c));
  }
  std::vector<ConsumeCall> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Distinct (queue, offset) processed.
  size_t distinct() {
    std::lock_guard lock(mu_);
    std::set<std::pair<int, int64_t>> seen;
    for (const auto& c : calls_) {
      for (int64_t o : c.offsets) seen.insert({c.queue, o});
    }
    return seen.size();
  }
  bool wait_distinct(size_t n, std::chrono::milliseconds timeout) {
    auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      if (distinct() >= n) return true;
      std::this_thread::sleep_for(20ms);
    }
    return distinct() >= n;
  }
  // Queues `member` processed something of since `since_ns`.
  std::set<int> queues_of(const std::string& member, int64_t since_ns) {
    std::lock_guard lock(mu_);
    std::set<int> out;
    for (const auto& c : calls_) {
      if (c.member == member && c.start_ns >= since_ns) out.insert(c.queue);
    }
    return out;
  }
  // Waits until `member` processed messages of `n` queues since `since_ns`; its queues.
  std::set<int> wait_queues_of(const std::string& member, int64_t since_ns, size_t n,
                               std::chrono::milliseconds timeout = 10s) {
    auto until = Clock::now() + timeout;
    std::set<int> got = queues_of(member, since_ns);
    while (got.size() < n && Clock::now() < until) {
      std::this_thread::sleep_for(50ms);
      got = queues_of(member, since_ns);
    }
    return got;
  }

 private:
  std::mutex mu_;
  std::vector<ConsumeCall> calls_;
};

std::string describe(const ConsumeCall& c) {
  std::ostringstream out;
  out << c.member << " q" << c.queue << " [" << c.offsets.front() << ".." << c.offsets.back() << "] "
      << c.start_ns / 1000000 << ".." << c.end_ns / 1000000 << " ms";
  return out.str();
}

std::map<int, std::vector<ConsumeCall>> by_queue_in_start_order(std::vector<ConsumeCall> calls) {
  std::map<int, std::vector<ConsumeCall>> out;
  std::sort(calls.begin(), calls.end(), [](const auto& a, const auto& b) { return a.start_ns < b.start_ns; });
  for (auto& c : calls) out[c.queue].push_back(std::move(c));
  return out;
}

// No two calls of one queue overlap: in start order, each starts after every earlier
// call of the queue ended (members included: that is what the broker lock is for).
// Returns the number of hand-overs seen (consecutive calls by different members).
int expect_no_overlap(const std::vector<ConsumeCall>& calls) {
  int handovers = 0;
  for (const auto& [queue, qcalls] : by_queue_in_start_order(calls)) {
    const ConsumeCall* latest_end = nullptr;
    for (size_t i = 0; i < qcalls.size(); ++i) {
      const ConsumeCall& c = qcalls[i];
      if (latest_end != nullptr) {
        EXPECT_GE(c.start_ns, latest_end->end_ns)
            << "queue " << queue << ": " << describe(c) << " started while " << describe(*latest_end) << " ran";
      }
      if (i > 0 && qcalls[i - 1].member != c.member) ++handovers;
      if (latest_end == nullptr || c.end_ns > latest_end->end_ns) latest_end = &c;
    }
  }
  return handovers;
}

// The order rule at the top of the file, for every queue; `sent` is the number of
// messages sent to each queue. Returns the number of replayed messages.
int64_t check_queue_order(const std::vector<ConsumeCall>& calls, const std::map<int, int64_t>& sent) {
  int64_t replayed = 0;
  auto queues = by_queue_in_start_order(calls);
  for (const auto& [queue, count] : sent) {
    int64_t next = 0, high = -1;
    const std::string* previous_member = nullptr;
    for (const ConsumeCall& c : queues[queue]) {
      for (size_t i = 0; i < c.offsets.size(); ++i) {
        const int64_t o = c.offsets[i];
        const bool handover = i == 0 && previous_member != nullptr && *previous_member != c.member;
        if (o != next) {
          EXPECT_TRUE(handover && o < next)
              << "queue " << queue << ": offset " << o << " processed after " << next - 1 << " in " << describe(c)
              << (o > next ? " (a gap)" : " (went back, not at a hand-over)");
          if (!(handover && o < next)) return replayed;  // one failure per run says it
          replayed += high - o + 1;
        }
        next = o + 1;
        high = std::max(high, o);
      }
      previous_member = &c.member;
    }
    EXPECT_EQ(high + 1, count) << "queue " << queue << ": processed up to offset " << high << " of " << count
                               << " sent";
  }
  return replayed;
}

// Sends messages one after another until stopped, on its own thread; counts per queue.
class OrderedSender {
 public:
  using SendOne = std::function<SendResult(int64_t n)>;
  OrderedSender(SendOne send, std::chrono::milliseconds period)
      : send_(std::move(send)), period_(period), thread_([this] { run(); }) {}
  ~OrderedSender() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::map<int, int64_t> per_queue() {
    std::lock_guard lock(mu_);
    return per_queue_;
  }
  int64_t total() {
    std::lock_guard lock(mu_);
    int64_t n = 0;
    for (const auto& [q, c] : per_queue_) n += c;
    return n;
  }
  std::string error() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  void run() {
    for (int64_t n = 0; !stop_; ++n) {
      try {
        SendResult r = send_(n);
        std::lock_guard lock(mu_);
        ++per_queue_[r.message_queue.queue_id];
      } catch (const std::exception& e) {
        std::lock_guard lock(mu_);
        error_ = e.what();
        return;
      }
      std::this_thread::sleep_for(period_);
    }
  }
  SendOne send_;
  std::chrono::milliseconds period_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::map<int, int64_t> per_queue_;
  std::string error_;
  std::thread thread_;  // last: starts once the members above exist
};

// Stops `sender` and waits until `journal` holds every message it sent; their count.
int64_t stop_and_drain(OrderedSender& sender, Journal& journal) {
  sender.stop();
  EXPECT_EQ(sender.error(), "");
  const int64_t total = sender.total();
  EXPECT_TRUE(journal.wait_distinct(static_cast<size_t>(total), 10s))
      << "processed " << journal.distinct() << " of " << total;
  return total;
}

class SdkOrderlyConsumerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = new Broker(kBrokerName, "autoCreateTopicEnable=false\nrebalanceLockMaxLiveTime=" +
                                          std::to_string(kLockExpiry.count()) + "\n");
    std::string error = broker_->start();
    ASSERT_TRUE(error.empty()) << error;
    raw_ = new Raw;
    producer_ = new DefaultMQProducer("sdk_orderly_test_producer");
    producer_->set_namesrv_addr(broker_->namesrv());
    producer_->set_instance_name("sdk_orderly_test_producer");
    producer_->start();
  }
  static void TearDownTestSuite() {
    producer_->shutdown();
    delete producer_;
    delete raw_;
    delete broker_;
  }

  // An orderly member: one rebalance and one lock renewal a second, a listener that
  // works `work` per call.
  std::unique_ptr<DefaultMQPushConsumer> member(const std::string& group, const std::string& topic,
                                                const std::string& instance, Journal& journal,
                                                std::chrono::milliseconds work) {
    auto c = std::make_unique<DefaultMQPushConsumer>(group);
    c->set_namesrv_addr(broker_->namesrv());
    c->set_instance_name(instance);
    c->set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
    c->set_consume_thread_max(4);
    c->set_rebalance_interval(1000ms);
    c->set_rebalance_lock_interval(kLockInterval);
    c->subscribe(topic, "*");
    c->register_message_listener(journal.listener(instance, work));
    return c;
  }

  // Round robin over the topic's queues, bodies "q<queue>-<n>".
  static OrderedSender::SendOne round_robin(const std::string& topic) {
    return [topic](int64_t n) {
      const int q = static_cast<int>(n % kQueues);
      return producer_->send(make_message(topic, "TagA", "q" + std::to_string(q) + "-" + std::to_string(n / kQueues)),
                             MessageQueue{topic, kBrokerName, q});
    };
  }

  static Broker* broker_;
  static Raw* raw_;
  static DefaultMQProducer* producer_;
};
Broker* SdkOrderlyConsumerTest::broker_ = nullptr;
Raw* SdkOrderlyConsumerTest::raw_ = nullptr;
DefaultMQProducer* SdkOrderlyConsumerTest::producer_ = nullptr;

// (a) Members a and b, then b leaves, c joins, a leaves: four hand-over phases (eight
// queue moves), each while messages stream in and the listener works 25 ms per call, so a
// batch is in progress at most hand-overs: without the queue locks the new owner's first
// call overlaps the old owner's last, and it replays what the old owner had not persisted.
TEST_F(SdkOrderlyConsumerTest, TwoMembersNeverConsumeOneQueueAtOnceWhileMembersComeAndGo) {
  const std::string topic = "SdkOrderlyComeGo";
  const std::string group = "sdk_orderly_come_go";
  raw_->create_topic(*broker_, topic, kQueues);
  Journal journal;
  OrderedSender sender(round_robin(topic), 10ms);
  // Each member stays until it consumed its share, and a little more.
  auto a = member(group, topic, "member_a", journal, 25ms);
  a->start();
  EXPECT_EQ(journal.wait_queues_of("member_a", 0, kQueues).size(), static_cast<size_t>(kQueues));
  std::this_thread::sleep_for(500ms);
  auto b = member(group, topic, "member_b", journal, 25ms);
  b->start();
  EXPECT_EQ(journal.wait_queues_of("member_b", steady_ns(), kQueues / 2).size(), static_cast<size_t>(kQueues / 2))
      << "member_b did not get half the queues";
  std::this_thread::sleep_for(1000ms);
  b->shutdown();
  const int64_t b_left = steady_ns();
  EXPECT_EQ(journal.wait_queues_of("member_a", b_left, kQueues).size(), static_cast<size_t>(kQueues))
      << "member_a did not get member_b's queues back";
  auto c = member(group, topic, "member_c", journal, 25ms);
  c->start();
  EXPECT_EQ(journal.wait_queues_of("member_c", steady_ns(), kQueues / 2).size(), static_cast<size_t>(kQueues / 2));
  std::this_thread::sleep_for(1000ms);
  a->shutdown();
  EXPECT_EQ(journal.wait_queues_of("member_c", steady_ns(), kQueues).size(), static_cast<size_t>(kQueues));
  std::this_thread::sleep_for(500ms);
  const int64_t total = stop_and_drain(sender, journal);
  c->shutdown();

  auto calls = journal.calls();
  const int handovers = expect_no_overlap(calls);
  const int64_t replayed = check_queue_order(calls, sender.per_queue());
  std::printf("[ measured ] %lld messages, %zu consume calls, %d hand-overs, %lld replayed\n",
              static_cast<long long>(total), calls.size(), handovers, static_cast<long long>(replayed));
  EXPECT_GE(handovers, 4) << "the members did not pass queues around";
  EXPECT_EQ(replayed, 0) << "a graceful hand-over replayed messages";
}

// (b) Seed 001's ordered messages: each key's steps go to one queue through the hash
// selector; a second member joins and leaves; per key every step once, in order.
TEST_F(SdkOrderlyConsumerTest, OrderedSendsByKeyStayInOrderWhileAMemberJoinsAndLeaves) {
  const std::string topic = "SdkOrderlyByKey";
  const std::string group = "sdk_orderly_by_key";
  raw_->create_topic(*broker_, topic, kQueues);
  constexpr int kKeys = 8;
  Journal journal;
  std::mutex sent_mu;
  std::map<std::string, int64_t> sent_per_key;
  OrderedSender sender(
      [&](int64_t n) {
        const std::string key = "order-" + std::to_string(n % kKeys);
        const std::string body = key + ":" + std::to_string(n / kKeys);
        SendResult r = producer_->send(make_message(topic, "TagA", key, body), select_message_queue_by_hash(), key);
        std::lock_guard lock(sent_mu);
        ++sent_per_key[key];
        return r;
      },
      8ms);
  auto a = member(group, topic, "bykey_a", journal, 5ms);
  a->start();
  std::this_thread::sleep_for(1000ms);
  auto b = member(group, topic, "bykey_b", journal, 5ms);
  b->start();
  EXPECT_EQ(journal.wait_queues_of("bykey_b", steady_ns(), kQueues / 2).size(), static_cast<size_t>(kQueues / 2))
      << "bykey_b did not get half the queues";
  std::this_thread::sleep_for(1000ms);
  b->shutdown();
  EXPECT_EQ(journal.wait_queues_of("bykey_a", steady_ns(), kQueues).size(), static_cast<size_t>(kQueues));
  std::this_thread::sleep_for(500ms);
  stop_and_drain(sender, journal);
  a->shutdown();

  auto calls = journal.calls();
  expect_no_overlap(calls);
  EXPECT_EQ(check_queue_order(calls, sender.per_queue()), 0);
  std::set<std::string> members;
  for (const auto& c : calls) members.insert(c.member);
  EXPECT_EQ(members, (std::set<std::string>{"bykey_a", "bykey_b"}));
  // Per key: steps 0, 1, 2, ... each once, in the order the calls ran.
  std::map<std::string, int64_t> next_step;
  for (const auto& [queue, qcalls] : by_queue_in_start_order(calls)) {
    for (const auto& c : qcalls) {
      for (const auto& body : c.bodies) {
        const size_t colon = body.find(':');
        ASSERT_NE(colon, std::string::npos) << body;
        const std::string key = body.substr(0, colon);
        const int64_t step = std::stoll(body.substr(colon + 1));
        EXPECT_EQ(step, next_step[key]) << key << " on queue " << queue << " in " << describe(c);
        next_step[key] = step + 1;
      }
    }
  }
  std::lock_guard lock(sent_mu);
  EXPECT_EQ(next_step, sent_per_key) << "steps processed per key differ from those sent";
}

// The client-side lock lifetime (RocketMQ's ProcessQueue lockMaxLiveTime), here 1.5 s with
// renewals every 500 ms: the broker freezes (SIGSTOP) for 4 s, so no renewal gets through.
// The member goes on with the messages it already pulled while its lock is young, stops
// starting batches once the last renewal is older than the lifetime, and resumes, in
// order, when the thawed broker renews the lock.
TEST_F(SdkOrderlyConsumerTest, ALapsedLockPausesConsumptionUntilTheBrokerRenewsIt) {
  const std::string topic = "SdkOrderlyLapse";
  const std::string group = "sdk_orderly_lapse";
  raw_->create_topic(*broker_, topic, 1);
  constexpr int kMessages = 40;
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_EQ(
        producer_->send(make_message(topic, "TagA", "lapse-" + std::to_string(i)), MessageQueue{topic, kBrokerName, 0})
            .send_status,
        SendStatus::SEND_OK);
  }
  ASSERT_TRUE(raw_->wait_total(*broker_, topic, 1, kMessages));
  Journal journal;
  auto m = member(group, topic, "lapse_member", journal, 80ms);
  m->set_rebalance_lock_interval(500ms);
  constexpr auto kLifetime = 1500ms;
  m->set_rebalance_lock_max_live_time(kLifetime);
  m->start();
  ASSERT_TRUE(journal.wait_distinct(3, 10s));
  const int64_t frozen = steady_ns();
  broker_->freeze();
  std::this_thread::sleep_for(4000ms);
  const int64_t thawed = steady_ns();
  broker_->thaw();
  EXPECT_TRUE(journal.wait_distinct(kMessages, 15s)) << "processed " << journal.distinct() << " of " << kMessages;
  m->shutdown();

  auto calls = journal.calls();
  int early = 0, paused = 0;
  // The last renewal came at most one interval (plus a little) before the freeze: past
  // that plus the lifetime (plus the batch then starting), nothing may start.
  const int64_t pause_from = frozen + (kLifetime + 500ms + 200ms).count() * 1000000LL;
  for (const auto& c : calls) {
    if (c.start_ns > frozen && c.start_ns < frozen + 900'000'000LL) ++early;
    if (c.start_ns > pause_from && c.start_ns < thawed) {
      ++paused;
      ADD_FAILURE() << describe(c) << " started " << (c.start_ns - frozen) / 1000000
                    << " ms into the freeze, with the lock last renewed before it";
    }
  }
  int64_t last_before_thaw = 0, first_after_thaw = 0;
  for (const auto& c : calls) {
    if (c.start_ns < thawed) last_before_thaw = std::max(last_before_thaw, c.start_ns - frozen);
    if (c.start_ns >= thawed && (first_after_thaw == 0 || c.start_ns - thawed < first_after_thaw)) {
      first_after_thaw = c.start_ns - thawed;
    }
  }
  std::printf("[ measured ] frozen 4000 ms: last batch started %lld ms into it, first after the thaw %lld ms later\n",
              static_cast<long long>(last_before_thaw / 1000000), static_cast<long long>(first_after_thaw / 1000000));
  EXPECT_GT(early, 3) << "consumption stopped at once: the young lock should have let pulled messages through";
  EXPECT_EQ(paused, 0);
  EXPECT_EQ(check_queue_order(calls, {{0, kMessages}}), 0);
}

// The "consume ..." lines a child member printed (sdk_orderly_member.cc).
std::vector<ConsumeCall> calls_of_child(const std::string& output, const std::string& member) {
  std::vector<ConsumeCall> out;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("consume ", 0) != 0) continue;
    std::istringstream fields(line.substr(8));
    ConsumeCall c;
    int64_t first = 0, last = -1;
    if (!(fields >> c.queue >> first >> last >> c.start_ns >> c.end_ns) || last < first) continue;  // cut by the kill
    c.member = member;
    for (int64_t o = first; o <= last; ++o) c.offsets.push_back(o);
    out.push_back(std::move(c));
  }
  return out;
}

// (c) The dying member runs in a child process; the survivor here. Once both consume,
// the child is killed with SIGKILL: its connection closes, the broker drops it from the
// group and tells the survivor, who is assigned every queue but refused the dead
// member's until their locks expire (the broker releases nothing when a connection
// closes). The dead member renewed at most kLockInterval before it died, so the takeover
// comes between (expiry - interval) and (expiry + one retry + slack) after the kill.
TEST_F(SdkOrderlyConsumerTest, ADeadMembersQueuesPassToTheSurvivorAfterTheLockExpiry) {
  const std::string topic = "SdkOrderlyDeath";
  const std::string group = "sdk_orderly_death";
  raw_->create_topic(*broker_, topic, kQueues);
  Journal journal;
  OrderedSender sender(round_robin(topic), 10ms);
  tern::testing::TempDir dir;
  ChildProcess dying(
      {kMember, broker_->namesrv(), group, topic, "dying_member", std::to_string(kLockInterval.count()), "5"},
      dir.path());
  ASSERT_TRUE(dying.wait_for_output("member started", 20s)) << dying.output();
  ASSERT_TRUE(dying.wait_for_output("consume ", 10s)) << dying.output();
  auto survivor = member(group, topic, "survivor", journal, 5ms);
  survivor->start();
  const int64_t joined = steady_ns();
  // Both consume: the dying member handed half the queues over.
  const std::set<int> survivor_queues = journal.wait_queues_of("survivor", joined, kQueues / 2);
  ASSERT_EQ(survivor_queues.size(), static_cast<size_t>(kQueues / 2)) << "the survivor never got its half";
  std::set<int> dead_queues;  // the other half, still consumed by the member about to die
  for (int q = 0; q < kQueues; ++q) {
    if (!survivor_queues.count(q)) dead_queues.insert(q);
  }
  const int64_t settled = steady_ns();
  std::this_thread::sleep_for(1000ms);
  std::set<int> lately;
  for (const auto& c : calls_of_child(dying.output(), "dying_member")) {
    if (c.start_ns > settled) lately.insert(c.queue);
  }
  ASSERT_EQ(lately, dead_queues) << "the child's queues before the kill\n" << dying.output();

  const int64_t killed = steady_ns();
  dying.signal(SIGKILL);
  (void)dying.wait(10s);
  // The survivor takes each dead queue, not before the lock expired.
  auto until = Clock::now() + 10s;
  std::map<int, int64_t> taken;  // queue -> first call of the survivor after the kill
  while (Clock::now() < until && taken.size() < dead_queues.size()) {
    std::this_thread::sleep_for(50ms);
    for (const auto& c : journal.calls()) {
      if (dead_queues.count(c.queue) && c.start_ns > killed && (!taken.count(c.queue) || c.start_ns < taken[c.queue])) {
        taken[c.queue] = c.start_ns;
      }
    }
  }
  ASSERT_EQ(taken.size(), dead_queues.size()) << "the survivor did not take the dead member's queues in 10 s";
  for (const auto& [q, at] : taken) {
    const auto after = std::chrono::milliseconds((at - killed) / 1000000);
    std::printf("[ measured ] queue %d taken over %lld ms after the kill (lock expiry %lld ms)\n", q,
                static_cast<long long>(after.count()), static_cast<long long>(kLockExpiry.count()));
    // The dead member's last renewal was about kLockInterval before the kill (a busy
    // control thread may delay it a little: one more interval of slack). Had its lock gone
    // with its connection, the survivor would have taken the queue within a second.
    EXPECT_GE(after, kLockExpiry - 2 * kLockInterval) << "queue " << q << " taken before the lock expired";
    EXPECT_LE(after, kLockExpiry + 3000ms) << "queue " << q;
  }
  std::this_thread::sleep_for(500ms);
  sender.stop();
  ASSERT_EQ(sender.error(), "");
  const int64_t total = sender.total();
  const auto dead_calls = calls_of_child(dying.output(), "dying_member");
  for (const auto& c : dead_calls) journal.add(c);  // together, everything must be processed
  EXPECT_TRUE(journal.wait_distinct(static_cast<size_t>(total), 10s))
      << "processed " << journal.distinct() << " of " << total;
  survivor->shutdown();

  auto calls = journal.calls();
  expect_no_overlap(calls);
  const int64_t replayed = check_queue_order(calls, sender.per_queue());
  std::printf("[ measured ] %lld messages; the survivor replayed %lld the dead member had processed\n",
              static_cast<long long>(total), static_cast<long long>(replayed));
}

}  // namespace
}  // namespace tern::client
