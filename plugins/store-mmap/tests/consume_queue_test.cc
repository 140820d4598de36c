// ConsumeQueue: 20-byte units, reload, truncation and retention.
#include "consume_queue.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "store_test_util.h"

namespace tern::store_mmap {
namespace {

using testing::ScratchDir;

TEST(ConsumeQueue, UnitsAreRocketMqBytesAndSurviveReload) {
  ScratchDir dir;
  {
    ConsumeQueue q("T", 0, dir.path(), 100);  // 5 units per file
    ASSERT_TRUE(q.load().is_ok());
    for (int64_t i = 0; i < 12; ++i) ASSERT_TRUE(q.put(i, {i * 100, 90, -i}).is_ok());
    EXPECT_EQ(q.max_offset(), 12);
  }
  std::ifstream in(dir.path() + "/00000000000000000000", std::ios::binary);
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.size(), 100u);
  // Unit 1: offset 100 (8 bytes), size 90 (4), tags code -1 (8).
  EXPECT_EQ(std::vector<unsigned char>(bytes.begin() + 20, bytes.begin() + 40),
            (std::vector<unsigned char>{0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 90, 255, 255, 255, 255, 255, 255, 255, 255}));
  ConsumeQueue q("T", 0, dir.path(), 100);
  ASSERT_TRUE(q.load().is_ok());
  EXPECT_EQ(q.min_offset(), 0);
  EXPECT_EQ(q.max_offset(), 12);
  auto u = q.get(11);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->commit_log_offset, 1100);
  EXPECT_EQ(u->tags_code, -11);
  EXPECT_FALSE(q.get(12).has_value());
}

TEST(ConsumeQueue, TruncateDropsUnitsPastTheCommitLogEnd) {
  ScratchDir dir;
  ConsumeQueue q("T", 0, dir.path(), 100);
  ASSERT_TRUE(q.load().is_ok());
  for (int64_t i = 0; i < 12; ++i) ASSERT_TRUE(q.put(i, {i * 100, 100, 0}).is_ok());
  q.truncate_from_commit_log_offset(700);  // units 0..6 end at or before 700
  EXPECT_EQ(q.max_offset(), 7);
  ConsumeQueue reloaded("T", 0, dir.path(), 100);
  ASSERT_TRUE(reloaded.load().is_ok());
  EXPECT_EQ(reloaded.max_offset(), 7);
}

TEST(ConsumeQueue, DeleteExpiredMovesTheMinOffset) {
  ScratchDir dir;
  ConsumeQueue q("T", 0, dir.path(), 100);
  ASSERT_TRUE(q.load().is_ok());
  for (int64_t i = 0; i < 12; ++i) ASSERT_TRUE(q.put(i, {i * 100, 100, 0}).is_ok());
  EXPECT_EQ(q.delete_expired(650), 1);  // the first file (units 0..4) points below 650
  EXPECT_EQ(q.min_offset(), 7);
  EXPECT_FALSE(q.get(6).has_value());
  EXPECT_TRUE(q.get(7).has_value());
  ConsumeQueue reloaded("T", 0, dir.path(), 100);
  ASSERT_TRUE(reloaded.load().is_ok());
  EXPECT_EQ(reloaded.min_offset(), 5);  // the file start; the store moves it again after load
}

TEST(ConsumeQueue, AHoleDoesNotHideLaterUnits) {
  ScratchDir dir;
  {
    ConsumeQueue q("T", 0, dir.path(), 100);
    ASSERT_TRUE(q.load().is_ok());
    ASSERT_TRUE(q.put(0, {0, 10, 0}).is_ok());
    ASSERT_TRUE(q.put(2, {20, 10, 0}).is_ok());  // unit 1 kept out by recovery
  }
  ConsumeQueue q("T", 0, dir.path(), 100);
  ASSERT_TRUE(q.load().is_ok());
  EXPECT_EQ(q.max_offset(), 3);
  EXPECT_FALSE(q.get(1).has_value());
  EXPECT_TRUE(q.get(2).has_value());
}

}  // namespace
}  // namespace tern::store_mmap
