// CommitLog: offsets, segment roll-over with blank records, batches, transactions, flush,
// and recovery from a half-written tail and from a corrupt record mid-file.
#include "commit_log.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store_test_util.h"

namespace tern::store_mmap {
namespace {

using testing::make_message;
using testing::ScratchDir;

constexpr int64_t kSegment = 4096;

PendingRecord pending(MessageExt m) {
  m.body_crc = body_crc32(m.body);
  std::string props = encode_properties(m.properties);
  return {std::move(m), std::move(props)};
}

AppendOutcome append_one(CommitLog& log, MessageExt m) {
  std::vector<PendingRecord> v;
  v.push_back(pending(std::move(m)));
  auto r = log.append(v);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? *r : AppendOutcome{};
}

std::vector<RecordView> scan(CommitLog& log, int64_t from, RecoveryReport* report = nullptr) {
  std::vector<RecordView> seen;
  auto r = log.recover(from, [&](const RecordView& v) { seen.push_back(v); });
  EXPECT_TRUE(r.is_ok());
  if (report && r.is_ok()) *report = *r;
  return seen;
}

TEST(CommitLog, AssignsQueueAndCommitLogOffsets) {
  ScratchDir dir;
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  auto a = append_one(log, make_message("T", 0, "a"));
  auto b = append_one(log, make_message("T", 1, "b"));
  auto c = append_one(log, make_message("T", 0, "c"));
  EXPECT_EQ(a.messages[0].queue_offset, 0);
  EXPECT_EQ(b.messages[0].queue_offset, 0);
  EXPECT_EQ(c.messages[0].queue_offset, 1);
  EXPECT_EQ(a.messages[0].commit_log_offset, 0);
  EXPECT_EQ(b.messages[0].commit_log_offset, a.end_offset);
  EXPECT_EQ(log.max_offset(), c.end_offset);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/00000000000000000000"));
  auto parsed = log.parse_at(b.messages[0].commit_log_offset);
  ASSERT_TRUE(parsed && parsed->kind == RecordKind::kMessage);
  EXPECT_EQ(parsed->view.body, "b");
  EXPECT_EQ(parsed->view.queue_id, 1);
}

TEST(CommitLog, RollsOverBehindABlankRecord) {
  ScratchDir dir;
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  int64_t last_end = 0;
  for (int i = 0; i < 20; ++i) last_end = append_one(log, make_message("T", 0, std::string(400, 'a' + i % 26))).end_offset;
  EXPECT_GT(last_end, 2 * kSegment);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/00000000000000004096"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/00000000000000008192"));
  // Every record is whole inside one segment, and the segments end with blanks.
  auto seen = scan(log, 0);
  ASSERT_EQ(seen.size(), 20u);
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].queue_offset, static_cast<int64_t>(i));
    EXPECT_EQ(seen[i].physical_offset / kSegment, (seen[i].physical_offset + seen[i].total_size - 1) / kSegment);
  }
  EXPECT_EQ(log.max_offset(), last_end);
}

TEST(CommitLog, PrefaultRacingAppendsCreatesEachSegmentOnce) {
  ScratchDir dir;
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  log.start_prefault();  // creates the next segment while appends may do the same
  int64_t end = 0;
  for (int i = 0; i < 400; ++i) end = append_one(log, make_message("T", 0, std::string(300, 'p'))).end_offset;
  log.stop_prefault();
  EXPECT_EQ(scan(log, 0).size(), 400u);
  EXPECT_EQ(log.max_offset(), end);
}

TEST(CommitLog, BatchIsContiguousAndTooLargeIsRefused) {
  ScratchDir dir;
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  std::vector<PendingRecord> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(pending(make_message("T", 2, "m" + std::to_string(i))));
  auto r = log.append(batch);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->messages.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r->messages[i].queue_offset, i);
  EXPECT_EQ(r->messages[1].commit_log_offset, r->messages[0].commit_log_offset + r->messages[0].store_size);
  std::vector<PendingRecord> huge;
  huge.push_back(pending(make_message("T", 0, std::string(kSegment, 'x'))));
  auto refused = log.append(huge);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("does not fit in a commit-log segment"), std::string::npos);
}

TEST(CommitLog, RemovingATopicLeavesTopicsThatShareItsPrefix) {
  ScratchDir dir;
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  append_one(log, make_message("A", 1, "x"));
  append_one(log, make_message("A-1", 2, "x"));  // once keyed "A-1-2", within the prefix "A-"
  log.remove_topic("A");
  EXPECT_EQ(append_one(log, make_message("A", 1, "y")).messages[0].queue_offset, 0);
  EXPECT_EQ(append_one(log, make_message("A-1", 2, "y")).messages[0].queue_offset, 1);
}

TEST(CommitLog, PreparedTransactionsTakeNoQueueOffset) {
  ScratchDir dir;
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  auto half = make_message("T", 0, "half");
  half.sys_flag = sys_flag::kTransactionPreparedType;
  EXPECT_EQ(append_one(log, half).messages[0].queue_offset, 0);
  EXPECT_EQ(append_one(log, make_message("T", 0, "visible")).messages[0].queue_offset, 0);
  EXPECT_EQ(append_one(log, make_message("T", 0, "visible2")).messages[0].queue_offset, 1);
}

TEST(CommitLog, FlushAdvancesTheFlushedOffset) {
  ScratchDir dir;
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  auto a = append_one(log, make_message("T", 0, "a"));
  EXPECT_EQ(log.flushed_offset(), 0);
  auto flushed = log.flush(a.end_offset);
  ASSERT_TRUE(flushed.is_ok());
  EXPECT_EQ(*flushed, a.end_offset);
  EXPECT_EQ(log.flushed_offset(), a.end_offset);
}

