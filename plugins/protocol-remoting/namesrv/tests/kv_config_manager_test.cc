// KvConfigManager: the table, kvConfig.json's format, persisting and reloading, the
// backup, and refusing a corrupt file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kv_config_manager.h"
#include "test_support.h"

namespace tern::remoting {
namespace {

using testing::CapturingLogger;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

class KvConfigManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tern-kv-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "namesrv" / "kvConfig.json").string();  // the directory is created on first write
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CapturingLogger logger_;
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(KvConfigManagerTest, PersistsAndReloads) {
  {
    KvConfigManager kv(path_, logger_);
    ASSERT_TRUE(kv.load().is_ok());  // no file yet: empty
    kv.put("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4;broker-b:4");
    kv.put("ns", "k\"quoted", "v\n");
    kv.put("ns", "gone", "x");
    EXPECT_TRUE(kv.remove("ns", "gone"));
    EXPECT_FALSE(kv.remove("ns", "gone"));
    EXPECT_FALSE(kv.remove("nons", "gone"));
    ASSERT_TRUE(kv.flush().is_ok());
    EXPECT_EQ(slurp(path_), R"({"configTable":{"ORDER_TOPIC_CONFIG":{"TopicA":"broker-a:4;broker-b:4"},)"
                            R"("ns":{"k\"quoted":"v\n"}}})");
  }
  KvConfigManager again(path_, logger_);
  ASSERT_TRUE(again.load().is_ok());
  EXPECT_EQ(again.get("ORDER_TOPIC_CONFIG", "TopicA"), "broker-a:4;broker-b:4");
  EXPECT_EQ(again.get("ns", "k\"quoted"), "v\n");
  EXPECT_FALSE(again.get("ns", "gone").has_value());
  EXPECT_EQ(again.list("ns"), (std::map<std::string, std::string>{{"k\"quoted", "v\n"}}));
  EXPECT_FALSE(again.list("nope").has_value());
}

TEST_F(KvConfigManagerTest, TheDestructorWritesWhatIsPending) {
  {
    KvConfigManager kv(path_, logger_);
    for (int i = 0; i < 100; ++i) kv.put("ns", "k" + std::to_string(i), std::to_string(i));
  }
  KvConfigManager again(path_, logger_);
  ASSERT_TRUE(again.load().is_ok());
  EXPECT_EQ(again.list("ns")->size(), 100u);
}

TEST_F(KvConfigManagerTest, ReadsRocketMqsFileAndKeepsABackup) {
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  // As fastjson writes it (pretty-printed by RocketMQ's toJson(true) in some versions).
  spit(path_, "{\n\t\"configTable\":{\n\t\t\"ORDER_TOPIC_CONFIG\":{\n\t\t\t\"T\":\"b:8\"\n\t\t}\n\t}\n}");
  KvConfigManager kv(path_, logger_);
  ASSERT_TRUE(kv.load().is_ok());
  EXPECT_EQ(kv.get("ORDER_TOPIC_CONFIG", "T"), "b:8");
  kv.put("ns", "k", "v");
  ASSERT_TRUE(kv.flush().is_ok());
  EXPECT_NE(slurp(path_ + ".bak").find("\"T\":\"b:8\""), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  // A damaged file: the backup is used, and said so.
  spit(path_, "{\"configTable\":{\"ns\":");
  KvConfigManager from_backup(path_, logger_);
  ASSERT_TRUE(from_backup.load().is_ok());
  EXPECT_EQ(from_backup.get("ORDER_TOPIC_CONFIG", "T"), "b:8");
  EXPECT_NE(logger_.find({"loaded its backup", path_ + ".bak"}), "");
}

TEST_F(KvConfigManagerTest, CorruptFileWithoutBackupRefusesToLoad) {
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  spit(path_, R"({"configTable":{"ns":["not","an","object"]}})");
  KvConfigManager kv(path_, logger_);
  Status s = kv.load();
  EXPECT_TRUE(s.is_corruption()) << s.to_string();
  EXPECT_NE(s.message().find(path_), std::string::npos);
  EXPECT_NE(s.message().find("namespace \"ns\" is not an object"), std::string::npos) << s.message();
}

TEST_F(KvConfigManagerTest, UnwritablePathIsReportedByFlush) {
  std::filesystem::create_directories(dir_);
  spit((dir_ / "file").string(), "x");
  KvConfigManager kv((dir_ / "file" / "kvConfig.json").string(), logger_);  // parent is a file
  kv.put("ns", "k", "v");
  Status s = kv.flush();
  EXPECT_TRUE(s.is_io_error()) << s.to_string();
  EXPECT_EQ(kv.get("ns", "k"), "v");  // the table still has it
}

TEST_F(KvConfigManagerTest, MemoryOnly) {
  KvConfigManager kv("", logger_);
  ASSERT_TRUE(kv.load().is_ok());
  kv.put("ns", "k", "v");
  EXPECT_TRUE(kv.flush().is_ok());
  EXPECT_EQ(kv.get("ns", "k"), "v");
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST(KvConfigFile, ParsesLenientlyAndEncodesExactly) {
  auto t = parse_kv_config_file(R"({"configTable":{"a":{"n":1,"b":true,"z":null}},"other":1})");
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ((*t)["a"], (std::map<std::string, std::string>{{"b", "true"}, {"n", "1"}}));
  EXPECT_TRUE(parse_kv_config_file("{}")->empty());
  EXPECT_FALSE(parse_kv_config_file("[1]").is_ok());
  EXPECT_FALSE(parse_kv_config_file(R"({"configTable":{"a":{"k":[]}}})").is_ok());
  EXPECT_EQ(encode_kv_config_file({}), R"({"configTable":{}})");
}

}  // namespace
}  // namespace tern::remoting
