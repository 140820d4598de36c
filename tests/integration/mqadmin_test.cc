// mqadmin (sdk/tools) against a real `mqbroker --standalone`: every subcommand runs as the
// real binary and its output or its effect on the broker is checked — topics created,
// routed, listed, described and deleted; the cluster and runtime info; subscription
// groups; a message sent with sendMessage found by key, id and offset and consumed;
// consumer progress after offsets are committed, and reset by time; dead letters of a
// group listed (queryDlqMsg) and resent to their original topic (resendDlqMsg).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "child_process.h"
#include "codes.h"
#include "remoting_client.h"

namespace tern::testing {
namespace {

using namespace std::chrono_literals;

const std::string kBroker = TERN_MQBROKER;
const std::string kMqadmin = TERN_MQADMIN;

class NullLogger : public Logger {
 public:
  void log(LogLevel, std::string_view) override {}
  bool should_log(LogLevel) const override { return false; }
};

class MqadminTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    port_ = free_port();
    ns_port_ = free_port();
    while (ns_port_ == port_) ns_port_ = free_port();
    std::string config = dir_->write_file(
        "broker.properties", "listenPort=" + std::to_string(port_) + "\nbrokerIP1=127.0.0.1\nstorePathRootDir=" +
                                 dir_->path() + "/store\nlogDir=" + dir_->path() +
                                 "/logs\nmappedFileSizeCommitLog=67108864\nbrokerName=broker-adm\n"
                                 "embeddedNamesrvPort=" + std::to_string(ns_port_) + "\n");
    broker_ = new ChildProcess({kBroker, "--standalone", "-c", config}, dir_->path());
    booted_ = broker_->wait_for_output("boot success", 60s);
  }
  static void TearDownTestSuite() {
    broker_->signal(SIGTERM);
    (void)broker_->wait(30s);
    delete broker_;
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(booted_) << broker_->output(); }

  static std::string broker_addr() { return "127.0.0.1:" + std::to_string(port_); }
  static std::string namesrv() { return "127.0.0.1:" + std::to_string(ns_port_); }

  // Runs mqadmin with -n added; expects exit code 0 unless `expect_ok` is false.
  static RunResult mqadmin(std::vector<std::string> args, bool expect_ok = true) {
    args.insert(args.begin(), kMqadmin);
    args.insert(args.end(), {"-n", namesrv()});
    RunResult r = run_process(args, dir_->path(), 60s);
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    if (expect_ok) {
      EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
    }
    return r;
  }

  // One request to the broker, as a client would send it.
  static remoting::RemotingCommand raw_call(int32_t code, std::map<std::string, std::string> ext,
                                            std::string body = {}) {
    boost::asio::io_context io;
    auto guard = boost::asio::make_work_guard(io);
    std::thread t([&] { io.run(); });
    NullLogger logger;
    remoting::RemotingCommand answer;
    {
      remoting::RemotingClient client([&]() -> boost::asio::io_context& { return io; }, logger);
      remoting::RemotingCommand req;
      req.code = code;
      req.version = 409;
      req.ext_fields = std::move(ext);
      req.body = std::move(body);
      auto r = client.invoke_sync(broker_addr(), req, 5s);
      EXPECT_TRUE(r.is_ok()) << r.status().message();
      if (r.is_ok()) answer = *r;
      client.close_all();
    }
    guard.reset();
    io.stop();
    t.join();
    return answer;
  }

  // A committed offset, sent as a client would (UPDATE_CONSUMER_OFFSET).
  static void commit_offset(const std::string& group, const std::string& topic, int queue, int64_t offset) {
    auto r = raw_call(remoting::request_code::kUpdateConsumerOffset, {{"consumerGroup", group},
                                                                       {"topic", topic},
                                                                       {"queueId", std::to_string(queue)},
                                                                       {"commitOffset", std::to_string(offset)}});
    EXPECT_EQ(r.code, 0);
  }

  static TempDir* dir_;
  static ChildProcess* broker_;
  static int port_, ns_port_;
  static bool booted_;
};

TempDir* MqadminTest::dir_ = nullptr;
ChildProcess* MqadminTest::broker_ = nullptr;
int MqadminTest::port_ = 0;
int MqadminTest::ns_port_ = 0;
bool MqadminTest::booted_ = false;

