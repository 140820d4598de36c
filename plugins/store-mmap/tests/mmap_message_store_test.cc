// MmapMessageStore end to end: put and get with filters and RocketMQ's statuses, restart
// without a rescan, recovery after an unclean stop, group commit, limits, disk full,
// retention, lookups by time, offset and key.
#include "mmap_message_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "store_test_util.h"
#include "tern/tag_hash.h"

namespace tern::store_mmap {
namespace {

using namespace std::chrono_literals;
using testing::make_message;
using testing::put_sync;
using testing::RecordingLogger;
using testing::ScratchDir;

// Matches one tag, like filter-tag does: hash first, the tag second.
class OneTagMatcher final : public MessageMatcher {
 public:
  explicit OneTagMatcher(std::string tag) : tag_(std::move(tag)) {}
  bool matches_tags_code(int64_t code) const override { return code == tags_code(tag_); }
  bool matches_properties(const PropertyMap& p) const override {
    auto it = p.find("TAGS");
    return it != p.end() && it->second == tag_;
  }
  bool needs_properties() const override { return true; }

 private:
  std::string tag_;
};

std::string body_of(const StoredRecord& r) {
  return std::string(parse_record(r.data, r.size, true).view.body);
}

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<MmapMessageStore> open(StoreConfig config) {
    auto s = std::make_unique<MmapMessageStore>(std::move(config), logger_);
    Status st = s->start();
    EXPECT_TRUE(st.is_ok()) << st.to_string();
    return s;
  }
  ScratchDir dir_;
  RecordingLogger logger_;
};

TEST_F(StoreTest, PutThenGetWithStatusesAndTagFilter) {
  auto store = open(testing::small_config(dir_.path()));
  for (int i = 0; i < 10; ++i) {
    auto r = put_sync(*store, make_message("T", 0, "m" + std::to_string(i), i % 2 ? "TagB" : "TagA"));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->messages[0].queue_offset, i);
    EXPECT_EQ(r->durability, PutResult::Durability::kStored);
    EXPECT_EQ(r->messages[0].msg_id.size(), 32u);
  }
  ASSERT_TRUE(store->wait_dispatched(5s));
  EXPECT_EQ(store->max_offset("T", 0), 10);
  EXPECT_EQ(store->min_offset("T", 0), 0);

  GetRequest all{"T", 0, 3, 4, 1 << 20, nullptr};
  auto got = store->get_messages(all);
  EXPECT_EQ(got.status, GetStatus::kFound);
  ASSERT_EQ(got.records.size(), 4u);
  EXPECT_EQ(body_of(got.records[0]), "m3");
  EXPECT_EQ(got.records[0].queue_offset, 3);
  EXPECT_EQ(got.next_begin_offset, 7);
  EXPECT_EQ(got.max_offset, 10);

  GetRequest tag_b{"T", 0, 0, 32, 1 << 20, std::make_shared<OneTagMatcher>("TagB")};
  got = store->get_messages(tag_b);
  ASSERT_EQ(got.records.size(), 5u);
  for (const auto& r : got.records) EXPECT_EQ(r.queue_offset % 2, 1);
  EXPECT_EQ(got.next_begin_offset, 10);  // filtered messages are passed over

  GetRequest none{"T", 0, 0, 32, 1 << 20, std::make_shared<OneTagMatcher>("TagC")};
  got = store->get_messages(none);
  EXPECT_EQ(got.status, GetStatus::kNoMatchedMessage);
  EXPECT_EQ(got.next_begin_offset, 10);

  EXPECT_EQ(store->get_messages({"T", 0, 10, 32, 1 << 20, nullptr}).status, GetStatus::kOffsetOverflowOne);
  auto bad = store->get_messages({"T", 0, 99, 32, 1 << 20, nullptr});
  EXPECT_EQ(bad.status, GetStatus::kOffsetOverflowBadly);
  EXPECT_EQ(bad.next_begin_offset, 0);
  EXPECT_EQ(store->get_messages({"Nope", 0, 0, 32, 1 << 20, nullptr}).status, GetStatus::kNoMatchedLogicQueue);

  GetRequest bytes_cap{"T", 0, 0, 32, 1, nullptr};  // always at least one message
  EXPECT_EQ(store->get_messages(bytes_cap).records.size(), 1u);
}

