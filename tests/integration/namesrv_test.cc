// mqnamesrv as a process: config printing and errors with their exit codes, the boot
// line, graceful stop on SIGTERM and SIGINT, and what brokers and clients see over real
// connections: a broker registered with raw remoting frames is routed; when it stops
// registering it drops out of the route after brokerExpiredTime; two name servers it
// registered with both hold the route; the KV config survives a restart.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <sstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "child_process.h"
#include "codes.h"
#include "remoting_client.h"

namespace tern::testing {
namespace {

using namespace std::chrono_literals;
using remoting::RemotingClient;
using remoting::RemotingCommand;

const std::string kNamesrv = TERN_MQNAMESRV;
constexpr const char* kBootLine = "The Name Server boot success. serializeType=JSON, address ";

class NullLogger : public Logger {
 public:
  void log(LogLevel, std::string_view) override {}
  bool should_log(LogLevel) const override { return false; }
};

// A remoting client on its own io thread, as a broker or a client would hold one.
class Client {
 public:
  Client() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {
    client_ = std::make_unique<RemotingClient>([this]() -> boost::asio::io_context& { return io_; }, logger_);
  }
  ~Client() {
    client_.reset();
    guard_.reset();
    thread_.join();
  }
  RemotingCommand call(const std::string& address, RemotingCommand request) {
    auto r = client_->invoke_sync(address, std::move(request), 5s);
    EXPECT_TRUE(r.is_ok()) << address << ": " << r.status().to_string();
    if (!r.is_ok()) {
      RemotingCommand failed;
      failed.code = -1;
      return failed;
    }
    return std::move(*r);
  }

 private:
  NullLogger logger_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::thread thread_;
  std::unique_ptr<RemotingClient> client_;
};

// What a Java 4.9 broker sends every 30 s (RegisterBrokerBody as fastjson writes it).
RemotingCommand register_broker(const std::string& broker_name, const std::string& broker_addr,
                                const std::string& topic) {
  RemotingCommand cmd;
  cmd.code = remoting::request_code::kRegisterBroker;
  cmd.version = 409;
  cmd.ext_fields = {{"brokerName", broker_name}, {"brokerAddr", broker_addr}, {"clusterName", "DefaultCluster"},
                    {"haServerAddr", "127.0.0.1:10912"}, {"brokerId", "0"}, {"compressed", "false"},
                    {"bodyCrc32", "0"}};
  cmd.body = R"({"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":1,)"
             R"("timestamp":1700000000000},"topicConfigTable":{")" +
             topic + R"(":{"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":")" +
             topic + R"(","topicSysFlag":0,"writeQueueNums":4}}}})";
  return cmd;
}

RemotingCommand request(int32_t code, std::map<std::string, std::string> ext = {}) {
  RemotingCommand cmd;
  cmd.code = code;
  cmd.ext_fields = std::move(ext);
  return cmd;
}

RemotingCommand route_of(const std::string& topic) {
  return request(remoting::request_code::kGetRouteinfoByTopic, {{"topic", topic}});
}

// One mqnamesrv on a free loopback port, with its files in `dir`.
class Namesrv {
 public:
  Namesrv(const TempDir& dir, const std::string& name, const std::string& extra_keys = {}, int port = 0)
      : port_(port != 0 ? port : free_port()), log_dir_(dir.path() + "/" + name + "-logs") {
    config_ = dir.write_file(name + ".properties", "listenPort=" + std::to_string(port_) +
                                                        "\nbindIP=127.0.0.1\nlogDir=" + log_dir_ + "\nkvConfigPath=" +
                                                        dir.path() + "/" + name + "-kv/kvConfig.json\n" + extra_keys);
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{kNamesrv, "-c", config_}, dir.path());
    booted_ = process_->wait_for_output(kBootLine, 20s);
  }
  bool booted() const { return booted_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  ChildProcess& process() { return *process_; }
  std::string log() const { return read_file(log_dir_ + "/namesrv.log"); }
  // SIGTERM and the exit code.
  std::optional<int> stop(int signo = SIGTERM) {
    process_->signal(signo);
    return process_->wait(20s);
  }

 private:
  int port_;
  std::string log_dir_;
  std::string config_;
  std::unique_ptr<ChildProcess> process_;
  bool booted_ = false;
};

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << "missing: " << (needle) << "\nin:\n" << (haystack)

