// EffectiveConfig: defaults, sources, aliases, validation messages, scoping and printing,
// over the broker's real key table.
#include "config/effective_config.h"

#include <cstdlib>
#include <sstream>

#include <gtest/gtest.h>

#include "config/broker_config_keys.h"

namespace tern::kernel {
namespace {

class EffectiveConfigTest : public ::testing::Test {
 protected:
  EffectiveConfigTest() : config_({{"exeDir", "/opt/tern/bin"}, {"hostname", "host-1"}}) {
    config_.declare(broker_config_keys(), "", "broker");
    for (const auto& a : broker_config_aliases()) config_.add_alias(a.alias, a.key);
  }
  EffectiveConfig config_;
};

TEST_F(EffectiveConfigTest, RocketMqDefaults) {
  EXPECT_EQ(config_.get_int("listenPort"), 10911);
  EXPECT_EQ(config_.get_string("brokerClusterName"), "DefaultCluster");
  EXPECT_EQ(config_.get_string("brokerName"), "host-1");
  EXPECT_EQ(config_.get_string("flushDiskType"), "ASYNC_FLUSH");
  EXPECT_EQ(config_.get_string("brokerRole"), "ASYNC_MASTER");
  EXPECT_EQ(config_.get_int("mappedFileSizeCommitLog"), 1073741824);
  EXPECT_EQ(config_.get_int("maxMessageSize"), 4194304);
  EXPECT_EQ(config_.get_int("fileReservedTime"), 72);
  EXPECT_EQ(config_.get_string("deleteWhen"), "04");
  EXPECT_TRUE(config_.get_bool("autoCreateTopicEnable"));
  EXPECT_FALSE(config_.get_bool("enablePropertyFilter"));
  EXPECT_EQ(config_.get_string("messageDelayLevel"), "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h");
  EXPECT_EQ(config_.get_string("pluginDir"), "/opt/tern/bin/../lib/tern/plugins");
  EXPECT_FALSE(config_.is_set("listenPort"));
  EXPECT_EQ(config_.origin("listenPort"), "default");
}

TEST_F(EffectiveConfigTest, DerivedDefaultsFollowTheKeysTheyName) {
  config_.set("storePathRootDir", "/data/store", "f:1");
  EXPECT_EQ(config_.get_string("storePathCommitLog"), "/data/store/commitlog");
  EXPECT_EQ(config_.get_string("storePathConsumeQueue"), "/data/store/consumequeue");
  EXPECT_EQ(config_.get_string("abortFile"), "/data/store/abort");
  config_.set("storePathCommitLog", "/fast/commitlog", "f:2");
  EXPECT_EQ(config_.get_string("storePathCommitLog"), "/fast/commitlog");
}

TEST_F(EffectiveConfigTest, EnvironmentDefaults) {
  ::setenv("NAMESRV_ADDR", "10.0.0.1:9876", 1);
  EXPECT_EQ(config_.get_string("namesrvAddr"), "10.0.0.1:9876");
  config_.set("namesrvAddr", "127.0.0.1:9876", "command line -n");
  EXPECT_EQ(config_.get_string("namesrvAddr"), "127.0.0.1:9876");
  ::unsetenv("NAMESRV_ADDR");
}

TEST_F(EffectiveConfigTest, OverrideDefaultKeepsTheKeyUnset) {
  config_.override_default("storePathRootDir", "/tmp/x/store");
  EXPECT_EQ(config_.get_string("storePathIndex"), "/tmp/x/store/index");
  EXPECT_FALSE(config_.is_set("storePathRootDir"));
}

TEST_F(EffectiveConfigTest, LaterSetWinsAndIsWarned) {
  config_.set("listenPort", "10911", "b.properties:1");
  config_.set("listenPort", "20911", "b.properties:9");
  EXPECT_EQ(config_.get_int("listenPort"), 20911);
  EXPECT_EQ(config_.origin("listenPort"), "b.properties:9");
  auto w = config_.warnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], "b.properties:1: key 'listenPort' is set again at b.properties:9, which wins");
}

TEST_F(EffectiveConfigTest, AliasesMapToTheCurrentSpelling) {
  config_.set("mapedFileSizeCommitLog", "4096", "b.properties:3");
  EXPECT_EQ(config_.get_int("mappedFileSizeCommitLog"), 4096);
  EXPECT_TRUE(config_.problems(EffectiveConfig::Scope::kBrokerKeys).empty());
}