TEST_F(StoreTest, CleanRestartReadsNothingAgain) {
  {
    auto store = open(testing::small_config(dir_.path()));
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(put_sync(*store, make_message("T", i % 3, std::to_string(i))).is_ok());
    store->stop();
    EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/abort"));
  }
  auto store = open(testing::small_config(dir_.path()));
  EXPECT_EQ(store->recovery_report().records, 0);  // no rescan
  EXPECT_EQ(store->max_offset("T", 0), 17);
  EXPECT_EQ(store->max_offset("T", 1), 17);
  EXPECT_EQ(store->max_offset("T", 2), 16);
  auto r = put_sync(*store, make_message("T", 0, "after"));
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->messages[0].queue_offset, 17);  // the offset table was rebuilt
}

TEST_F(StoreTest, UncleanStopRecoversFromTheCheckpointAndRebuildsQueues) {
  auto config = testing::small_config(dir_.path());
  config.flush_interval_consume_queue = 1h;  // no checkpoint while running: recovery must re-read
  ScratchDir crashed;
  {
    auto store = open(config);
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(put_sync(*store, make_message("T", 0, std::string(100, 'a' + i % 26))).is_ok());
    ASSERT_TRUE(store->wait_dispatched(5s));
    // What a crash leaves is the files as they are now (the page cache survives a killed
    // process): copy them while the store runs, abort file included.
    std::filesystem::copy(dir_.path(), crashed.path(), std::filesystem::copy_options::recursive |
                                                           std::filesystem::copy_options::overwrite_existing);
  }
  // And as if the consume queue's pages had never reached the disk.
  std::filesystem::remove_all(crashed.path() + "/consumequeue");
  auto store = open(testing::small_config(crashed.path()));
  EXPECT_TRUE(logger_.contains("did not shut down cleanly"));
  EXPECT_EQ(store->recovery_report().records, 40);
  EXPECT_EQ(store->max_offset("T", 0), 40);
  auto got = store->get_messages({"T", 0, 39, 1, 1 << 20, nullptr});
  ASSERT_EQ(got.records.size(), 1u);
  EXPECT_EQ(body_of(got.records[0]), std::string(100, 'a' + 39 % 26));
  auto next = put_sync(*store, make_message("T", 0, "after"));
  ASSERT_TRUE(next.is_ok());
  EXPECT_EQ(next->messages[0].queue_offset, 40);
}

TEST_F(StoreTest, ACorruptRecordFoundByRecoveryLeavesItsQueue) {
  auto config = testing::small_config(dir_.path());
  int64_t corrupt_at = 0;
  {
    auto store = open(config);
    ASSERT_TRUE(put_sync(*store, make_message("T", 0, "first")).is_ok());
    auto second = put_sync(*store, make_message("T", 0, "second"));
    ASSERT_TRUE(second.is_ok());
    corrupt_at = second->messages[0].commit_log_offset;
    ASSERT_TRUE(put_sync(*store, make_message("T", 0, "third")).is_ok());
    store->stop();
  }
  // Bit rot in the body of "second", and a checkpoint that makes recovery re-read it.
  {
    auto seg = MappedFile::open(config.commit_log_dir + "/00000000000000000000", config.commit_log_segment_size);
    ASSERT_TRUE(seg.is_ok());
    (*seg)->data()[corrupt_at + 88] ^= 0x20;
  }
  std::filesystem::remove(config.checkpoint_file);
  auto store = open(config);
  ASSERT_EQ(store->recovery_report().skipped.size(), 1u);
  EXPECT_TRUE(logger_.contains("(T:0 offset 1) is corrupt"));
  auto got = store->get_messages({"T", 0, 0, 32, 1 << 20, nullptr});
  ASSERT_EQ(got.records.size(), 2u);  // "second" is not served
  EXPECT_EQ(body_of(got.records[0]), "first");
  EXPECT_EQ(body_of(got.records[1]), "third");
}

TEST_F(StoreTest, TwoStoresCannotShareADirectory) {
  auto first = open(testing::small_config(dir_.path()));
  MmapMessageStore second(testing::small_config(dir_.path()), logger_);
  Status s = second.start();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("is in use by another broker"), std::string::npos) << s.message();
  first->stop();
  MmapMessageStore third(testing::small_config(dir_.path()), logger_);
  EXPECT_TRUE(third.start().is_ok());
}

