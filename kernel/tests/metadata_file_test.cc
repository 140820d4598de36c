// Metadata files: atomic replacement with a backup, loading with fallback, errors naming
// the file, and the JSON layouts of topics.json, subscriptionGroup.json and
// consumerOffset.json byte for byte.
#include "broker/metadata_file.h"

#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "broker/metadata_format.h"
#include "broker_test_util.h"

namespace tern::kernel {
namespace {

using testing::slurp;
using testing::spit;
using testing::TempDir;

// A decoder that accepts {"v":<int>} and records the value.
MetadataDecoder int_decoder(int64_t* out) {
  return [out](const JsonValue& json) -> Status {
    const JsonValue* v = json.find("v");
    if (!v) return Status::invalid_argument("v: missing");
    auto n = v->as_int64();
    if (!n) return Status::invalid_argument("v: expected an integer");
    *out = *n;
    return Status::ok();
  };
}

TEST(MetadataFile, WriteReplacesAtomicallyAndKeepsTheOldVersionAsBackup) {
  TempDir dir;
  std::string path = dir.file("config/topics.json");  // the directory does not exist yet
  ASSERT_TRUE(write_file_atomically(path, "{\"v\":1}").is_ok());
  EXPECT_EQ(slurp(path), "{\"v\":1}");
  EXPECT_FALSE(std::filesystem::exists(path + ".bak"));  // nothing to keep the first time
  ASSERT_TRUE(write_file_atomically(path, "{\"v\":2}").is_ok());
  EXPECT_EQ(slurp(path), "{\"v\":2}");
  EXPECT_EQ(slurp(path + ".bak"), "{\"v\":1}");
  ASSERT_TRUE(write_file_atomically(path, "{\"v\":3}").is_ok());
  EXPECT_EQ(slurp(path + ".bak"), "{\"v\":2}");
  // No temp file is left behind, and the backup is a separate file (not the same inode).
  for (const auto& e : std::filesystem::directory_iterator(dir.file("config"))) {
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
  }
  struct stat a {}, b {};
  ASSERT_EQ(::stat(path.c_str(), &a), 0);
  ASSERT_EQ(::stat((path + ".bak").c_str(), &b), 0);
  EXPECT_NE(a.st_ino, b.st_ino);
}

TEST(MetadataFile, AnInterruptedWriteLeavesTheFileIntact) {
  // A crash after writing the temp file but before the rename: the loader reads the file,
  // never the temp file.
  TempDir dir;
  std::string path = dir.file("consumerOffset.json");
  ASSERT_TRUE(write_file_atomically(path, "{\"v\":7}").is_ok());
  spit(path + ".tmp", "{\"v\":");
  int64_t v = 0;
  auto loaded = load_metadata_file(path, int_decoder(&v));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->source, MetadataLoad::Source::kFile);
  EXPECT_EQ(v, 7);
  // The next write replaces the stale temp file.
  ASSERT_TRUE(write_file_atomically(path, "{\"v\":8}").is_ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(MetadataFile, WriteFailureNamesTheFile) {
  TempDir dir;
  spit(dir.file("config"), "a file where the directory should be");
  std::string path = dir.file("config/topics.json");
  Status s = write_file_atomically(path, "{}");
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(s.is_io_error());
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
}

TEST(MetadataFile, MissingFileLoadsAsEmpty) {
  TempDir dir;
  int64_t v = -1;
  auto loaded = load_metadata_file(dir.file("topics.json"), int_decoder(&v));
  ASSERT_TRUE(loaded.is_ok());
  EXPECT_EQ(loaded->source, MetadataLoad::Source::kMissing);
  EXPECT_EQ(v, -1);
}

TEST(MetadataFile, CorruptFileIsRefusedNamingIt) {
  TempDir dir;
  std::string path = dir.file("consumerOffset.json");
  spit(path, "{\"v\":12");  // truncated
  int64_t v = 0;
  auto loaded = load_metadata_file(path, int_decoder(&v));
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_TRUE(loaded.status().is_corruption());
  EXPECT_NE(loaded.status().message().find(path), std::string::npos) << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("not valid JSON"), std::string::npos) << loaded.status().message();
}

TEST(MetadataFile, EmptyFileAndUndecodableFileAreCorrupt) {
  TempDir dir;
  std::string path = dir.file("topics.json");
  spit(path, "");
  int64_t v = 0;
  auto empty = load_metadata_file(path, int_decoder(&v));
  ASSERT_FALSE(empty.is_ok());
  EXPECT_NE(empty.status().message().find(path + " is empty"), std::string::npos) << empty.status().message();

  spit(path, "{\"v\":\"twelve\"}");  // valid JSON, refused by the decoder
  auto bad = load_metadata_file(path, int_decoder(&v));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_TRUE(bad.status().is_corruption());
  EXPECT_NE(bad.status().message().find(path + ": v: expected an integer"), std::string::npos)
      << bad.status().message();
}

TEST(MetadataFile, CorruptFileFallsBackToItsBackup) {
  TempDir dir;
  std::string path = dir.file("topics.json");
  ASSERT_TRUE(write_file_atomically(path, "{\"v\":1}").is_ok());
  ASSERT_TRUE(write_file_atomically(path, "{\"v\":2}").is_ok());
  spit(path, "{\"v\":2");  // damaged after the fact
  int64_t v = 0;
  auto loaded = load_metadata_file(path, int_decoder(&v));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->source, MetadataLoad::Source::kBackup);
  EXPECT_NE(loaded->file_problem.find(path), std::string::npos);
  EXPECT_EQ(v, 1);

