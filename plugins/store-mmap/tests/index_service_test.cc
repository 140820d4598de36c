// IndexService and IndexFile: add and query, hash collisions, rollover, reload and
// idempotency, the on-disk bytes (pinned to RocketMQ 4.x's layout), damaged files, and
// retention. Each test works in its own temporary directory.
//
// The key hashes written below as numbers were computed apart from the code under test
// (Java's String.hashCode formula, s[0]*31^(n-1) + ... + s[n-1] in 32-bit arithmetic).
#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "index_file.h"
#include "index_service.h"

namespace tern::store_mmap {
namespace {

constexpr int64_t kBase = 1700000000123;  // a store time, ms
constexpr int64_t kForever = std::numeric_limits<int64_t>::max();

class IndexServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/index_service_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  IndexServiceOptions options(int32_t slots = 1000, int32_t entries = 1000) const {
    return IndexServiceOptions{dir_, slots, entries};
  }
  std::unique_ptr<IndexService> open(int32_t slots = 1000, int32_t entries = 1000) const {
    auto service = std::make_unique<IndexService>(options(slots, entries));
    Status s = service->load();
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return service;
  }
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) names.push_back(e.path().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  static std::vector<int64_t> find(const IndexService& s, std::string_view topic, std::string_view key,
                                   int32_t max = 64, int64_t begin = 0, int64_t end = kForever) {
    return s.query(topic, key, max, begin, end).commit_log_offsets;
  }
  // 35 messages i = 0..34 at offset i*100, one second apart, each under "m<i>" and "all".
  static void add_35(IndexService& s) {
    for (int i = 0; i < 35; ++i) {
      std::string key = "m" + std::to_string(i);
      ASSERT_TRUE(s.add("T", {key, "all"}, i * 100, kBase + i * 1000).is_ok());
    }
  }
  static std::vector<uint8_t> bytes_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static void patch32(const std::string& path, int64_t pos, int32_t v) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(pos);
    for (int shift = 24; shift >= 0; shift -= 8) f.put(static_cast<char>((static_cast<uint32_t>(v) >> shift) & 0xFF));
  }
  static int64_t be(const std::vector<uint8_t>& b, size_t pos, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | b.at(pos + i);
    return n == 4 ? static_cast<int32_t>(v) : static_cast<int64_t>(v);
  }

  std::string dir_;
};

using Offsets = std::vector<int64_t>;

TEST_F(IndexServiceTest, KeyHashIsJavasAbsoluteHashCode) {
  EXPECT_EQ(IndexFile::key_hash("TopicA", "order-1"), 12101377);
  EXPECT_EQ(IndexFile::key_hash("TopicB", "order-1"), 1795353086);  // hashCode -1795353086
  EXPECT_EQ(IndexFile::key_hash("T", "hh5GTUxWWak"), 0);            // hashCode Integer.MIN_VALUE
  EXPECT_EQ(IndexFile::key_hash("T", "Aa"), 2538191);
  EXPECT_EQ(IndexFile::key_hash("T", "BB"), 2538191);
}

TEST_F(IndexServiceTest, AddAndQueryKeepsKeysAndTopicsApart) {
  auto s = open();
  ASSERT_TRUE(s->add("TopicA", {"k1", "k2"}, 100, kBase).is_ok());
  ASSERT_TRUE(s->add("TopicA", {"k1"}, 200, kBase + 10).is_ok());
  ASSERT_TRUE(s->add("TopicB", {"k1"}, 300, kBase + 20).is_ok());
  EXPECT_EQ(find(*s, "TopicA", "k1"), (Offsets{200, 100}));
  EXPECT_EQ(find(*s, "TopicA", "k2"), (Offsets{100}));
  EXPECT_EQ(find(*s, "TopicB", "k1"), (Offsets{300}));
  EXPECT_EQ(find(*s, "TopicB", "k2"), Offsets{});
  EXPECT_EQ(find(*s, "TopicA", "k3"), Offsets{});
  auto hits = s->query("TopicA", "k1", 10, 0, kForever);
  EXPECT_EQ(hits.last_update_timestamp, kBase + 20);
  EXPECT_EQ(hits.last_update_phy_offset, 300);
  EXPECT_EQ(s->max_indexed_offset(), 300);
}

