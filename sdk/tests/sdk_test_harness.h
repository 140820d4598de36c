// The SDK integration tests' harness: real `mqbroker --standalone` processes on free
// loopback ports (Broker: start, kill, freeze, thaw), and raw remoting requests as a tool
// would send them (Raw: create a topic and wait for its route, max offsets, pull every
// message of a queue decoded by the SDK's record decoder), and BrokerSuite, the fixture of
// a suite that shares one broker. Shared by the producer, push consumer and lite pull
// consumer tests; each test binary defines TERN_MQBROKER.
//
// Thread-safety: Raw may be used from several threads; Broker from the test's thread.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "child_process.h"
#include "codes.h"
#include "message_decoder.h"
#include "remoting_client.h"
#include "runtime/io_context_pool.h"
#include "tern/client/message.h"
#include "tern/client/producer.h"

namespace tern::client::test_harness {

using namespace std::chrono_literals;
using remoting::RemotingCommand;
using tern::testing::ChildProcess;
using tern::testing::free_port;
using tern::testing::TempDir;
namespace rc = remoting::request_code;
using Clock = std::chrono::steady_clock;

inline const std::string kBroker = TERN_MQBROKER;

class QuietLogger : public Logger {
 public:
  void log(LogLevel, std::string_view message) override {
    std::fprintf(stderr, "[test remoting] %.*s\n", static_cast<int>(message.size()), message.data());
  }
  bool should_log(LogLevel level) const override { return level >= LogLevel::kError; }
};

// One mqbroker: standalone (with its name server) unless `namesrv` names another's.
class Broker {
 public:
  Broker(const std::string& name, const std::string& extra, const std::string& namesrv = "") {
    port_ = free_port();
    ns_port_ = free_port();
    while (ns_port_ == port_) ns_port_ = free_port();
    std::string config = "listenPort=" + std::to_string(port_) + "\nbrokerIP1=127.0.0.1\nbindIP=127.0.0.1\n" +
                         "storePathRootDir=" + dir_.path() + "/store\nlogDir=" + dir_.path() +
                         "/logs\nmappedFileSizeCommitLog=67108864\nbrokerName=" + name + "\n";
    standalone_ = namesrv.empty();
    config += standalone_ ? "embeddedNamesrvPort=" + std::to_string(ns_port_) + "\n" : "namesrvAddr=" + namesrv + "\n";
    config_ = dir_.write_file("broker.properties", config + extra);
  }
  ~Broker() {
    if (process_) {
      ::kill(process_->pid(), SIGCONT);
      process_->signal(SIGKILL);
      (void)process_->wait(10s);
    }
  }
  std::string start() {
    std::vector<std::string> argv{kBroker};
    if (standalone_) argv.emplace_back("--standalone");
    argv.insert(argv.end(), {"-c", config_});
    process_ = std::make_unique<ChildProcess>(argv, dir_.path());
    if (!process_->wait_for_output("boot success", 60s)) return "mqbroker did not boot:\n" + process_->output();
    return {};
  }
  // SIGTERM: a graceful stop (files written); true when it exited in time.
  bool stop() {
    process_->signal(SIGTERM);
    auto rc = process_->wait(30s);
    process_.reset();
    return rc.has_value();
  }
  // The broker's directory: store/ (store/config/*.json) and logs/ are under it.
  const std::string& dir() const { return dir_.path(); }
  void kill_now() {
    process_->signal(SIGKILL);
    (void)process_->wait(10s);
    process_.reset();
  }
  // SIGSTOP, and wait until every thread is stopped (kill() returns before that).
  void freeze() {
    ::kill(process_->pid(), SIGSTOP);
    auto until = Clock::now() + 5s;
    std::string task_dir = "/proc/" + std::to_string(process_->pid()) + "/task";
    while (Clock::now() < until) {
      bool all_stopped = true;
      for (const auto& t : std::filesystem::directory_iterator(task_dir)) {
        std::string stat = tern::testing::read_file(t.path().string() + "/stat");
        size_t paren = stat.rfind(')');
        if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'T') all_stopped = false;
      }
      if (all_stopped) return;
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << "mqbroker did not stop on SIGSTOP";
  }
  void thaw() { ::kill(process_->pid(), SIGCONT); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string namesrv() const { return "127.0.0.1:" + std::to_string(ns_port_); }

 private:
  TempDir dir_;
  bool standalone_ = true;
  int port_ = 0, ns_port_ = 0;
  std::string config_;
  std::unique_ptr<ChildProcess> process_;
};

// Raw remoting, as a tool would send it.
class Raw {
 public:
  Raw() : pool_(1), client_([this]() -> boost::asio::io_context& { return pool_.next(); }, logger_) { pool_.start(); }
  ~Raw() {
    client_.close_all();
    pool_.stop();
  }

