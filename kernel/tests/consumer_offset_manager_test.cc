// ConsumerOffsetManager: commits and queries, per-topic and per-group views, removal,
// persistence and reload, and concurrent commits.
#include "broker/consumer_offset_manager.h"

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "broker_test_util.h"

namespace tern::kernel {
namespace {

using testing::slurp;
using testing::spit;
using testing::TempDir;

class ConsumerOffsetManagerTest : public ::testing::Test {
 protected:
  std::string file() const { return dir_.file("config/consumerOffset.json"); }
  TempDir dir_;
  std::shared_ptr<Logger> logger_ = testing::test_logger();
};

TEST_F(ConsumerOffsetManagerTest, CommitQueryAndViews) {
  ConsumerOffsetManager offsets(file(), *logger_);
  EXPECT_EQ(offsets.query("G", "T", 0), std::nullopt);
  offsets.commit("G", "T", 0, 12);
  offsets.commit("G", "T", 1, 34);
  offsets.commit("G", "T", 0, 13);  // later commits win
  offsets.commit("H", "T", 0, 1);
  offsets.commit("G", "U", 3, 7);
  offsets.commit("G", "T2", 0, 5);  // "T2@G" must not count as topic T
  EXPECT_EQ(offsets.query("G", "T", 0), 13);
  EXPECT_EQ(offsets.query("G", "T", 2), std::nullopt);
  EXPECT_EQ(offsets.offsets("G", "T"), (std::map<int32_t, int64_t>{{0, 13}, {1, 34}}));
  EXPECT_EQ(offsets.groups_of_topic("T"), (std::vector<std::string>{"G", "H"}));
  EXPECT_EQ(offsets.topics_of_group("G"), (std::vector<std::string>{"T", "T2", "U"}));

  offsets.remove_topic("T");
  EXPECT_TRUE(offsets.groups_of_topic("T").empty());
  EXPECT_EQ(offsets.query("G", "T2", 0), 5);
  offsets.remove_group("G");
  EXPECT_TRUE(offsets.topics_of_group("G").empty());
  EXPECT_TRUE(offsets.groups_of_topic("T2").empty());
}

TEST_F(ConsumerOffsetManagerTest, PersistsAndReloads) {
  {
    ConsumerOffsetManager offsets(file(), *logger_);
    ASSERT_TRUE(offsets.load().is_ok());
    offsets.commit("G", "T", 0, 12);
    offsets.commit("G", "T", 1, 34);
    ASSERT_TRUE(offsets.persist().is_ok());
  }
  EXPECT_EQ(slurp(file()), "{\"offsetTable\":{\"T@G\":{\"0\":12,\"1\":34}}}");
  ConsumerOffsetManager reloaded(file(), *logger_);
  reloaded.commit("G", "T", 1, 40);  // committed before loading: newer than the file
  ASSERT_TRUE(reloaded.load().is_ok());
  EXPECT_EQ(reloaded.query("G", "T", 0), 12);
  EXPECT_EQ(reloaded.query("G", "T", 1), 40);
}

TEST_F(ConsumerOffsetManagerTest, NoWriteWhenNothingChanged) {
  ConsumerOffsetManager offsets(file(), *logger_);
  ASSERT_TRUE(offsets.load().is_ok());
  ASSERT_TRUE(offsets.persist().is_ok());
  EXPECT_FALSE(std::filesystem::exists(file()));  // an idle broker does not touch the disk
  offsets.commit("G", "T", 0, 1);
  ASSERT_TRUE(offsets.persist().is_ok());
  std::filesystem::remove(file());
  ASSERT_TRUE(offsets.persist().is_ok());
  EXPECT_FALSE(std::filesystem::exists(file())) << "rewritten without a change";
}

TEST_F(ConsumerOffsetManagerTest, CorruptFileIsRefusedNamingItAndKeptAsIs) {
  spit(file(), "{\"offsetTable\":{\"T@G\":{\"0\":\"twelve\"}}}");
  ConsumerOffsetManager offsets(file(), *logger_);
  Status s = offsets.load();
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(s.is_corruption());
  EXPECT_NE(s.message().find(file()), std::string::npos) << s.message();
  offsets.commit("G", "T", 0, 1);
  ASSERT_TRUE(offsets.persist().is_ok());
  EXPECT_EQ(slurp(file()), "{\"offsetTable\":{\"T@G\":{\"0\":\"twelve\"}}}");
}

TEST_F(ConsumerOffsetManagerTest, ConcurrentCommitsAndPersists) {
  ConsumerOffsetManager offsets(file(), *logger_);
  ASSERT_TRUE(offsets.load().is_ok());
  constexpr int kThreads = 4;
  constexpr int kCommits = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&offsets, t] {
      for (int i = 1; i <= kCommits; ++i) offsets.commit("G" + std::to_string(t), "T", i % 4, i);
    });
  }
  threads.emplace_back([&offsets] {
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(offsets.persist().is_ok());
  });
  for (auto& th : threads) th.join();
  ASSERT_TRUE(offsets.persist().is_ok());
  ConsumerOffsetManager reloaded(file(), *logger_);
  ASSERT_TRUE(reloaded.load().is_ok());
  for (int t = 0; t < kThreads; ++t) {
    // The last commit of each queue: i = kCommits - 3 .. kCommits for queues 1,2,3,0.
    EXPECT_EQ(reloaded.query("G" + std::to_string(t), "T", 0), kCommits) << t;
    EXPECT_EQ(reloaded.query("G" + std::to_string(t), "T", 1), kCommits - 3) << t;
  }
}

}  // namespace
}  // namespace tern::kernel