TEST_F(IndexServiceTest, NewestFirstAndMaxCount) {
  auto s = open();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(s->add("T", {"hot"}, i * 10, kBase + i).is_ok());
  EXPECT_EQ(find(*s, "T", "hot", 5), (Offsets{190, 180, 170, 160, 150}));
  EXPECT_EQ(find(*s, "T", "hot", 100).size(), 20u);
  EXPECT_EQ(find(*s, "T", "hot", 0), Offsets{});
}

TEST_F(IndexServiceTest, TimeRangeFiltersBySecond) {
  auto s = open();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(s->add("T", {"k"}, i * 10, kBase + i * 10000).is_ok());
  EXPECT_EQ(find(*s, "T", "k", 64, kBase + 25000, kBase + 55000), (Offsets{50, 40, 30}));
  EXPECT_EQ(find(*s, "T", "k", 64, kBase + 95001, kForever), Offsets{});
  EXPECT_EQ(find(*s, "T", "k", 64, 0, kBase - 1), Offsets{});
  EXPECT_EQ(find(*s, "T", "k", 64, kBase + 20000, kBase + 10000), Offsets{});  // begin > end
  // Stored 1500 ms into the file, kept as "second 1": a tight range around t finds it.
  ASSERT_TRUE(s->add("T", {"sub"}, 1000, kBase + 91500).is_ok());
  EXPECT_EQ(find(*s, "T", "sub", 64, kBase + 91400, kBase + 91600), (Offsets{1000}));
  EXPECT_EQ(find(*s, "T", "sub", 64, kBase + 91500, kBase + 91500), (Offsets{1000}));
}

TEST_F(IndexServiceTest, CollidingKeysAreBothReturnedOtherSlotsAreNot) {
  auto s = open(8, 100);
  const int32_t slot = IndexFile::key_hash("T", "Aa") % 8;
  std::string same_slot;  // same slot, different hash: the chain holds it, the hash test drops it
  for (int i = 0; same_slot.empty(); ++i) {
    std::string k = "s" + std::to_string(i);
    if (IndexFile::key_hash("T", k) % 8 == slot && IndexFile::key_hash("T", k) != 2538191) same_slot = k;
  }
  std::string other_slot = "o0";
  for (int i = 1; IndexFile::key_hash("T", other_slot) % 8 == slot; ++i) other_slot = "o" + std::to_string(i);
  ASSERT_TRUE(s->add("T", {"Aa"}, 100, kBase).is_ok());
  ASSERT_TRUE(s->add("T", {"BB"}, 200, kBase).is_ok());
  ASSERT_TRUE(s->add("T", {same_slot}, 300, kBase).is_ok());
  ASSERT_TRUE(s->add("T", {other_slot}, 400, kBase).is_ok());
  EXPECT_EQ(find(*s, "T", "Aa"), (Offsets{200, 100}));  // the caller filters out 200
  EXPECT_EQ(find(*s, "T", "BB"), (Offsets{200, 100}));
  EXPECT_EQ(find(*s, "T", same_slot), (Offsets{300}));
  EXPECT_EQ(find(*s, "T", other_slot), (Offsets{400}));
}

TEST_F(IndexServiceTest, RolloverSpansFilesAndQueriesAllOfThem) {
  auto s = open(8, 10);  // 9 entries a file
  add_35(*s);
  auto names = files();
  ASSERT_EQ(names.size(), 8u);  // 70 entries / 9
  for (size_t i = 0; i < names.size(); ++i) {
    std::string name = std::filesystem::path(names[i]).filename();
    EXPECT_EQ(name.size(), 17u);
    EXPECT_EQ(name.find_first_not_of("0123456789"), std::string::npos);
    EXPECT_EQ(std::filesystem::file_size(names[i]), 40u + 8 * 4 + 10 * 20);
  }
  for (int i = 0; i < 35; ++i) EXPECT_EQ(find(*s, "T", "m" + std::to_string(i)), (Offsets{i * 100})) << i;
  auto all = find(*s, "T", "all", 100);
  ASSERT_EQ(all.size(), 35u);
  for (int i = 0; i < 35; ++i) EXPECT_EQ(all[i], (34 - i) * 100);
  // A range inside one middle file.
  EXPECT_EQ(find(*s, "T", "all", 100, kBase + 10000, kBase + 12000), (Offsets{1200, 1100, 1000}));
}

