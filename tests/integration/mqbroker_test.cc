// mqbroker as a process: arguments, config printing, every config and plugin error path
// with its exit code, and a real start and graceful stop on SIGTERM and SIGINT.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "child_process.h"

namespace tern::testing {
namespace {

using namespace std::chrono_literals;

const std::string kBroker = TERN_MQBROKER;
const std::string kSourceDir = TERN_SOURCE_DIR;
const std::string kFixtures = TERN_FIXTURE_PLUGIN_DIR;

class MqBrokerTest : public ::testing::Test {
 protected:
  RunResult broker(std::vector<std::string> args) {
    args.insert(args.begin(), kBroker);
    return run_process(args, dir_.path());
  }
  std::string config(const std::string& body) {
    return dir_.write_file("broker.properties", "storePathRootDir=" + dir_.path() + "/store\nlogDir=" + dir_.path() +
                                                    "/logs\n" + body);
  }
  TempDir dir_;
};

#define EXPECT_OUTPUT_HAS(result, text) \
  EXPECT_NE((result).output.find(text), std::string::npos) << "missing: " << (text) << "\noutput:\n" << (result).output

TEST_F(MqBrokerTest, VersionAndHelp) {
  auto v = broker({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_OUTPUT_HAS(v, "plugin ABI version 3");
  auto h = broker({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_OUTPUT_HAS(h, "-c, --configFile");
  auto bad = broker({"--bogus"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_OUTPUT_HAS(bad, "unknown option '--bogus'");
  auto missing = broker({"-c"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_OUTPUT_HAS(missing, "option -c needs a value");
}

TEST_F(MqBrokerTest, PrintsTheShippedConfig) {
  auto r = broker({"-c", kSourceDir + "/conf/broker.properties", "-p"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_OUTPUT_HAS(r, "\nbrokerName=broker-a\n");
  EXPECT_OUTPUT_HAS(r, "\nnamesrvAddr=127.0.0.1:9876\n");
  EXPECT_OUTPUT_HAS(r, "\nlistenPort=10911\n");
  EXPECT_OUTPUT_HAS(r, "\nflushDiskType=ASYNC_FLUSH\n");
  EXPECT_OUTPUT_HAS(r, "\nsyncFlushTimeout=5000\n");
  EXPECT_OUTPUT_HAS(r, "\nstorePathCommitLog=./store/commitlog\n");
  EXPECT_OUTPUT_HAS(r, "\nplugins=filter-tag");
  auto m = broker({"-c", kSourceDir + "/conf/broker.properties", "-m"});
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_OUTPUT_HAS(m, "\nbrokerName=broker-a\n");
  EXPECT_EQ(m.output.find("syncFlushTimeout"), std::string::npos);
}

TEST_F(MqBrokerTest, EveryKeyIsDocumented) {
  auto r = broker({"-p"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string doc = read_file(kSourceDir + "/docs/configuration.md");
  std::istringstream lines(r.output);
  int keys = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#' || line.find('=') == std::string::npos) continue;
    std::string key = line.substr(0, line.find('='));
    ++keys;
    EXPECT_NE(doc.find("| `" + key + "` |"), std::string::npos) << key << " is missing from docs/configuration.md";
  }
  EXPECT_GT(keys, 90);
}

TEST_F(MqBrokerTest, CommandLineAndEnvironmentSetTheNameServer) {
  auto r = broker({"-c", config(""), "-n", "10.1.1.1:9876;10.1.1.2:9876", "-p"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_OUTPUT_HAS(r, "\nnamesrvAddr=10.1.1.1:9876;10.1.1.2:9876\n");
}

TEST_F(MqBrokerTest, BadValuesAndUnknownKeysExitTwoNamingEach) {
  auto path = config("listenPort=http\nflushDiskType=SYNC\nlisenPort=10911\ndeleteWhen=25\n");
  auto r = broker({"-c", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_OUTPUT_HAS(r, path + ":3: bad value 'http' for key 'listenPort': expected an integer in 1..65535");
  EXPECT_OUTPUT_HAS(r, path + ":4: bad value 'SYNC' for key 'flushDiskType': expected one of ASYNC_FLUSH, SYNC_FLUSH");
  EXPECT_OUTPUT_HAS(r, path + ":5: unknown key 'lisenPort' (did you mean 'listenPort'?)");
  EXPECT_OUTPUT_HAS(r, path + ":6: bad value '25' for key 'deleteWhen'");
}

TEST_F(MqBrokerTest, MissingConfigFileExitsTwo) {
  auto r = broker({"-c", dir_.path() + "/nope.properties"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_OUTPUT_HAS(r, "cannot read config file " + dir_.path() + "/nope.properties");
}

TEST_F(MqBrokerTest, MissingPluginExitsThreeListingAvailable) {
  auto r = broker({"-c", config("plugins=filter-tag,filter-nope\n")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_OUTPUT_HAS(r, "plugin 'filter-nope' not found");
  // The bundled plugins, in name order (the list grows with each issue).
  EXPECT_OUTPUT_HAS(r, "/lib/tern/plugins: ");
  EXPECT_OUTPUT_HAS(r, "filter-tag, ");
  EXPECT_OUTPUT_HAS(r, ", protocol-remoting, ");
  EXPECT_OUTPUT_HAS(r, ", store-mmap)");
}

TEST_F(MqBrokerTest, WrongAbiPluginExitsThreeNamingBothVersions) {
  auto r = broker({"-c", config("pluginDir=" + kFixtures + "\nplugins=fixture-wrong-abi\n")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_OUTPUT_HAS(r, "was built for plugin ABI version 999, but this broker provides plugin ABI version 3");
}

TEST_F(MqBrokerTest, NotAPluginExitsThree) {
  auto r = broker({"-c", config("pluginDir=" + kFixtures + "\nplugins=fixture-not-a-plugin,fixture-garbage\n")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_OUTPUT_HAS(r, "fixture-not-a-plugin.so is not a Tern plugin");
  EXPECT_OUTPUT_HAS(r, "fixture-garbage.so: file too short");
}

TEST_F(MqBrokerTest, BadPluginKeyExitsTwo) {
  auto r = broker({"-c", config("pluginDir=" + kFixtures + "\nplugins=fixture-good\nfixture.port=0\nmqtt.port=1\n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_OUTPUT_HAS(r, ":5: bad value '0' for key 'fixture.port': expected an integer in 1..65535");
  EXPECT_OUTPUT_HAS(r, ":6: unknown key 'mqtt.port': no loaded plugin has the config prefix 'mqtt'");
}

TEST_F(MqBrokerTest, PluginThatFailsToStartExitsOne) {
  auto r = broker({"-c", config("pluginDir=" + kFixtures + "\nplugins=fixture-good\nfixture.failStart=true\n")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_OUTPUT_HAS(r, "plugin fixture-good failed to start: failStart is set");
}

TEST_F(MqBrokerTest, StandaloneStartsAndStopsOnSigterm) {
  ChildProcess child({kBroker, "--standalone"}, dir_.path());
  ASSERT_TRUE(child.wait_for_output("boot success", 20s)) << child.output();
  EXPECT_NE(child.output().find("started filter plugin filter-tag"), std::string::npos) << child.output();
  EXPECT_NE(child.output().find("started store plugin store-mmap"), std::string::npos) << child.output();
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/store/abort"));
  EXPECT_NE(child.output().find("store=" + dir_.path() + "/store"), std::string::npos) << child.output();
  child.signal(SIGTERM);
  auto code = child.wait(20s);
  ASSERT_TRUE(code.has_value()) << "mqbroker did not stop after SIGTERM";
  EXPECT_EQ(*code, 0) << child.output();
  EXPECT_NE(child.output().find("shutdown complete"), std::string::npos) << child.output();
  EXPECT_NE(child.output().find("store stopped cleanly"), std::string::npos) << child.output();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/store/abort"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/store/checkpoint"));
  const std::string log = read_file(dir_.path() + "/logs/broker.log");
  EXPECT_NE(log.find("boot success"), std::string::npos) << "broker.log: " << log;
}

TEST_F(MqBrokerTest, StopsOnSigintWithPluginsStoppedInReverse) {
  std::string record = dir_.path() + "/record.txt";
  auto path = config("pluginDir=" + kFixtures + "\nplugins=fixture-good,fixture-second\nfixture.recordFile=" + record +
                     "\nsecond.recordFile=" + record + "\n");
  ChildProcess child({kBroker, "-c", path}, dir_.path());
  ASSERT_TRUE(child.wait_for_output("boot success", 20s)) << child.output();
  child.signal(SIGINT);
  auto code = child.wait(20s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << child.output();
  EXPECT_EQ(read_file(record),
            "fixture-second create\nfixture-good create\nfixture-second start\nfixture-good start\n"
            "fixture-good stop\nfixture-second stop\nfixture-good destroy\nfixture-second destroy\n");
}

}  // namespace
}  // namespace tern::testing
