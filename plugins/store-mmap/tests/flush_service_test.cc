// GroupCommitService: puts waiting together share an fsync; a put not durable within the
// timeout is answered at the timeout (FLUSH_DISK_TIMEOUT) even while the fsync hangs, and
// exactly once; a failing fsync is never reported as durable.
#include "flush_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "store_test_util.h"

namespace tern::store_mmap {
namespace {

using namespace std::chrono_literals;

TEST(GroupCommit, WaitersShareOneFlush) {
  testing::RecordingLogger logger;
  std::atomic<int> flushes{0};
  std::promise<void> release;
  auto released = release.get_future().share();
  GroupCommitService gc(
      [&](int64_t up_to) -> Result<int64_t> {
        ++flushes;
        released.wait();  // the first flush holds until every put is waiting
        return up_to;
      },
      5s, logger);
  gc.start();
  std::atomic<int> durable{0};
  gc.wait_durable(10, [&](bool ok) { durable += ok; });
  std::this_thread::sleep_for(50ms);  // the flusher is inside the first flush now
  for (int i = 0; i < 20; ++i) gc.wait_durable(100 + i, [&](bool ok) { durable += ok; });
  release.set_value();
  gc.stop();
  EXPECT_EQ(durable.load(), 21);
  EXPECT_EQ(flushes.load(), 2);  // one for the first put, one shared by the other twenty
}

TEST(GroupCommit, TimesOutOnTimeWhileTheFsyncHangsAndAnswersOnce) {
  testing::RecordingLogger logger;
  std::promise<void> release;
  auto released = release.get_future().share();
  GroupCommitService gc(
      [&](int64_t up_to) -> Result<int64_t> {
        released.wait();
        return up_to;
      },
      100ms, logger);
  gc.start();
  std::atomic<int> answers{0};
  std::promise<bool> first;
  auto started = std::chrono::steady_clock::now();
  gc.wait_durable(10, [&](bool ok) {
    if (answers++ == 0) first.set_value(ok);
  });
  auto result = first.get_future();
  ASSERT_EQ(result.wait_for(2s), std::future_status::ready);
  EXPECT_FALSE(result.get());  // FLUSH_DISK_TIMEOUT
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, 100ms);
  EXPECT_LT(waited, 1500ms);
  release.set_value();
  gc.stop();
  EXPECT_EQ(answers.load(), 1);  // the late flush does not answer again
}

TEST(GroupCommit, AFailingFsyncIsNotDurable) {
  testing::RecordingLogger logger;
  GroupCommitService gc([](int64_t) -> Result<int64_t> { return Status::io_error("fdatasync: Input/output error"); },
                        5s, logger);
  gc.start();
  std::promise<bool> answer;
  gc.wait_durable(10, [&](bool ok) { answer.set_value(ok); });
  auto f = answer.get_future();
  ASSERT_EQ(f.wait_for(2s), std::future_status::ready);
  EXPECT_FALSE(f.get());
  gc.stop();
  EXPECT_TRUE(logger.contains("fsync failed"));
}

}  // namespace
}  // namespace tern::store_mmap