TEST_F(MqadminTest, HelpListsSubcommands) {
  RunResult r = run_process({kMqadmin, "-h"}, dir_->path());
  EXPECT_EQ(r.exit_code, 0);
  for (const char* c : {"updateTopic", "deleteTopic", "topicList", "topicRoute", "topicStatus", "clusterList",
                        "brokerStatus", "updateSubGroup", "consumerProgress", "queryMsgById", "queryMsgByKey",
                        "queryMsgByOffset", "resetOffsetByTime", "sendMessage", "consumeMessage", "queryDlqMsg",
                        "resendDlqMsg"}) {
    EXPECT_NE(r.output.find(c), std::string::npos) << c << "\n" << r.output;
  }
  RunResult bad = run_process({kMqadmin, "noSuchCommand"}, dir_->path());
  EXPECT_NE(bad.exit_code, 0);
  RunResult missing = run_process({kMqadmin, "topicRoute", "-n", namesrv()}, dir_->path());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("Missing required option: t"), std::string::npos) << missing.output;
}

TEST_F(MqadminTest, ClusterListAndBrokerStatus) {
  RunResult r = mqadmin({"clusterList"});
  EXPECT_NE(r.output.find("#Cluster Name"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("broker-adm"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(broker_addr()), std::string::npos) << r.output;
  RunResult s = mqadmin({"brokerStatus", "-b", broker_addr()});
  EXPECT_TRUE(std::regex_search(s.output, std::regex(R"(brokerName\s+: broker-adm)"))) << s.output;
  EXPECT_NE(s.output.find("bootTimestamp"), std::string::npos) << s.output;
}

TEST_F(MqadminTest, UnreachableNameServerFailsNamingIt) {
  RunResult r = run_process({kMqadmin, "topicList", "-n", "127.0.0.1:1"}, dir_->path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("127.0.0.1:1"), std::string::npos) << r.output;
}

TEST_F(MqadminTest, TopicLifecycle) {
  RunResult c = mqadmin({"updateTopic", "-c", "DefaultCluster", "-t", "AdmTopic", "-r", "3", "-w", "3"});
  EXPECT_NE(c.output.find("create topic to " + broker_addr() + " success."), std::string::npos) << c.output;
  // The broker re-registers with the name server at once.
  RunResult route;
  for (int i = 0; i < 50; ++i) {
    route = mqadmin({"topicRoute", "-t", "AdmTopic"}, false);
    if (route.exit_code == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(route.exit_code, 0) << route.output;
  EXPECT_NE(route.output.find("\"readQueueNums\":3"), std::string::npos) << route.output;
  EXPECT_NE(route.output.find(broker_addr()), std::string::npos) << route.output;

  RunResult list = mqadmin({"topicList"});
  EXPECT_NE(list.output.find("AdmTopic\n"), std::string::npos) << list.output;

  RunResult status = mqadmin({"topicStatus", "-t", "AdmTopic"});
  EXPECT_TRUE(std::regex_search(status.output, std::regex(R"(broker-adm\s+2\s+0\s+0)"))) << status.output;

  RunResult del = mqadmin({"deleteTopic", "-t", "AdmTopic", "-c", "DefaultCluster"});
  EXPECT_NE(del.output.find("delete topic [AdmTopic] from NameServer success."), std::string::npos) << del.output;
  RunResult gone = mqadmin({"topicRoute", "-t", "AdmTopic"}, false);
  EXPECT_NE(gone.exit_code, 0) << gone.output;
  EXPECT_NE(gone.output.find("no route info of topic AdmTopic"), std::string::npos) << gone.output;
}

TEST_F(MqadminTest, UpdateSubGroup) {
  RunResult r = mqadmin({"updateSubGroup", "-b", broker_addr(), "-g", "AdmGroup", "-r", "5"});
  EXPECT_NE(r.output.find("create subscription group to " + broker_addr() + " success."), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("\"retryMaxTimes\":5"), std::string::npos) << r.output;
}

TEST_F(MqadminTest, MessagesSentFoundConsumedAndProgress) {
  mqadmin({"updateTopic", "-b", broker_addr(), "-t", "AdmMsgTopic", "-r", "1", "-w", "1"});
  RunResult route;
  for (int i = 0; i < 50 && (route = mqadmin({"topicRoute", "-t", "AdmMsgTopic"}, false)).exit_code != 0; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  RunResult sent = mqadmin({"sendMessage", "-t", "AdmMsgTopic", "-p", "hello mqadmin", "-k", "AdmKey1", "-c", "TagA"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(sent.output, m, std::regex(R"(broker-adm\s+0\s+SEND_OK\s+([0-9A-F]{32})\s+([0-9A-F]{32}))")))
      << sent.output;
  std::string uniq = m[1], offset_id = m[2];

  // The index is built on the store's dispatch thread, just after the send is answered.
  RunResult by_key;
  for (int i = 0; i < 50; ++i) {
    by_key = mqadmin({"queryMsgByKey", "-t", "AdmMsgTopic", "-k", "AdmKey1"});
    if (by_key.output.find(uniq) != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(by_key.output.find(uniq), std::string::npos) << by_key.output;

  RunResult by_id = mqadmin({"queryMsgById", "-i", offset_id});
  EXPECT_NE(by_id.output.find("hello mqadmin"), std::string::npos) << by_id.output;
  EXPECT_TRUE(std::regex_search(by_id.output, std::regex(R"(Topic:\s+AdmMsgTopic)"))) << by_id.output;
  EXPECT_TRUE(std::regex_search(by_id.output, std::regex(R"(Tags:\s+\[TagA\])"))) << by_id.output;

  RunResult by_uniq = mqadmin({"queryMsgById", "-i", uniq, "-t", "AdmMsgTopic"});
  EXPECT_NE(by_uniq.output.find("hello mqadmin"), std::string::npos) << by_uniq.output;

  RunResult by_offset = mqadmin({"queryMsgByOffset", "-t", "AdmMsgTopic", "-b", "broker-adm", "-i", "0", "-o", "0"});
  EXPECT_NE(by_offset.output.find("hello mqadmin"), std::string::npos) << by_offset.output;
  EXPECT_NE(by_offset.output.find(offset_id), std::string::npos) << by_offset.output;

  RunResult consumed = mqadmin({"consumeMessage", "-t", "AdmMsgTopic"});
  EXPECT_NE(consumed.output.find("BODY: hello mqadmin"), std::string::npos) << consumed.output;

  mqadmin({"sendMessage", "-t", "AdmMsgTopic", "-p", "second"});
  RunResult status;
  for (int i = 0; i < 50; ++i) {
    status = mqadmin({"topicStatus", "-t", "AdmMsgTopic"});
    if (std::regex_search(status.output, std::regex(R"(broker-adm\s+0\s+0\s+2\s+\d{4}-)"))) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(std::regex_search(status.output, std::regex(R"(broker-adm\s+0\s+0\s+2\s+\d{4}-)"))) << status.output;

  commit_offset("AdmConsumer", "AdmMsgTopic", 0, 1);
  RunResult progress = mqadmin({"consumerProgress", "-g", "AdmConsumer"});
  EXPECT_TRUE(std::regex_search(progress.output, std::regex(R"(AdmMsgTopic\s+broker-adm\s+0\s+2\s+1\s+1\s)")))
      << progress.output;
  EXPECT_NE(progress.output.find("Consume Diff Total: 1"), std::string::npos) << progress.output;

  RunResult list = mqadmin({"topicList", "-c"});
  EXPECT_TRUE(std::regex_search(list.output, std::regex(R"(AdmMsgTopic\s+AdmConsumer)"))) << list.output;

  // Back to the start (time 0: the first message), then to the end ("now").
  RunResult reset = mqadmin({"resetOffsetByTime", "-g", "AdmConsumer", "-t", "AdmMsgTopic", "-s", "0"});
  EXPECT_TRUE(std::regex_search(reset.output, std::regex(R"(broker-adm\s+0\s+0)"))) << reset.output;
  progress = mqadmin({"consumerProgress", "-g", "AdmConsumer"});
  EXPECT_TRUE(std::regex_search(progress.output, std::regex(R"(AdmMsgTopic\s+broker-adm\s+0\s+2\s+0\s+2\s)")))
      << progress.output;
  reset = mqadmin({"resetOffsetByTime", "-g", "AdmConsumer", "-t", "AdmMsgTopic", "-s", "now"});
  EXPECT_TRUE(std::regex_search(reset.output, std::regex(R"(broker-adm\s+0\s+2)"))) << reset.output;
  progress = mqadmin({"consumerProgress", "-g", "AdmConsumer"});
  EXPECT_TRUE(std::regex_search(progress.output, std::regex(R"(AdmMsgTopic\s+broker-adm\s+0\s+2\s+2\s+0\s)")))
      << progress.output;
}

TEST_F(MqadminTest, DeadLettersListedAndResent) {
  mqadmin({"updateTopic", "-b", broker_addr(), "-t", "AdmDlqOrigin", "-r", "1", "-w", "1"});
  // Two dead letters of adm_dlq_group: a client's own sends to %RETRY% at their last try
  // land in %DLQ% (RocketMQ's send path), RETRY_TOPIC naming where they came from.
  for (int i = 0; i < 2; ++i) {
    std::string props;
    for (const auto& [name, value] : std::map<std::string, std::string>{{"UNIQ_KEY", "dlq-" + std::to_string(i)},
                                                                        {"KEYS", "dk-" + std::to_string(i)},
                                                                        {"TAGS", "TagX"},
                                                                        {"RETRY_TOPIC", "AdmDlqOrigin"}}) {
      props += name + '\x01' + value + '\x02';
    }
    auto r = raw_call(remoting::request_code::kSendMessage,
                      {{"producerGroup", "p"}, {"topic", "%RETRY%adm_dlq_group"}, {"defaultTopic", "TBW102"},
                       {"defaultTopicQueueNums", "4"}, {"queueId", "0"}, {"sysFlag", "0"}, {"bornTimestamp", "0"},
                       {"flag", "0"}, {"properties", props}, {"reconsumeTimes", "16"}, {"maxReconsumeTimes", "16"}},
                      "dead-" + std::to_string(i));
    ASSERT_EQ(r.code, 0) << r.remark.value_or("");
  }
  RunResult listed{1, ""};
  auto until = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < until) {
    listed = mqadmin({"queryDlqMsg", "-g", "adm_dlq_group"}, false);
    if (listed.exit_code == 0 && listed.output.find("2 dead letter(s)") != std::string::npos) break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  for (const char* text : {"dlq-0", "dlq-1", "AdmDlqOrigin", "dk-1", "TagX", "2 dead letter(s) of consumer group"}) {
    EXPECT_NE(listed.output.find(text), std::string::npos) << text << "\n" << listed.output;
  }

  RunResult one = mqadmin({"resendDlqMsg", "-g", "adm_dlq_group", "-i", "dlq-1"});
  EXPECT_NE(one.output.find("SEND_OK"), std::string::npos) << one.output;
  EXPECT_EQ(one.output.find("dlq-0"), std::string::npos) << one.output;
  RunResult consumed = mqadmin({"consumeMessage", "-t", "AdmDlqOrigin"});
  EXPECT_NE(consumed.output.find("BODY: dead-1"), std::string::npos) << consumed.output;
  EXPECT_NE(consumed.output.find("keys=dk-1"), std::string::npos) << consumed.output;
  EXPECT_EQ(consumed.output.find("dead-0"), std::string::npos) << consumed.output;
  EXPECT_NE(consumed.output.find("MSGID: dlq-1"), std::string::npos) << "the msgId is kept\n" << consumed.output;

  RunResult all = mqadmin({"resendDlqMsg", "-g", "adm_dlq_group"});
  EXPECT_NE(all.output.find("dlq-0"), std::string::npos) << all.output;
  consumed = mqadmin({"consumeMessage", "-t", "AdmDlqOrigin"});
  EXPECT_NE(consumed.output.find("Consume ok, 3 message(s)"), std::string::npos) << consumed.output;

  RunResult unknown = mqadmin({"resendDlqMsg", "-g", "adm_dlq_group", "-i", "no-such-id"}, false);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("NOT_FOUND"), std::string::npos) << unknown.output;
  RunResult none = mqadmin({"queryDlqMsg", "-g", "adm_nobody_group"}, false);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.output.find("adm_nobody_group has no dead letters"), std::string::npos) << none.output;
}

}  // namespace
}  // namespace tern::testing