  // A missing file with a backup loads the backup too (RocketMQ's rule).
  std::filesystem::remove(path);
  v = 0;
  loaded = load_metadata_file(path, int_decoder(&v));
  ASSERT_TRUE(loaded.is_ok());
  EXPECT_EQ(loaded->source, MetadataLoad::Source::kBackup);
  EXPECT_EQ(v, 1);
}

TEST(MetadataFile, CorruptFileAndCorruptBackupNameBoth) {
  TempDir dir;
  std::string path = dir.file("topics.json");
  spit(path, "garbage");
  spit(path + ".bak", "more garbage");
  int64_t v = 0;
  auto loaded = load_metadata_file(path, int_decoder(&v));
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find(path + " is not valid JSON"), std::string::npos);
  EXPECT_NE(loaded.status().message().find(path + ".bak is not valid JSON"), std::string::npos);
}

TEST(MetadataFile, QuotesBareIntegerKeysOnly) {
  EXPECT_EQ(quote_bare_integer_keys("{0:12, 1 : 34,\n-2:5}"), "{\"0\":12, \"1\" : 34,\n\"-2\":5}");
  EXPECT_EQ(quote_bare_integer_keys("{\"a\":{3:4}}"), "{\"a\":{\"3\":4}}");
  EXPECT_EQ(quote_bare_integer_keys("{\"0\":1,\"x\":[1,2]}"), std::nullopt);     // nothing to quote
  EXPECT_EQ(quote_bare_integer_keys("{\"s\":\"{0:1}\"}"), std::nullopt);       // inside a string
  EXPECT_EQ(quote_bare_integer_keys("{\"s\":\"\\\"{0:1}\"}"), std::nullopt);   // after an escaped quote
}

TEST(MetadataFile, LoadsRocketMqsOwnOffsetFile) {
  // RocketMQ (fastjson) writes Integer map keys unquoted and pretty-prints.
  TempDir dir;
  std::string path = dir.file("consumerOffset.json");
  spit(path,
       "{\n\t\"offsetTable\":{\n\t\t\"TopicTest@please_rename_unique_group_name_4\":{0:250,1:249,2:251,3:250"
       "\n\t\t},\n\t\t\"%RETRY%g@g\":{0:0\n\t\t}\n\t}\n}");
  OffsetTable table;
  auto loaded = load_metadata_file(path, [&](const JsonValue& json) {
    auto decoded = decode_consumer_offsets_file(json);
    if (!decoded) return decoded.status();
    table = *decoded;
    return Status::ok();
  });
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table["TopicTest@please_rename_unique_group_name_4"][2], 251);
  EXPECT_EQ(table["%RETRY%g@g"][0], 0);
}