TEST(MqNamesrv, BootsPrintsItsAddressAndStopsCleanlyOnSigtermAndSigint) {
  TempDir dir;
  Namesrv one(dir, "one");
  ASSERT_TRUE(one.booted()) << one.process().output();
  EXPECT_HAS(one.process().output(), std::string(kBootLine) + one.address());
  EXPECT_EQ(one.stop(SIGTERM), 0) << one.process().output();
  EXPECT_HAS(one.log(), "shutdown complete");

  Namesrv two(dir, "two");
  ASSERT_TRUE(two.booted()) << two.process().output();
  EXPECT_EQ(two.stop(SIGINT), 0) << two.process().output();
}

TEST(MqNamesrv, PrintsItsConfigWithRocketMqKeysWarnedAsNoEffect) {
  TempDir dir;
  auto path = dir.write_file("namesrv.properties", "listenPort=9999\nserverWorkerThreads=16\nbindAddress=127.0.0.2\n");
  auto r = run_process({kNamesrv, "-c", path, "-p"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_HAS(r.output, "\nlistenPort=9999\n");
  EXPECT_HAS(r.output, "\nbindIP=127.0.0.2\n");
  EXPECT_HAS(r.output, "\nbrokerExpiredTime=120000\n");
  EXPECT_HAS(r.output, "\nscanNotActiveBrokerInterval=5000\n");
  EXPECT_HAS(r.output, "/namesrv/kvConfig.json\n");
  auto defaults = run_process({kNamesrv, "-p"}, dir.path());
  ASSERT_EQ(defaults.exit_code, 0);
  EXPECT_HAS(defaults.output, "\nlistenPort=9876\n");
  auto version = run_process({kNamesrv, "--version"}, dir.path());
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_HAS(version.output, "mqnamesrv (Tern)");
  EXPECT_EQ(run_process({kNamesrv, "--help"}, dir.path()).exit_code, 0);

  // A RocketMQ key without effect starts, with a warning naming it.
  Namesrv ns(dir, "warned", "serverSelectorThreads=3\n");
  ASSERT_TRUE(ns.booted()) << ns.process().output();
  EXPECT_HAS(ns.process().output(), "key 'serverSelectorThreads' has no effect in Tern");
  EXPECT_EQ(ns.stop(), 0);
}

TEST(MqNamesrv, EveryKeyIsDocumentedInItsSection) {
  TempDir dir;
  auto r = run_process({kNamesrv, "-p"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string doc = read_file(std::string(TERN_SOURCE_DIR) + "/docs/configuration.md");
  size_t section = doc.find("\n## mqnamesrv\n");
  ASSERT_NE(section, std::string::npos) << "docs/configuration.md has no mqnamesrv section";
  size_t end = doc.find("\n## ", section + 1);
  const std::string text = doc.substr(section, end == std::string::npos ? std::string::npos : end - section);
  std::istringstream lines(r.output);
  int keys = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#' || line.find('=') == std::string::npos) continue;
    std::string key = line.substr(0, line.find('='));
    ++keys;
    EXPECT_NE(text.find("| `" + key + "` |"), std::string::npos) << key << " is missing from the mqnamesrv section";
  }
  EXPECT_GT(keys, 40);
}

TEST(MqNamesrv, BadConfigExitsTwoNamingFileLineAndKey) {
  TempDir dir;
  auto path = dir.write_file("namesrv.properties", "listenPort=9876\nlistenPrt=9877\nbrokerExpiredTime=soon\n");
  auto r = run_process({kNamesrv, "-c", path}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_HAS(r.output, path + ":2: unknown key 'listenPrt' (did you mean 'listenPort'?)");
  EXPECT_HAS(r.output, path + ":3: bad value 'soon' for key 'brokerExpiredTime'");
  auto missing = run_process({kNamesrv, "-c", dir.path() + "/nope.properties"}, dir.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_HAS(missing.output, "cannot read config file " + dir.path() + "/nope.properties");
  auto option = run_process({kNamesrv, "--bogus"}, dir.path());
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_HAS(option.output, "unknown option '--bogus'");
  EXPECT_EQ(run_process({kNamesrv, "-c"}, dir.path()).exit_code, 2);
}

TEST(MqNamesrv, PortTakenExitsOne) {
  TempDir dir;
  Namesrv one(dir, "one");
  ASSERT_TRUE(one.booted()) << one.process().output();
  auto path = dir.write_file("same.properties", "listenPort=" + std::to_string(one.port()) +
                                                    "\nbindIP=127.0.0.1\nlogDir=" + dir.path() + "/same-logs\n");
  auto r = run_process({kNamesrv, "-c", path}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_HAS(r.output, "cannot listen on 127.0.0.1:" + std::to_string(one.port()));
}

TEST(MqNamesrv, BrokerThatStopsRegisteringDropsOutOfRoutesAfterExpiry) {
  TempDir dir;
  Namesrv ns(dir, "ns", "brokerExpiredTime=1500\nscanNotActiveBrokerInterval=100\n");
  ASSERT_TRUE(ns.booted()) << ns.process().output();
  Client broker, client;
  auto reg = broker.call(ns.address(), register_broker("broker-a", "127.0.0.1:10911", "TopicA"));
  ASSERT_EQ(reg.code, 0) << reg.remark.value_or("");
  auto route = client.call(ns.address(), route_of("TopicA"));
  ASSERT_EQ(route.code, 0) << route.remark.value_or("");
  EXPECT_EQ(route.body,
            R"({"orderTopicConf":null,"queueDatas":[{"brokerName":"broker-a","readQueueNums":4,"writeQueueNums":4,)"
            R"("perm":6,"topicSysFlag":0}],"brokerDatas":[{"cluster":"DefaultCluster","brokerName":"broker-a",)"
            R"("brokerAddrs":{"0":"127.0.0.1:10911"}}],"filterServerTable":{}})");

  // Registering every 500 ms for 3 s (twice the expiry) keeps it in the route.
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(500ms);
    ASSERT_EQ(broker.call(ns.address(), register_broker("broker-a", "127.0.0.1:10911", "TopicA")).code, 0);
    ASSERT_EQ(client.call(ns.address(), route_of("TopicA")).code, 0) << "dropped while registering";
  }
  // It stops registering (its connection stays open): out of the route after ~1.5 s.
  auto last = std::chrono::steady_clock::now();
  int code = 0;
  while (std::chrono::steady_clock::now() - last < 10s) {
    code = client.call(ns.address(), route_of("TopicA")).code;
    if (code != 0) break;
    std::this_thread::sleep_for(50ms);
  }
  auto gone_after = std::chrono::steady_clock::now() - last;
  ASSERT_EQ(code, remoting::response_code::kTopicNotExist);
  EXPECT_GE(gone_after, 1400ms);
  auto after = client.call(ns.address(), route_of("TopicA"));
  EXPECT_EQ(after.remark.value_or(""), "No topic route info in name server for the topic: TopicA");
  auto cluster = client.call(ns.address(), request(remoting::request_code::kGetBrokerClusterInfo));
  EXPECT_EQ(cluster.body, R"({"brokerAddrTable":{},"clusterAddrTable":{}})");
  EXPECT_EQ(ns.stop(), 0);
  EXPECT_HAS(ns.log(), "broker broker-a id 0 at 127.0.0.1:10911 of cluster DefaultCluster removed from routes: "
                       "not heard from for");
}

TEST(MqNamesrv, TwoNameServersBothHoldTheRoute) {
  TempDir dir;
  Namesrv one(dir, "one"), two(dir, "two");
  ASSERT_TRUE(one.booted()) << one.process().output();
  ASSERT_TRUE(two.booted()) << two.process().output();
  Client broker, client;
  // A broker registers with every name server of its namesrvAddr.
  for (const Namesrv* ns : {&one, &two}) {
    ASSERT_EQ(broker.call(ns->address(), register_broker("broker-a", "127.0.0.1:10911", "TopicA")).code, 0);
    ASSERT_EQ(broker.call(ns->address(), register_broker("broker-b", "127.0.0.1:10921", "TopicA")).code, 0);
  }
  auto a = client.call(one.address(), route_of("TopicA"));
  auto b = client.call(two.address(), route_of("TopicA"));
  ASSERT_EQ(a.code, 0);
  ASSERT_EQ(b.code, 0);
  EXPECT_EQ(a.body, b.body);
  EXPECT_HAS(a.body, R"("brokerAddrs":{"0":"127.0.0.1:10911"})");
  EXPECT_HAS(a.body, R"("brokerAddrs":{"0":"127.0.0.1:10921"})");
  auto topics = client.call(two.address(), request(remoting::request_code::kGetAllTopicListFromNameserver));
  EXPECT_EQ(topics.body, R"({"topicList":["TopicA"],"brokerAddr":null})");
  // One name server going away leaves the other answering.
  EXPECT_EQ(one.stop(), 0);
  EXPECT_EQ(client.call(two.address(), route_of("TopicA")).code, 0);
  EXPECT_EQ(two.stop(), 0);
}

// A real Tern broker (mqbroker with the protocol-remoting plugin) registers with every name
// server of its namesrvAddr; frozen (SIGSTOP: its connections stay open, it stops
// registering) it drops out of both routes after brokerExpiredTime.
TEST(MqNamesrv, RealBrokerRegistersWithTwoNameServersAndExpiresWhenFrozen) {
  TempDir dir;
  const std::string extra = "brokerExpiredTime=1500\nscanNotActiveBrokerInterval=100\n";
  Namesrv one(dir, "one", extra), two(dir, "two", extra);
  ASSERT_TRUE(one.booted()) << one.process().output();
  ASSERT_TRUE(two.booted()) << two.process().output();
  int broker_port = free_port();
  auto config = dir.write_file(
      "broker.properties",
      "brokerName=broker-ns\nbrokerIP1=127.0.0.1\nbindIP=127.0.0.1\nlistenPort=" + std::to_string(broker_port) +
          "\nnamesrvAddr=" + one.address() + ";" + two.address() + "\nstorePathRootDir=" + dir.path() +
          "/store\nlogDir=" + dir.path() + "/broker-logs\nmappedFileSizeCommitLog=1048576\n");
  ChildProcess broker({TERN_MQBROKER, "-c", config}, dir.path());
  ASSERT_TRUE(broker.wait_for_output("boot success", 30s)) << broker.output();
  EXPECT_HAS(broker.output(), "with 2 of 2 name server(s)");

  Client client;
  const std::string broker_addr = "127.0.0.1:" + std::to_string(broker_port);
  std::string routes[2];
  for (int i = 0; i < 2; ++i) {
    const Namesrv& ns = i == 0 ? one : two;
    auto route = client.call(ns.address(), route_of("broker-ns"));  // the broker's own topic
    ASSERT_EQ(route.code, 0) << ns.address() << ": " << route.remark.value_or("");
    EXPECT_HAS(route.body, R"("brokerAddrs":{"0":")" + broker_addr + "\"}");
    routes[i] = route.body;
    auto cluster = client.call(ns.address(), request(remoting::request_code::kGetBrokerClusterInfo));
    EXPECT_HAS(cluster.body, R"("clusterAddrTable":{"DefaultCluster":["broker-ns"]})");
  }
  EXPECT_EQ(routes[0], routes[1]);

  broker.signal(SIGSTOP);
  for (const Namesrv* ns : {&one, &two}) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    int code = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      code = client.call(ns->address(), route_of("broker-ns")).code;
      if (code != 0) break;
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(code, remoting::response_code::kTopicNotExist) << ns->address();
  }
  broker.signal(SIGCONT);
  broker.signal(SIGTERM);
  EXPECT_EQ(broker.wait(30s), 0) << broker.output();
  EXPECT_EQ(one.stop(), 0);
  EXPECT_EQ(two.stop(), 0);
  EXPECT_HAS(one.log(), "broker broker-ns id 0 at " + broker_addr);
}

TEST(MqNamesrv, KvConfigSurvivesARestart) {
  TempDir dir;
  Client client;
  {
    Namesrv ns(dir, "kv");
    ASSERT_TRUE(ns.booted()) << ns.process().output();
    auto put = client.call(ns.address(), request(remoting::request_code::kPutKvConfig,
                                                 {{"namespace", "ORDER_TOPIC_CONFIG"}, {"key", "TopicA"},
                                                  {"value", "broker-a:4"}}));
    ASSERT_EQ(put.code, 0) << put.remark.value_or("");
    EXPECT_EQ(ns.stop(), 0);
  }
  EXPECT_EQ(read_file(dir.path() + "/kv-kv/kvConfig.json"),
            R"({"configTable":{"ORDER_TOPIC_CONFIG":{"TopicA":"broker-a:4"}}})");
  Namesrv again(dir, "kv");
  ASSERT_TRUE(again.booted()) << again.process().output();
  auto get = client.call(again.address(), request(remoting::request_code::kGetKvConfig,
                                                   {{"namespace", "ORDER_TOPIC_CONFIG"}, {"key", "TopicA"}}));
  EXPECT_EQ(get.code, 0);
  EXPECT_EQ(get.ext_fields["value"], "broker-a:4");
  auto unknown = client.call(again.address(), request(999));
  EXPECT_EQ(unknown.code, 3);
  EXPECT_EQ(unknown.remark.value_or(""), " request type 999 not supported");
  EXPECT_EQ(again.stop(), 0);
}

}  // namespace
}  // namespace tern::testing
