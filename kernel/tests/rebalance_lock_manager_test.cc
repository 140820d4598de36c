// RebalanceLockManager (QueueLocks): free queues are locked, a holder renews, another
// client is refused until the lock expires and then takes it over, unlock releases only
// the caller's own locks, groups are separate, and the table forgets expired locks.
// Time is a controllable clock, so expiry is exact and the tests take no time.
#include "broker/rebalance_lock_manager.h"

#include <gtest/gtest.h>

#include "broker_test_util.h"

namespace tern::kernel {
namespace {

using namespace std::chrono_literals;
using Clock = RebalanceLockManager::Clock;

class RebalanceLockManagerTest : public ::testing::Test {
 protected:
  std::vector<MessageQueue> lock(const std::string& client, std::vector<MessageQueue> qs,
                                 const std::string& group = "G") {
    return locks_.try_lock_batch(group, client, qs);
  }
  void advance(std::chrono::milliseconds d) { now_ += d; }

  static MessageQueue q(int id, const std::string& topic = "T") { return MessageQueue{topic, "broker-a", id}; }

  std::shared_ptr<Logger> logger_ = testing::test_logger();
  Clock::time_point now_ = Clock::time_point{} + 1h;
  RebalanceLockManager locks_{1000ms, *logger_, [this] { return now_; }};
};

using Queues = std::vector<MessageQueue>;

TEST_F(RebalanceLockManagerTest, FreeQueuesAreLockedAndOthersAreRefused) {
  EXPECT_EQ(lock("c1", {q(1), q(0)}), (Queues{q(0), q(1)}));  // sorted
  EXPECT_EQ(lock("c2", {q(0), q(1), q(2)}), (Queues{q(2)}));
  EXPECT_EQ(lock("c1", {q(0), q(1), q(2)}), (Queues{q(0), q(1)}));
  // A queue is (topic, brokerName, queueId): another broker's queue 0 is another queue.
  EXPECT_EQ(lock("c2", {MessageQueue{"T", "broker-b", 0}}), (Queues{MessageQueue{"T", "broker-b", 0}}));
  EXPECT_EQ(lock("c2", {q(0, "U")}), (Queues{q(0, "U")}));
  // Duplicates in a request count once.
  EXPECT_EQ(lock("c1", {q(0), q(0)}), (Queues{q(0)}));
  EXPECT_TRUE(lock("c1", {}).empty());
}

TEST_F(RebalanceLockManagerTest, RenewedLocksLastAndUnrenewedOnesPassToAnotherClientAfterExpiry) {
  ASSERT_EQ(lock("c1", {q(0), q(1)}), (Queues{q(0), q(1)}));
  advance(800ms);
  ASSERT_EQ(lock("c1", {q(0)}), (Queues{q(0)}));  // renews q0 only
  advance(800ms);                                 // q0 renewed 800 ms ago, q1 1600 ms ago
  EXPECT_EQ(lock("c2", {q(0), q(1)}), (Queues{q(1)}));
  advance(200ms);  // q0: exactly 1000 ms: still live (expired only past the limit)
  EXPECT_TRUE(lock("c2", {q(0)}).empty());
  advance(1ms);
  EXPECT_EQ(lock("c2", {q(0)}), (Queues{q(0)}));
  // The old holder lost both.
  EXPECT_TRUE(lock("c1", {q(0), q(1)}).empty());
}

TEST_F(RebalanceLockManagerTest, AnExpiredLockNobodyTookIsRenewedByItsHolder) {
  ASSERT_EQ(lock("c1", {q(0)}), (Queues{q(0)}));
  advance(5000ms);
  EXPECT_EQ(lock("c1", {q(0)}), (Queues{q(0)}));
  EXPECT_TRUE(lock("c2", {q(0)}).empty());
}

TEST_F(RebalanceLockManagerTest, UnlockReleasesOnlyTheCallersOwnLocks) {
  ASSERT_EQ(lock("c1", {q(0), q(1)}), (Queues{q(0), q(1)}));
  ASSERT_EQ(lock("c2", {q(2)}), (Queues{q(2)}));
  locks_.unlock_batch("G", "c2", {q(0), q(1), q(2), q(9)});  // q0, q1 are c1's: kept
  EXPECT_TRUE(lock("c3", {q(0), q(1)}).empty());
  EXPECT_EQ(lock("c3", {q(2)}), (Queues{q(2)}));
  locks_.unlock_batch("G", "c1", {q(1)});
  EXPECT_EQ(lock("c3", {q(0), q(1)}), (Queues{q(1)}));
  // An expired lock is still its holder's to release.
  advance(2000ms);
  locks_.unlock_batch("G", "c1", {q(0)});
  EXPECT_EQ(lock("c4", {q(0)}), (Queues{q(0)}));
  locks_.unlock_batch("nobody", "c1", {q(0)});  // unknown group: nothing happens
}

TEST_F(RebalanceLockManagerTest, GroupsAreSeparate) {
  ASSERT_EQ(lock("c1", {q(0)}, "G1"), (Queues{q(0)}));
  EXPECT_EQ(lock("c2", {q(0)}, "G2"), (Queues{q(0)}));
  EXPECT_TRUE(lock("c2", {q(0)}, "G1").empty());
  locks_.unlock_batch("G2", "c1", {q(0)});
  EXPECT_TRUE(lock("c3", {q(0)}, "G2").empty());
}

TEST_F(RebalanceLockManagerTest, EmptyGroupOrClientLocksNothing) {
  EXPECT_TRUE(lock("", {q(0)}).empty());
  EXPECT_TRUE(lock("c1", {q(0)}, "").empty());
  EXPECT_EQ(lock("c1", {q(0)}), (Queues{q(0)}));
}

TEST_F(RebalanceLockManagerTest, ExpiredLocksAreForgotten) {
  // The queues of a topic that went away, held by a member that died: the next lock call
  // of the group sweeps them, and a group left with nothing is dropped.
  Queues many;
  for (int i = 0; i < 100; ++i) many.push_back(q(i, "Gone"));
  ASSERT_EQ(lock("c1", many).size(), 100u);
  ASSERT_EQ(lock("c1", {q(0)}, "Other").size(), 1u);
  EXPECT_EQ(locks_.lock_count(), 101u);
  advance(1500ms);
  EXPECT_EQ(lock("c2", {q(0)}), (Queues{q(0)}));
  EXPECT_EQ(locks_.lock_count(), 2u);  // c2's new lock, and Other's (not swept: no call for it yet)
  locks_.unlock_batch("G", "c2", {q(0)});
  EXPECT_EQ(locks_.lock_count(), 1u);
  EXPECT_TRUE(lock("c3", {}, "Other").empty());  // sweeps Other's expired lock
  EXPECT_EQ(locks_.lock_count(), 0u);
}

TEST_F(RebalanceLockManagerTest, ConcurrentClientsNeverShareAQueue) {
  // Two threads race for the same queues; every queue ends with exactly one holder.
  RebalanceLockManager real(60000ms, *logger_);
  Queues all;
  for (int i = 0; i < 64; ++i) all.push_back(q(i));
  Queues got1, got2;
  std::thread t1([&] { got1 = real.try_lock_batch("G", "c1", all); });
  std::thread t2([&] { got2 = real.try_lock_batch("G", "c2", all); });
  t1.join();
  t2.join();
  EXPECT_EQ(got1.size() + got2.size(), all.size());
  for (const auto& mq : got1) EXPECT_EQ(std::count(got2.begin(), got2.end(), mq), 0);
}

}  // namespace
}  // namespace tern::kernel
