// PeriodicTimer on a real io_context pool.
#include "runtime/periodic_timer.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "runtime/io_context_pool.h"

namespace tern::kernel {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicTimer, RunsRepeatedlyUntilCancelled) {
  IoContextPool pool(1);
  pool.start();
  std::atomic<int> runs{0};
  PeriodicTimer timer(pool.next(), 5ms, [&] { ++runs; });
  timer.start();
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (runs < 5 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_GE(runs.load(), 5);
  timer.cancel();
  int after_cancel = runs.load();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(runs.load(), after_cancel);
  pool.stop();
}

TEST(PeriodicTimer, InitialDelayIsHonoured) {
  IoContextPool pool(1);
  pool.start();
  std::atomic<int> runs{0};
  PeriodicTimer timer(pool.next(), 1ms, [&] { ++runs; });
  timer.start(10s);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(runs.load(), 0);
  timer.cancel();
  pool.stop();
}

TEST(PeriodicTimer, CancelFromInsideTheTaskDoesNotDeadlock) {
  IoContextPool pool(1);
  pool.start();
  std::atomic<int> runs{0};
  std::unique_ptr<PeriodicTimer> timer;
  timer = std::make_unique<PeriodicTimer>(pool.next(), 1ms, [&] {
    if (++runs == 3) timer->cancel();
  });
  timer->start();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(runs.load(), 3);
  timer.reset();
  pool.stop();
}

TEST(IoContextPool, SizedToTheCoresByDefaultAndRoundRobin) {
  IoContextPool pool(0);
  EXPECT_EQ(pool.size(), std::max(1u, std::thread::hardware_concurrency()));
  IoContextPool two(2);
  EXPECT_NE(&two.next(), &two.next());
}

}  // namespace
}  // namespace tern::kernel