TEST_F(EffectiveConfigTest, BadValueNamesOriginKeyValueAndExpectation) {
  config_.set("listenPort", "abc", "conf/broker.properties:12");
  config_.set("flushDiskType", "SYNC", "conf/broker.properties:13");
  auto p = config_.problems(EffectiveConfig::Scope::kBrokerKeys);
  ASSERT_EQ(p.size(), 2u);  // in file order
  EXPECT_EQ(p[0], "conf/broker.properties:12: bad value 'abc' for key 'listenPort': expected an integer in 1..65535");
  EXPECT_EQ(p[1], "conf/broker.properties:13: bad value 'SYNC' for key 'flushDiskType': expected one of "
                  "ASYNC_FLUSH, SYNC_FLUSH");
}

TEST_F(EffectiveConfigTest, UnknownKeySuggestsTheNearestKey) {
  config_.set("lisenPort", "10911", "conf/broker.properties:4");
  config_.set("totallyUnrelatedSetting", "1", "conf/broker.properties:5");
  auto p = config_.problems(EffectiveConfig::Scope::kBrokerKeys);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], "conf/broker.properties:4: unknown key 'lisenPort' (did you mean 'listenPort'?)");
  EXPECT_EQ(p[1], "conf/broker.properties:5: unknown key 'totallyUnrelatedSetting'");
}

TEST_F(EffectiveConfigTest, NoEffectKeysAreAcceptedWithAWarning) {
  config_.set("sendMessageThreadPoolNums", "128", "b.properties:7");
  EXPECT_TRUE(config_.problems(EffectiveConfig::Scope::kBrokerKeys).empty());
  auto w = config_.warnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("'sendMessageThreadPoolNums' has no effect in Tern"), std::string::npos);
}

TEST_F(EffectiveConfigTest, PluginKeysAreCheckedInTheirOwnScope) {
  config_.set("mqtt.listenPort", "1883", "b.properties:20");
  config_.set("fixture.port", "70000", "b.properties:21");
  config_.set("fixture.prot", "1", "b.properties:22");
  EXPECT_TRUE(config_.problems(EffectiveConfig::Scope::kBrokerKeys).empty());
  const ConfigKeySpec keys[] = {{"port", ConfigType::kInt, "7000", "1..65535", "a port", 0}};
  config_.declare(keys, "fixture", "plugin fixture-good");
  auto p = config_.problems(EffectiveConfig::Scope::kPluginKeys);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], "b.properties:20: unknown key 'mqtt.listenPort': no loaded plugin has the config prefix 'mqtt'");
  EXPECT_EQ(p[1], "b.properties:21: bad value '70000' for key 'fixture.port': expected an integer in 1..65535");
  EXPECT_EQ(p[2], "b.properties:22: unknown key 'fixture.prot' (did you mean 'fixture.port'?)");
}

TEST_F(EffectiveConfigTest, ScopedViewReadsKeysWithoutPrefix) {
  const ConfigKeySpec keys[] = {{"port", ConfigType::kInt, "7000", "1..65535", "a port", 0}};
  config_.declare(keys, "fixture", "plugin fixture-good");
  config_.set("fixture.port", "7100", "b.properties:1");
  auto view = config_.scoped_view("fixture");
  EXPECT_EQ(view->get_int("port"), 7100);
  EXPECT_TRUE(view->is_set("port"));
}

TEST_F(EffectiveConfigTest, PrintIsAPropertiesFileInDeclarationOrder) {
  config_.set("brokerName", "broker-a", "b:1");
  std::ostringstream all, important;
  config_.print(all, false);
  config_.print(important, true);
  std::string a = all.str(), m = important.str();
  EXPECT_EQ(a.rfind("# broker\nbrokerClusterName=DefaultCluster\nbrokerName=broker-a\n", 0), 0u) << a;
  EXPECT_NE(a.find("\nsyncFlushTimeout=5000\n"), std::string::npos);
  EXPECT_NE(m.find("\nlistenPort=10911\n"), std::string::npos);
  EXPECT_EQ(m.find("syncFlushTimeout"), std::string::npos);
  EXPECT_LT(m.size(), a.size());
}

TEST_F(EffectiveConfigTest, ListValues) {
  config_.set("plugins", " store-mmap , filter-tag,,", "b:1");
  EXPECT_EQ(config_.get_list("plugins", ','), (std::vector<std::string>{"store-mmap", "filter-tag"}));
}

TEST(EffectiveConfigDeathTest, ReadingAnUndeclaredKeyIsABug) {
  EffectiveConfig config;
  EXPECT_DEATH((void)config.get_string("nope"), "undeclared config key: nope");
}

}  // namespace
}  // namespace tern::kernel