TEST_F(IndexServiceTest, ReloadKeepsEntriesAndTheIdempotencyMark) {
  add_35(*open(8, 10));
  auto s = open(8, 10);
  EXPECT_EQ(s->max_indexed_offset(), 3400);
  for (int i = 0; i < 35; ++i) EXPECT_EQ(find(*s, "T", "m" + std::to_string(i)), (Offsets{i * 100})) << i;
  // Re-dispatched messages add nothing.
  ASSERT_TRUE(s->add("T", {"m34", "all"}, 3400, kBase + 34000).is_ok());
  ASSERT_TRUE(s->add("T", {"m3", "late"}, 300, kBase + 3000).is_ok());
  EXPECT_EQ(find(*s, "T", "m34"), (Offsets{3400}));
  EXPECT_EQ(find(*s, "T", "late"), Offsets{});
  EXPECT_EQ(files().size(), 8u);  // nothing was written, so no file was started
  // Recovery truncated the log at 3000: offsets from there on are reused.
  s->forget_from(3000);
  EXPECT_EQ(s->max_indexed_offset(), 2999);
  ASSERT_TRUE(s->flush().is_ok());
  s = open(8, 10);
  EXPECT_EQ(s->max_indexed_offset(), 2999);  // the lowered mark survived
  ASSERT_TRUE(s->add("T", {"again", "all"}, 3000, kBase + 40000).is_ok());
  EXPECT_EQ(s->max_indexed_offset(), 3000);
  EXPECT_EQ(find(*s, "T", "again"), (Offsets{3000}));
  EXPECT_EQ(find(*s, "T", "all", 100).size(), 35u);  // 3000 once, though indexed twice
}

TEST_F(IndexServiceTest, ACrashBetweenAMessagesKeysLeavesItToBeIndexedAgain) {
  {
    auto s = open();
    ASSERT_TRUE(s->add("T", {"a1", "a2"}, 100, kBase).is_ok());
  }
  // The process dies after the first key of the next message went in, before its mark.
  {
    auto file = IndexFile::open(files().back(), 1000, 1000);
    ASSERT_TRUE(file.is_ok()) << file.status().to_string();
    (*file)->put(IndexFile::key_hash("T", "b1"), 200, kBase + 1000);
  }
  auto s = open();
  EXPECT_EQ(s->max_indexed_offset(), 100);  // not 200: b2 is not in yet
  ASSERT_TRUE(s->add("T", {"b1", "b2"}, 200, kBase + 1000).is_ok());  // recovery re-dispatches
  EXPECT_EQ(find(*s, "T", "b2"), (Offsets{200}));
  EXPECT_EQ(find(*s, "T", "b1"), (Offsets{200}));  // indexed twice, returned once
  EXPECT_EQ(s->max_indexed_offset(), 200);
}

TEST_F(IndexServiceTest, APutCutAfterItsSlotKeepsTheOlderChain) {
  constexpr int32_t kSlots = 8;
  ASSERT_TRUE(open(kSlots)->add("T", {"x"}, 100, kBase).is_ok());  // entry 1
  // A crash mid-put of a second "x": entry 2 and the slot written, the count not.
  const int32_t hash = IndexFile::key_hash("T", "x");
  const int64_t entry2 = 40 + kSlots * 4 + 2 * 20;
  const std::string path = files().back();
  patch32(path, entry2, hash);
  patch32(path, entry2 + 4, 0);
  patch32(path, entry2 + 8, 200);
  patch32(path, entry2 + 12, 0);
  patch32(path, entry2 + 16, 1);  // its link to entry 1
  patch32(path, 40 + (hash % kSlots) * 4, 2);
  auto s = open(kSlots);
  EXPECT_EQ(find(*s, "T", "x"), (Offsets{100}));  // the uncounted entry is not served, the old one is
  ASSERT_TRUE(s->add("T", {"x"}, 300, kBase + 1000).is_ok());
  EXPECT_EQ(find(*s, "T", "x"), (Offsets{300, 100}));
}