  RemotingCommand call(const std::string& addr, int32_t code, std::map<std::string, std::string> ext) {
    RemotingCommand cmd;
    cmd.code = code;
    cmd.version = 409;
    cmd.ext_fields = std::move(ext);
    auto r = client_.invoke_sync(addr, cmd, 5s);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? *r : RemotingCommand{};
  }

  // Creates `topic` on the broker and waits until the name server routes it.
  void create_topic(const Broker& broker, const std::string& topic, int queues, const std::string& namesrv = "") {
    auto r = call(broker.address(), rc::kUpdateAndCreateTopic,
                  {{"topic", topic}, {"defaultTopic", "TBW102"}, {"readQueueNums", std::to_string(queues)},
                   {"writeQueueNums", std::to_string(queues)}, {"perm", "6"}, {"topicFilterType", "SINGLE_TAG"},
                   {"topicSysFlag", "0"}, {"order", "false"}});
    ASSERT_EQ(r.code, 0) << r.remark.value_or("");
    std::string ns = namesrv.empty() ? broker.namesrv() : namesrv;
    auto until = Clock::now() + 10s;
    while (Clock::now() < until) {
      auto route = call(ns, rc::kGetRouteinfoByTopic, {{"topic", topic}});
      if (route.code == 0 && route.body.find(broker.address()) != std::string::npos) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "the name server did not route " << topic << " to " << broker.address();
  }

  int64_t max_offset(const Broker& broker, const std::string& topic, int queue) {
    auto r = call(broker.address(), rc::kGetMaxOffset, {{"topic", topic}, {"queueId", std::to_string(queue)}});
    return r.code == 0 ? std::stoll(r.ext_fields["offset"]) : -1;
  }

  // Every message of one queue from `from`, decoded (bodies left compressed unless asked).
  std::vector<MessageExt> pull_all(const Broker& broker, const std::string& topic, int queue, bool inflate = true,
                                   int64_t from = 0) {
    std::vector<MessageExt> out;
    int64_t offset = from;
    int64_t end = max_offset(broker, topic, queue);
    while (offset < end) {
      auto r = call(broker.address(), rc::kPullMessage,
                    {{"consumerGroup", "sdk-test-reader"}, {"topic", topic}, {"queueId", std::to_string(queue)},
                     {"queueOffset", std::to_string(offset)}, {"maxMsgNums", "32"}, {"sysFlag", "4"},
                     {"commitOffset", "0"}, {"suspendTimeoutMillis", "0"}, {"subscription", "*"},
                     {"subVersion", "0"}});
      if (r.code != 0) {
        ADD_FAILURE() << "pull of " << topic << "/" << queue << " at " << offset << ": code " << r.code;
        break;
      }
      auto msgs = internal::decode_messages(r.body, inflate);
      EXPECT_TRUE(msgs.is_ok()) << msgs.status().to_string();
      if (!msgs.is_ok() || msgs->empty()) break;
      for (auto& m : *msgs) out.push_back(std::move(m));
      offset = std::stoll(r.ext_fields["nextBeginOffset"]);
    }
    return out;
  }

  // Waits until the queues of `topic` hold `count` messages in all (the broker builds its
  // consume queues just after answering a send); false at the timeout.
  bool wait_total(const Broker& broker, const std::string& topic, int queues, int64_t count) {
    auto until = Clock::now() + 10s;
    while (Clock::now() < until) {
      int64_t total = 0;
      for (int q = 0; q < queues; ++q) total += max_offset(broker, topic, q);
      if (total >= count) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  std::vector<MessageExt> pull_topic(const Broker& broker, const std::string& topic, int queues) {
    std::vector<MessageExt> out;
    for (int q = 0; q < queues; ++q) {
      for (auto& m : pull_all(broker, topic, q)) out.push_back(std::move(m));
    }
    return out;
  }

 private:
  QuietLogger logger_;
  kernel::IoContextPool pool_;
  remoting::RemotingClient client_;
};

// A test suite's fixture base: one standalone broker for the whole suite, a Raw client
// and, when start_suite names a group, an SDK producer on it.
class BrokerSuite : public ::testing::Test {
 protected:
  static void start_suite(const std::string& broker_keys, const std::string& producer_group = "") {
    broker_ = new Broker("sdk-broker", broker_keys);
    std::string error = broker_->start();
    ASSERT_TRUE(error.empty()) << error;
    raw_ = new Raw;
    if (producer_group.empty()) return;
    producer_ = new DefaultMQProducer(producer_group);
    producer_->set_namesrv_addr(broker_->namesrv());
    producer_->set_instance_name(producer_group);
    producer_->start();
  }
  static void stop_suite() {
    if (producer_ != nullptr) producer_->shutdown();
    delete producer_;
    delete raw_;
    delete broker_;
    producer_ = nullptr;
    raw_ = nullptr;
    broker_ = nullptr;
  }

  inline static Broker* broker_ = nullptr;
  inline static Raw* raw_ = nullptr;
  inline static DefaultMQProducer* producer_ = nullptr;
};

}  // namespace tern::client::test_harness