TEST(MetadataFormat, TopicsFileLayoutAndRoundTrip) {
  TopicsFile file;
  TopicConfig t;
  t.topic_name = "T";
  t.read_queue_nums = 4;
  t.write_queue_nums = 4;
  t.perm = 6;
  file.topics["T"] = t;
  TopicConfig o;
  o.topic_name = "Ordered";
  o.read_queue_nums = 2;
  o.write_queue_nums = 3;
  o.perm = 4;
  o.topic_filter_type = TopicFilterType::kMultiTag;
  o.topic_sys_flag = 1;
  o.order = true;
  file.topics["Ordered"] = o;
  file.data_version = {1700000000123, 5};
  const std::string text = encode_topics_file(file);
  EXPECT_EQ(text,
            "{\"topicConfigTable\":{"
            "\"Ordered\":{\"topicName\":\"Ordered\",\"readQueueNums\":2,\"writeQueueNums\":3,\"perm\":4,"
            "\"topicFilterType\":\"MULTI_TAG\",\"topicSysFlag\":1,\"order\":true},"
            "\"T\":{\"topicName\":\"T\",\"readQueueNums\":4,\"writeQueueNums\":4,\"perm\":6,"
            "\"topicFilterType\":\"SINGLE_TAG\",\"topicSysFlag\":0,\"order\":false}},"
            "\"dataVersion\":{\"timestamp\":1700000000123,\"counter\":5}}");
  auto json = parse_json(text);
  ASSERT_TRUE(json.is_ok());
  auto back = decode_topics_file(*json);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->topics, file.topics);
  EXPECT_EQ(back->data_version, file.data_version);
}

TEST(MetadataFormat, TopicsFileDefaultsUnknownFieldsAndTypeErrors) {
  // Missing fields take RocketMQ's defaults; unknown ones (newer RocketMQ) are ignored.
  auto json = parse_json(R"({"topicConfigTable":{"A":{"topicName":"A","perm":2,"attributes":{}}}})");
  ASSERT_TRUE(json.is_ok());
  auto decoded = decode_topics_file(*json);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  const TopicConfig& a = decoded->topics.at("A");
  EXPECT_EQ(a.read_queue_nums, 16);
  EXPECT_EQ(a.write_queue_nums, 16);
  EXPECT_EQ(a.perm, 2);
  EXPECT_EQ(decoded->data_version, DataVersion{});

  auto wrong = parse_json(R"({"topicConfigTable":{"A":{"readQueueNums":"4"}}})");
  ASSERT_TRUE(wrong.is_ok());
  auto refused = decode_topics_file(*wrong);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().message(), "topicConfigTable.A.readQueueNums: expected an integer");

  auto filter = parse_json(R"({"topicConfigTable":{"A":{"topicFilterType":"ALL_TAGS"}}})");
  ASSERT_TRUE(filter.is_ok());
  EXPECT_FALSE(decode_topics_file(*filter).is_ok());
}