TEST_F(IndexServiceTest, BytesMatchRocketMqLayout) {
  auto s = open(8, 10);
  ASSERT_TRUE(s->add("TopicA", {"order-1"}, 4096, kBase).is_ok());
  ASSERT_TRUE(s->add("TopicB", {"order-1", "", "order-1"}, 8192, kBase + 2500).is_ok());
  ASSERT_TRUE(s->add("TopicA", {"order-1"}, 12288, kBase + 2999).is_ok());
  ASSERT_TRUE(s->flush().is_ok());
  auto names = files();
  ASSERT_EQ(names.size(), 1u);
  auto b = bytes_of(names[0]);
  ASSERT_EQ(b.size(), 272u);  // 40 + 8*4 + 10*20
  EXPECT_EQ(be(b, 0, 8), kBase);            // beginTimestamp
  EXPECT_EQ(be(b, 8, 8), kBase + 2999);     // endTimestamp
  EXPECT_EQ(be(b, 16, 8), 4096);            // beginPhyOffset
  EXPECT_EQ(be(b, 24, 8), 12288);           // endPhyOffset
  EXPECT_EQ(be(b, 32, 4), 2);               // hashSlotCount: slots 1 and 6
  EXPECT_EQ(be(b, 36, 4), 4);               // indexCount: 3 entries, numbered from 1
  EXPECT_EQ(be(b, 40 + 1 * 4, 4), 3);       // slot 1 (12101377 % 8): newest is entry 3
  EXPECT_EQ(be(b, 40 + 6 * 4, 4), 2);       // slot 6 (1795353086 % 8): entry 2
  for (int slot : {0, 2, 3, 4, 5, 7}) EXPECT_EQ(be(b, 40 + slot * 4, 4), 0) << slot;
  for (size_t i = 72; i < 92; ++i) EXPECT_EQ(b[i], 0) << "entry 0 is never written, byte " << i;
  struct Entry { int32_t hash; int64_t offset; int32_t diff, prev; };
  const Entry expected[] = {{12101377, 4096, 0, 0}, {1795353086, 8192, 2, 0}, {12101377, 12288, 2, 1}};
  for (int n = 1; n <= 3; ++n) {
    size_t pos = 72 + n * 20;
    EXPECT_EQ(be(b, pos, 4), expected[n - 1].hash) << n;
    EXPECT_EQ(be(b, pos + 4, 8), expected[n - 1].offset) << n;
    EXPECT_EQ(be(b, pos + 12, 4), expected[n - 1].diff) << n;
    EXPECT_EQ(be(b, pos + 16, 4), expected[n - 1].prev) << n;
  }
  for (size_t i = 72 + 4 * 20; i < b.size(); ++i) EXPECT_EQ(b[i], 0) << i;
}

TEST_F(IndexServiceTest, BadFilesFailLoadNamingThem) {
  IndexService bad_options(options(8, 1));
  EXPECT_TRUE(bad_options.load().is_invalid_argument());

  const std::string wrong_size = dir_ + "/20240101000000000";
  std::ofstream(wrong_size) << "short";
  IndexService s1(options(8, 10));
  Status st = s1.load();
  EXPECT_TRUE(st.is_corruption()) << st.to_string();
  EXPECT_NE(st.message().find(wrong_size), std::string::npos) << st.to_string();
  std::filesystem::remove(wrong_size);

  ASSERT_TRUE(open(8, 10)->add("T", {"k"}, 0, kBase).is_ok());
  const std::string path = files().at(0);
  patch32(path, 36, 11);  // indexCount beyond maxIndexNum
  IndexService s2(options(8, 10));
  st = s2.load();
  EXPECT_TRUE(st.is_corruption()) << st.to_string();
  EXPECT_NE(st.message().find(path), std::string::npos) << st.to_string();

  std::filesystem::remove(path);
  std::ofstream(dir_ + "/notes.txt") << "x";
  IndexService s3(options(8, 10));
  EXPECT_TRUE(s3.load().is_corruption());
}