TEST_F(StoreTest, SyncFlushSharesFsyncsAmongConcurrentPuts) {
  auto config = testing::small_config(dir_.path());
  config.flush_disk_type = FlushDiskType::kSyncFlush;
  config.commit_log_segment_size = 1 << 20;
  auto store = open(config);
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = put_sync(*store, make_message("T", t, "x"));
        if (r.is_ok() && r->durability == PutResult::Durability::kStored) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_GT(store->fsync_count(), 0u);
  EXPECT_LT(store->fsync_count(), static_cast<uint64_t>(kThreads * kPerThread));
}

TEST_F(StoreTest, RefusesIllegalMessagesWithClearErrors) {
  auto store = open(testing::small_config(dir_.path()));
  auto big = put_sync(*store, make_message("T", 0, std::string(16 * 1024 + 1, 'x')));
  ASSERT_FALSE(big.is_ok());
  EXPECT_EQ(big.status().message(), "message body of 16385 bytes exceeds maxMessageSize 16384");
  auto traversal = put_sync(*store, make_message("../etc", 0, "x"));
  ASSERT_FALSE(traversal.is_ok());
  EXPECT_NE(traversal.status().message().find("is not valid"), std::string::npos);
  auto m = make_message("T", 0, "x");
  m.set_property("bad", std::string("a\x01") + "b");
  EXPECT_FALSE(put_sync(*store, m).is_ok());
  EXPECT_FALSE(put_sync(*store, make_message("T", -1, "x")).is_ok());
  EXPECT_EQ(store->max_offset("T", 0), 0);
}

TEST_F(StoreTest, DiskOverTheWarningRatioRefusesWritesAndRecovers) {
  auto store = open(testing::small_config(dir_.path()));
  store->retention().set_disk_usage_probe([](const std::string&) { return 95.0; });
  store->retention().run_once(std::chrono::system_clock::now());
  auto r = put_sync(*store, make_message("T", 0, "x"));
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(r.status().is_resource_exhausted());
  EXPECT_NE(r.status().message().find("disk full"), std::string::npos);
  EXPECT_NE(r.status().message().find("diskSpaceWarningLevelRatio 90%"), std::string::npos);
  store->retention().set_disk_usage_probe([](const std::string&) { return 40.0; });
  store->retention().run_once(std::chrono::system_clock::now());
  EXPECT_TRUE(put_sync(*store, make_message("T", 0, "x")).is_ok());
}

TEST_F(StoreTest, RetentionDeletesExpiredSegmentsAndMovesQueueMin) {
  auto config = testing::small_config(dir_.path());
  config.commit_log_segment_size = 4096;
  config.file_reserved_time = std::chrono::hours(1);
  auto store = open(config);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(put_sync(*store, make_message("T", 0, std::string(300, 'x'))).is_ok());
  ASSERT_TRUE(store->wait_dispatched(5s));
  int64_t min_before = store->min_commit_log_offset();
  auto now = std::chrono::system_clock::now();
  store->retention().set_disk_usage_probe([](const std::string&) { return 10.0; });
  // Young segments and a disk under the ratio: nothing goes, deletion hour or not.
  EXPECT_EQ(store->retention().run_once(now), 0);
  // Past the disk ratio: the oldest go at once, never the last.
  store->retention().set_disk_usage_probe([](const std::string&) { return 80.0; });
  int deleted = store->retention().run_once(now);
  EXPECT_GT(deleted, 0);
  EXPECT_GT(store->min_commit_log_offset(), min_before);
  int64_t qmin = store->min_offset("T", 0);
  EXPECT_GT(qmin, 0);
  EXPECT_EQ(store->get_messages({"T", 0, 0, 32, 1 << 20, nullptr}).status, GetStatus::kOffsetTooSmall);
  EXPECT_EQ(store->get_messages({"T", 0, qmin, 1, 1 << 20, nullptr}).status, GetStatus::kFound);
}

