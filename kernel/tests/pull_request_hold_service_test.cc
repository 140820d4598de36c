// PullRequestHoldService: holds woken by arrival, by deadline, at once, at stop; exactly
// once under concurrency; wake callbacks outside the lock; no store.
#include "broker/pull_request_hold_service.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "broker_test_util.h"
#include "fixtures/fake_store.h"

namespace tern::kernel {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::eventually;

// Records how a hold was woken: 0 not yet, 1 arrived, 2 timed out; counts wakes.
struct Outcome {
  std::atomic<int> how{0};
  std::atomic<int> wakes{0};
  std::atomic<std::thread::id> thread;
  std::function<void(bool)> callback() {
    return [this](bool arrived) {
      thread = std::this_thread::get_id();
      how = arrived ? 1 : 2;
      ++wakes;
    };
  }
};

class PullRequestHoldServiceTest : public ::testing::Test {
 protected:
  std::shared_ptr<Logger> logger_ = testing::test_logger();
  fixture::FakeStore store_;
};

TEST_F(PullRequestHoldServiceTest, WakesAtOnceWhenTheQueueIsAlreadyAhead) {
  PullRequestHoldService holds(*logger_);
  holds.start(&store_);
  store_.set_max_offset("T", 0, 5);
  Outcome o;
  holds.hold("T", 0, 4, Clock::now() + 10s, o.callback());
  EXPECT_EQ(o.how, 1);  // on the caller's thread, before hold() returns
  EXPECT_EQ(o.thread.load(), std::this_thread::get_id());
  EXPECT_EQ(holds.held(), 0u);
  Outcome not_ahead;
  holds.hold("T", 0, 5, Clock::now() + 10s, not_ahead.callback());  // offset == max: nothing new
  EXPECT_EQ(not_ahead.how, 0);
  EXPECT_EQ(holds.held(), 1u);
  holds.stop();
}

TEST_F(PullRequestHoldServiceTest, WokenByArrivalPastItsOffsetOnly) {
  PullRequestHoldService holds(*logger_);
  holds.start(&store_);
  EXPECT_TRUE(store_.has_listener());
  Outcome a, b, other_queue;
  holds.hold("T", 0, 10, Clock::now() + 10s, a.callback());
  holds.hold("T", 0, 12, Clock::now() + 10s, b.callback());
  holds.hold("T", 1, 0, Clock::now() + 10s, other_queue.callback());
  store_.arrive("T", 0, 10);  // not past either offset
  EXPECT_EQ(a.how, 0);
  std::thread dispatcher([&] { store_.arrive("T", 0, 11); });  // past a's offset only
  dispatcher.join();
  EXPECT_EQ(a.how, 1);
  EXPECT_EQ(b.how, 0);
  EXPECT_EQ(other_queue.how, 0);
  store_.arrive("T", 0, 13);
  EXPECT_EQ(b.how, 1);
  store_.arrive("U", 1, 100);
  EXPECT_EQ(other_queue.how, 0);
  EXPECT_EQ(holds.held(), 1u);
  holds.stop();
  EXPECT_EQ(a.wakes + b.wakes + other_queue.wakes, 3);
}

TEST_F(PullRequestHoldServiceTest, WokenAtTheDeadline) {
  PullRequestHoldService holds(*logger_);
  holds.start(&store_);
  Outcome late, early;
  auto start = Clock::now();
  holds.hold("T", 0, 0, start + 300ms, late.callback());
  holds.hold("T", 0, 0, start + 50ms, early.callback());  // an earlier deadline wakes the thread sooner
  ASSERT_TRUE(eventually([&] { return early.how != 0; }));
  EXPECT_EQ(early.how, 2);
  EXPECT_EQ(late.how, 0);
  EXPECT_GE(Clock::now() - start, 50ms);
  ASSERT_TRUE(eventually([&] { return late.how != 0; }));
  EXPECT_EQ(late.how, 2);
  EXPECT_GE(Clock::now() - start, 300ms);
  EXPECT_NE(late.thread.load(), std::this_thread::get_id());
  holds.stop();
  EXPECT_EQ(late.wakes, 1);
}

TEST_F(PullRequestHoldServiceTest, ADeadlineFindsAMessageTheListenerMissed) {
  PullRequestHoldService holds(*logger_);
  holds.start(&store_);
  Outcome o;
  holds.hold("T", 0, 3, Clock::now() + 30ms, o.callback());
  store_.set_max_offset("T", 0, 4);  // no arrival call
  ASSERT_TRUE(eventually([&] { return o.how != 0; }));
  EXPECT_EQ(o.how, 1);
  holds.stop();
}

TEST_F(PullRequestHoldServiceTest, StopWakesEveryHoldWithFalseAndRefusesNewOnes) {
  PullRequestHoldService holds(*logger_);
  holds.start(&store_);
  Outcome a, b;
  holds.hold("T", 0, 0, Clock::now() + 1h, a.callback());
  holds.hold("U", 2, 7, Clock::now() + 1h, b.callback());
  holds.stop();
  EXPECT_EQ(a.how, 2);
  EXPECT_EQ(b.how, 2);
  EXPECT_FALSE(store_.has_listener());  // detached before the store stops
  Outcome after;
  holds.hold("T", 0, 0, Clock::now() + 1h, after.callback());
  EXPECT_EQ(after.how, 2);
  store_.arrive("T", 0, 5);
  holds.stop();  // idempotent
  EXPECT_EQ(a.wakes + b.wakes + after.wakes, 3);
}

TEST_F(PullRequestHoldServiceTest, WithoutAStoreHoldsWakeOnlyAtTheirDeadline) {
  PullRequestHoldService holds(*logger_);
  holds.start(nullptr);
  Outcome o;
  holds.hold("T", 0, 0, Clock::now() + 20ms, o.callback());
  ASSERT_TRUE(eventually([&] { return o.how != 0; }));
  EXPECT_EQ(o.how, 2);
  holds.stop();
}

TEST_F(PullRequestHoldServiceTest, WakeMayHoldAgainFromInsideTheCallback) {
  // A protocol plugin re-parking a pull from its wake callback must not deadlock.
  PullRequestHoldService holds(*logger_);
  holds.start(&store_);
  Outcome second;
  std::atomic<int> first{0};
  holds.hold("T", 0, 0, Clock::now() + 10s, [&](bool) {
    ++first;
    holds.hold("T", 0, 1, Clock::now() + 10s, second.callback());
  });
  store_.arrive("T", 0, 1);
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second.how, 0);
  store_.arrive("T", 0, 2);
  EXPECT_EQ(second.how, 1);
  holds.hold("T", 0, 5, Clock::now() + 5ms, [&](bool) { holds.hold("T", 0, 5, Clock::now() + 5ms, [](bool) {}); });
  ASSERT_TRUE(eventually([&] { return holds.held() == 0; }, 2000ms));
  holds.stop();
}

