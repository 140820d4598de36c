// PluginHost: creation, start order by kind, stop in reverse, config scoping, failures.
#include "plugin/plugin_host.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "config/broker_config_keys.h"

namespace tern::kernel {
namespace {

const std::string kDir = TERN_FIXTURE_PLUGIN_DIR;

class PluginHostTest : public ::testing::Test {
 protected:
  PluginHostTest() : pool_(1) {
    config_.declare(broker_config_keys(), "", "broker");
    record_ = (std::filesystem::temp_directory_path() / ("tern-host-" + std::to_string(::getpid()))).string();
    std::filesystem::remove(record_);
    // The broker services read and write their metadata files here, not under $HOME.
    store_dir_ = record_ + "-store";
    std::filesystem::remove_all(store_dir_);
    config_.set("storePathRootDir", store_dir_, "test");
  }
  ~PluginHostTest() override {
    std::filesystem::remove(record_);
    std::filesystem::remove_all(store_dir_);
  }

  std::string records() const {
    std::ifstream in(record_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void add(PluginHost& host, const char* name) {
    auto p = PluginLoader(kDir).load(name);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    host.add(std::move(*p));
  }

  EffectiveConfig config_{{{"exeDir", "/x"}, {"hostname", "h"}}};
  IoContextPool pool_;
  LogSinks sinks_;
  std::string record_;
  std::string store_dir_;
};

TEST_F(PluginHostTest, StartsByKindAndStopsInReverse) {
  config_.set("fixture.recordFile", record_, "test");
  config_.set("second.recordFile", record_, "test");
  {
    PluginHost host(config_, pool_, sinks_);
    add(host, "fixture-good");    // protocol: starts last
    add(host, "fixture-second");  // ha: starts before protocols
    ASSERT_TRUE(config_.problems(EffectiveConfig::Scope::kPluginKeys).empty());
    ASSERT_TRUE(host.create_all().is_ok());
    ASSERT_TRUE(host.start_all().is_ok());
    EXPECT_NE(host.replication(), nullptr);
    EXPECT_EQ(host.store(), nullptr);
    EXPECT_EQ(host.filter_factory("TAG"), nullptr);
    ASSERT_EQ(host.plugins().size(), 2u);
    EXPECT_EQ(host.plugins()[0].name, "fixture-second");
    EXPECT_EQ(host.plugins()[0].kind, "ha");
    host.stop_all();
  }
  EXPECT_EQ(records(),
            "fixture-second create\nfixture-good create\n"
            "fixture-second start\nfixture-good start\n"
            "fixture-good stop\nfixture-second stop\n"
            "fixture-good destroy\nfixture-second destroy\n");
}

TEST_F(PluginHostTest, FailedStartStopsThoseStartedAndNamesThePlugin) {
  config_.set("fixture.recordFile", record_, "test");
  config_.set("second.recordFile", record_, "test");
  config_.set("fixture.failStart", "true", "test");
  Status s;
  {
    PluginHost host(config_, pool_, sinks_);
    add(host, "fixture-good");
    add(host, "fixture-second");
    ASSERT_TRUE(host.create_all().is_ok());
    s = host.start_all();
  }
  // The host is gone and the plugin libraries unloaded: the Status made inside the plugin
  // must still be readable, copyable and destructible (no code of the plugin behind it).
  Status copy = s;
  ASSERT_FALSE(copy.is_ok());
  EXPECT_EQ(s.message(), "plugin fixture-good failed to start: failStart is set");
  EXPECT_EQ(records(),
            "fixture-second create\nfixture-good create\n"
            "fixture-second start\nfixture-good start\n"
            "fixture-good stop\nfixture-second stop\n"
            "fixture-good destroy\nfixture-second destroy\n");
}

TEST_F(PluginHostTest, BrokerServicesStartAfterTheStoreAndStopBeforeIt) {
  config_.set("fixture.recordFile", record_, "test");
  config_.set("fixture.useBroker", "true", "test");
  config_.set("store.recordFile", record_, "test");
  {
    PluginHost host(config_, pool_, sinks_);
    add(host, "fixture-good");   // protocol: uses the services in create() and start()
    add(host, "fixture-store");  // store
    ASSERT_TRUE(config_.problems(EffectiveConfig::Scope::kPluginKeys).empty());
    ASSERT_TRUE(host.create_all().is_ok());
    ASSERT_TRUE(host.start_all().is_ok());
    EXPECT_NE(host.store(), nullptr);
    EXPECT_EQ(host.broker().consumer_offsets().query("fixtureGroup", "fixtureTopic", 0), 42);
    host.stop_all();
  }
  // The store's listener is set once it has started and cleared before it stops; the
  // offsets committed by the protocol plugin are on disk before the store stops.
  EXPECT_EQ(records(),
            "fixture-store create\nfixture-good create\n"
            "fixture-store start\nfixture-store listener set\n"
            "fixture-good start\nfixture-good start sees TBW102\n"
            "fixture-good stop\n"
            "fixture-store listener cleared\nfixture-store stop after offsets written\n"
            "fixture-good destroy\nfixture-store destroy\n");
}

TEST_F(PluginHostTest, ACorruptMetadataFileFailsTheStartNamingIt) {
  const std::string topics = store_dir_ + "/config/topics.json";
  std::filesystem::create_directories(store_dir_ + "/config");
  std::ofstream(topics) << "{\"topicConfigTable\":[";
  config_.set("fixture.recordFile", record_, "test");
  PluginHost host(config_, pool_, sinks_);
  add(host, "fixture-good");
  ASSERT_TRUE(host.create_all().is_ok());
  Status s = host.start_all();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("the broker services failed to start"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(topics), std::string::npos) << s.message();
  EXPECT_EQ(records(), "fixture-good create\nfixture-good destroy\n");  // never started
}

TEST_F(PluginHostTest, ThrowingCreateIsReportedNotPropagated) {
  PluginHost host(config_, pool_, sinks_);
  add(host, "fixture-throwing");
  Status s = host.create_all();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message(), "plugin fixture-throwing threw from create(): fixture refuses to be created");
}

}  // namespace
}  // namespace tern::kernel