TEST(MetadataFormat, SubscriptionGroupsFileLayoutAndRoundTrip) {
  SubscriptionGroupsFile file;
  SubscriptionGroupConfig g;
  g.group_name = "G";
  g.retry_queue_nums = 3;
  g.consume_broadcast_enable = false;
  file.groups["G"] = g;
  file.data_version = {42, 1};
  const std::string text = encode_subscription_groups_file(file);
  EXPECT_EQ(text,
            "{\"subscriptionGroupTable\":{\"G\":{\"groupName\":\"G\",\"consumeEnable\":true,"
            "\"consumeFromMinEnable\":true,\"consumeBroadcastEnable\":false,\"retryQueueNums\":3,"
            "\"retryMaxTimes\":16,\"brokerId\":0,\"whichBrokerWhenConsumeSlowly\":1,"
            "\"notifyConsumerIdsChangedEnable\":true}},\"dataVersion\":{\"timestamp\":42,\"counter\":1}}");
  auto json = parse_json(text);
  ASSERT_TRUE(json.is_ok());
  auto back = decode_subscription_groups_file(*json);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->groups, file.groups);
  EXPECT_EQ(back->data_version, file.data_version);

  auto wrong = parse_json(R"({"subscriptionGroupTable":{"G":{"consumeEnable":1}}})");
  ASSERT_TRUE(wrong.is_ok());
  auto refused = decode_subscription_groups_file(*wrong);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().message(), "subscriptionGroupTable.G.consumeEnable: expected true or false");
}

TEST(MetadataFormat, ConsumerOffsetsFileLayoutAndRoundTrip) {
  OffsetTable table;
  table[offset_table_key("T", "G")] = {{1, 34}, {0, 12}, {10, 9000000000}};
  table[offset_table_key("%RETRY%G", "G")] = {{0, 0}};
  const std::string text = encode_consumer_offsets_file(table);
  EXPECT_EQ(text, "{\"offsetTable\":{\"%RETRY%G@G\":{\"0\":0},\"T@G\":{\"0\":12,\"1\":34,\"10\":9000000000}}}");
  auto json = parse_json(text);
  ASSERT_TRUE(json.is_ok());
  auto back = decode_consumer_offsets_file(*json);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, table);

  for (const char* bad : {R"({"offsetTable":{"nogroup":{"0":1}}})", R"({"offsetTable":{"T@G":{"x":1}}})",
                          R"({"offsetTable":{"T@G":{"0":"1"}}})", R"({"offsetTable":[]})"}) {
    auto j = parse_json(bad);
    ASSERT_TRUE(j.is_ok()) << bad;
    EXPECT_FALSE(decode_consumer_offsets_file(*j).is_ok()) << bad;
  }
}

TEST(MetadataWriter, WritesOnlyWhenLoadedAndDirty) {
  TempDir dir;
  std::string path = dir.file("consumerOffset.json");
  int snapshots = 0;
  MetadataWriter writer(path, [&] {
    ++snapshots;
    return std::string("{\"n\":") + std::to_string(snapshots) + "}";
  });
  writer.mark_dirty();
  ASSERT_TRUE(writer.write_if_dirty().is_ok());
  EXPECT_FALSE(std::filesystem::exists(path));  // not loaded: a table that failed to load never overwrites
  writer.mark_loaded();
  ASSERT_TRUE(writer.write_if_dirty().is_ok());  // still dirty from before loading
  EXPECT_EQ(slurp(path), "{\"n\":1}");
  ASSERT_TRUE(writer.write_if_dirty().is_ok());  // clean: no write
  EXPECT_EQ(snapshots, 1);

  int scheduled = 0;
  writer.set_scheduler([&] { ++scheduled; });
  writer.changed();
  writer.changed();  // one pending write covers both
  EXPECT_EQ(scheduled, 1);
  ASSERT_TRUE(writer.write_if_dirty().is_ok());
  EXPECT_EQ(slurp(path), "{\"n\":2}");
  writer.changed();
  EXPECT_EQ(scheduled, 2);
}

TEST(MetadataWriter, FailedWriteStaysDirty) {
  TempDir dir;
  spit(dir.file("config"), "not a directory");
  MetadataWriter writer(dir.file("config/topics.json"), [] { return std::string("{}"); });
  writer.mark_loaded();
  writer.mark_dirty();
  EXPECT_FALSE(writer.write_if_dirty().is_ok());
  std::filesystem::remove(dir.file("config"));
  EXPECT_TRUE(writer.write_if_dirty().is_ok());  // retried although nothing changed since
  EXPECT_EQ(slurp(dir.file("config/topics.json")), "{}");
}

}  // namespace
}  // namespace tern::kernel