TEST_F(IndexServiceTest, DamagedChainsEndTheWalk) {
  ASSERT_TRUE(open(8, 10)->add("T", {"k"}, 100, kBase).is_ok());
  auto s = open(8, 10);
  ASSERT_TRUE(s->add("T", {"k"}, 200, kBase).is_ok());
  ASSERT_TRUE(s->add("T", {"k"}, 300, kBase).is_ok());
  s.reset();
  const std::string path = files().at(0);
  const int64_t entries = 40 + 8 * 4;
  patch32(path, entries + 2 * 20 + 16, 3);  // entry 2 -> entry 3 -> entry 2 -> ...
  s = open(8, 10);
  EXPECT_EQ(find(*s, "T", "k"), (Offsets{300, 200}));
  s.reset();
  patch32(path, entries + 3 * 20 + 16, 3);  // entry 3 -> itself
  s = open(8, 10);
  EXPECT_EQ(find(*s, "T", "k"), (Offsets{300}));
  s.reset();
  patch32(path, 40 + (IndexFile::key_hash("T", "k") % 8) * 4, 9);  // slot -> an unwritten entry
  s = open(8, 10);
  EXPECT_EQ(find(*s, "T", "k"), Offsets{});
}

TEST_F(IndexServiceTest, DeleteFilesBelowKeepsTheNewest) {
  auto s = open(8, 10);
  add_35(*s);
  // File n holds entries 9n..9n+8, entry j for offset (j/2)*100: files 0 and 1 end at 400
  // and 800, file 2 at 1300.
  EXPECT_EQ(s->delete_files_below(1000), 2);
  EXPECT_EQ(files().size(), 6u);
  EXPECT_EQ(find(*s, "T", "m0"), Offsets{});
  EXPECT_EQ(find(*s, "T", "m9"), (Offsets{900}));
  EXPECT_EQ(s->delete_files_below(kForever), 5);
  ASSERT_EQ(files().size(), 1u);
  EXPECT_EQ(find(*s, "T", "m34"), (Offsets{3400}));
  EXPECT_EQ(s->delete_files_below(kForever), 0);
  ASSERT_TRUE(s->flush().is_ok());
  EXPECT_EQ(open(8, 10)->max_indexed_offset(), 3400);
}

TEST_F(IndexServiceTest, CreateFailureNamesTheFile) {
  auto s = open(8, 2);  // one entry a file: every add creates one
  ASSERT_TRUE(s->add("T", {"k"}, 0, kBase).is_ok());
  std::filesystem::remove_all(dir_);
  std::ofstream(dir_) << "not a directory";
  Status st = s->add("T", {"k"}, 100, kBase);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find(dir_ + "/"), std::string::npos) << st.to_string();
  EXPECT_EQ(s->max_indexed_offset(), 0);
  EXPECT_EQ(find(*s, "T", "k"), (Offsets{0}));
}

TEST_F(IndexServiceTest, QueriesRunWhileAdding) {
  auto s = open(64, 100);
  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        auto hits = find(*s, "T", "k", 32);
        for (size_t i = 1; i < hits.size(); ++i) ASSERT_GT(hits[i - 1], hits[i]);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(s->add("T", {"k", "u" + std::to_string(i)}, i, kBase + i).is_ok());
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(find(*s, "T", "k", 3), (Offsets{1999, 1998, 1997}));
  EXPECT_EQ(find(*s, "T", "u0"), (Offsets{0}));
  ASSERT_TRUE(s->flush().is_ok());
}

}  // namespace
}  // namespace tern::store_mmap