TEST_F(StoreTest, RetentionDeletesOnlyExpiredSegmentsAtTheDeletionHour) {
  auto config = testing::small_config(dir_.path());
  config.commit_log_segment_size = 4096;
  config.file_reserved_time = std::chrono::hours(1);
  config.delete_hours.clear();
  for (int h = 0; h < 24; ++h) config.delete_hours.push_back(h);  // every hour is a deletion hour
  auto store = open(config);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(put_sync(*store, make_message("T", 0, std::string(300, 'x'))).is_ok());
  ASSERT_TRUE(store->wait_dispatched(5s));
  store->retention().set_disk_usage_probe([](const std::string&) { return 10.0; });
  auto now = std::chrono::system_clock::now();
  EXPECT_EQ(store->retention().run_once(now), 0);  // not yet older than fileReservedTime
  size_t segments = store->retention().run_once(now + std::chrono::hours(2));
  EXPECT_GT(segments, 0u);
  EXPECT_EQ(store->min_commit_log_offset(), store->max_commit_log_offset() - store->max_commit_log_offset() % 4096);
}

TEST_F(StoreTest, LookupsByTimeOffsetAndKey) {
  auto store = open(testing::small_config(dir_.path()));
  auto first = put_sync(*store, make_message("T", 0, "one", "", "order-1 user-7"));
  ASSERT_TRUE(first.is_ok());
  std::this_thread::sleep_for(20ms);
  auto second = put_sync(*store, make_message("T", 0, "two", "", "order-2"));
  ASSERT_TRUE(second.is_ok());
  auto other = make_message("U", 0, "other-topic", "", "order-1");
  ASSERT_TRUE(put_sync(*store, other).is_ok());
  ASSERT_TRUE(store->wait_dispatched(5s));

  EXPECT_EQ(store->offset_by_time("T", 0, 0), 0);
  EXPECT_EQ(store->offset_by_time("T", 0, second->store_timestamp), 1);
  EXPECT_EQ(store->offset_by_time("T", 0, second->store_timestamp + 1000), 2);
  auto earliest = store->earliest_store_time("T", 0);
  ASSERT_TRUE(earliest.is_ok());
  EXPECT_EQ(*earliest, first->store_timestamp);
  EXPECT_FALSE(store->earliest_store_time("Nope", 0).is_ok());

  auto looked = store->look_message(second->messages[0].commit_log_offset);
  ASSERT_TRUE(looked.is_ok());
  EXPECT_EQ(looked->body, "two");
  EXPECT_EQ(looked->msg_id, second->messages[0].msg_id);
  EXPECT_FALSE(store->look_message(3).is_ok());

  auto hits = store->query_by_key("T", "order-1", 32, 0, INT64_MAX);
  ASSERT_TRUE(hits.is_ok());
  ASSERT_EQ(hits->records.size(), 1u);
  EXPECT_EQ(body_of(hits->records[0]), "one");
  EXPECT_EQ(store->query_by_key("T", "user-7", 32, 0, INT64_MAX)->records.size(), 1u);
  EXPECT_EQ(store->query_by_key("T", "nope", 32, 0, INT64_MAX)->records.size(), 0u);
  for (int i = 0; i < 70; ++i) ASSERT_TRUE(put_sync(*store, make_message("T", 1, "dup", "", "same-key")).is_ok());
  ASSERT_TRUE(store->wait_dispatched(5s));
  EXPECT_EQ(store->query_by_key("T", "same-key", 1000, 0, INT64_MAX)->records.size(), 64u);  // maxMsgsNumBatch

  auto raw = store->read_commit_log(0, 1 << 20);
  ASSERT_TRUE(raw.is_ok());
  EXPECT_EQ(static_cast<int64_t>(raw->size), store->max_commit_log_offset());
}

TEST_F(StoreTest, ArrivalListenerSeesEachQueueGrow) {
  auto store = open(testing::small_config(dir_.path()));
  std::mutex m;
  std::vector<std::pair<std::string, int64_t>> seen;
  store->set_arrival_listener([&](std::string_view topic, int32_t queue, int64_t max) {
    std::lock_guard lock(m);
    seen.emplace_back(std::string(topic) + ":" + std::to_string(queue), max);
  });
  ASSERT_TRUE(put_sync(*store, make_message("T", 1, "a")).is_ok());
  ASSERT_TRUE(put_sync(*store, make_message("T", 1, "b")).is_ok());
  ASSERT_TRUE(store->wait_dispatched(5s));
  std::lock_guard lock(m);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], std::make_pair(std::string("T:1"), int64_t{2}));
}

}  // namespace
}  // namespace tern::store_mmap