TEST_F(PullRequestHoldServiceTest, EachHoldWakesExactlyOnceUnderConcurrency) {
  PullRequestHoldService holds(*logger_);
  holds.start(&store_);
  constexpr int kHolders = 4;
  constexpr int kPerHolder = 500;
  std::vector<Outcome> outcomes(kHolders * kPerHolder);
  std::atomic<bool> stop{false};
  std::thread arrivals([&] {
    int64_t max = 0;
    while (!stop) {
      for (int q = 0; q < 4; ++q) store_.arrive("T", q, ++max / 4);
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> holders;
  for (int h = 0; h < kHolders; ++h) {
    holders.emplace_back([&, h] {
      for (int i = 0; i < kPerHolder; ++i) {
        Outcome& o = outcomes[h * kPerHolder + i];
        int queue = i % 5;  // queue 4 never grows: those wake at their deadline
        auto deadline = Clock::now() + std::chrono::milliseconds(i % 20);
        holds.hold("T", queue, store_.max_offset("T", queue), deadline, o.callback());
      }
    });
  }
  for (auto& t : holders) t.join();
  ASSERT_TRUE(eventually([&] { return holds.held() == 0; }));
  stop = true;
  arrivals.join();
  holds.stop();
  int arrived = 0;
  for (auto& o : outcomes) {
    ASSERT_EQ(o.wakes, 1);
    arrived += o.how == 1;
  }
  EXPECT_GT(arrived, 0);
}

}  // namespace
}  // namespace tern::kernel