TEST(CommitLog, RecoveryDropsAHalfWrittenTail) {
  ScratchDir dir;
  int64_t good_end = 0, torn_at = 0;
  {
    CommitLog log(dir.path(), kSegment);
    ASSERT_TRUE(log.load().is_ok());
    for (int i = 0; i < 3; ++i) good_end = append_one(log, make_message("T", 0, "m" + std::to_string(i))).end_offset;
    // A fourth record copied only in part, as when the process dies mid-append.
    auto m = make_message("T", 0, std::string(200, 'z'));
    m.commit_log_offset = good_end;
    m.queue_offset = 3;
    m.body_crc = body_crc32(m.body);
    std::string props = encode_properties(m.properties);
    std::vector<uint8_t> bytes(static_cast<size_t>(record_size(m, props.size())));
    encode_record(m, props, bytes.data());
    auto seg = log.segments().find(0);
    std::memcpy(seg->file->data() + good_end, bytes.data(), bytes.size() / 2);
    torn_at = good_end;
  }
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  RecoveryReport report;
  auto seen = scan(log, 0, &report);
  EXPECT_EQ(seen.size(), 3u);
  ASSERT_TRUE(report.truncated.has_value());
  EXPECT_EQ(report.truncated->first, torn_at);
  EXPECT_EQ(log.max_offset(), good_end);
  EXPECT_TRUE(report.skipped.empty());
  // The tail was zeroed: appends continue there and a second recovery is clean.
  auto next = append_one(log, make_message("T", 0, "after"));
  EXPECT_EQ(next.messages[0].commit_log_offset, good_end);
  RecoveryReport again;
  EXPECT_EQ(scan(log, 0, &again).size(), 4u);
  EXPECT_FALSE(again.truncated.has_value());
}

TEST(CommitLog, ARecordCutAnywhereBeforeItsSizeFieldReadsAsTheEnd) {
  // encode_record writes the size field last: a copy cut at any byte leaves size 0.
  MessageExt m = make_message("T", 0, "body", "TagA", "k1");
  m.body_crc = body_crc32(m.body);
  std::string props = encode_properties(m.properties);
  std::vector<uint8_t> full(static_cast<size_t>(record_size(m, props.size())));
  encode_record(m, props, full.data());
  for (size_t cut = 4; cut < full.size(); ++cut) {
    std::vector<uint8_t> torn(full.size() + 64, 0);
    std::memcpy(torn.data() + 4, full.data() + 4, cut - 4);  // everything but the size
    EXPECT_NE(parse_record(torn.data(), torn.size(), true).kind, RecordKind::kMessage) << "cut at " << cut;
  }
}

TEST(CommitLog, RecoverySkipsACorruptRecordMidFileAndKeepsTheRest) {
  ScratchDir dir;
  int64_t corrupt_at = 0, end = 0;
  {
    CommitLog log(dir.path(), kSegment);
    ASSERT_TRUE(log.load().is_ok());
    append_one(log, make_message("T", 0, "first"));
    corrupt_at = append_one(log, make_message("T", 0, "second")).messages[0].commit_log_offset;
    end = append_one(log, make_message("T", 0, "third")).end_offset;
    auto seg = log.segments().find(corrupt_at);
    seg->file->data()[corrupt_at + 88] ^= 0x5A;  // a bit flip in the body of "second"
  }
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  RecoveryReport report;
  auto seen = scan(log, 0, &report);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].body, "first");
  EXPECT_EQ(seen[1].body, "third");
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].offset, corrupt_at);
  EXPECT_EQ(report.skipped[0].queue_offset, 1);
  EXPECT_FALSE(report.truncated.has_value());
  EXPECT_EQ(log.max_offset(), end);
}

TEST(CommitLog, RecoveryTruncatesAtABrokenStructureMidFile) {
  ScratchDir dir;
  int64_t broken_at = 0;
  {
    CommitLog log(dir.path(), kSegment);
    ASSERT_TRUE(log.load().is_ok());
    append_one(log, make_message("T", 0, "first"));
    broken_at = append_one(log, make_message("T", 0, "second")).messages[0].commit_log_offset;
    append_one(log, make_message("T", 0, "third"));
    log.segments().find(broken_at)->file->data()[broken_at + 4] ^= 0x01;  // magic code
  }
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  RecoveryReport report;
  EXPECT_EQ(scan(log, 0, &report).size(), 1u);
  ASSERT_TRUE(report.truncated.has_value());
  EXPECT_EQ(report.truncated->first, broken_at);
  EXPECT_NE(report.truncated->second.find("magic"), std::string::npos);
}

TEST(CommitLog, RecoveryFromANonBoundaryCheckpointFallsBackToAFullScan) {
  ScratchDir dir;
  {
    CommitLog log(dir.path(), kSegment);
    ASSERT_TRUE(log.load().is_ok());
    for (int i = 0; i < 3; ++i) append_one(log, make_message("T", 0, "m"));
  }
  CommitLog log(dir.path(), kSegment);
  ASSERT_TRUE(log.load().is_ok());
  RecoveryReport report;
  EXPECT_EQ(scan(log, 7, &report).size(), 3u);
  EXPECT_EQ(report.from, 0);
  EXPECT_FALSE(report.truncated.has_value());
}

}  // namespace
}  // namespace tern::store_mmap
