// SQL92 subscriptions end to end against a real `mqbroker --standalone` (issue 7): messages
// sent with user properties over SEND_MESSAGE_V2, pulled with PULL_MESSAGE carrying the
// selector (sysFlag 4, expressionType SQL92). Only matching records cross the wire and
// nextBeginOffset passes the skipped ones; enablePropertyFilter=false refuses SQL92 as
// RocketMQ does (SYSTEM_ERROR); a malformed selector is SUBSCRIPTION_PARSE_FAILED naming the
// position; CHECK_CLIENT_CONFIG answers the same way. `ctest -L filter-sql92`.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
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
using remoting::RemotingClient;
using remoting::RemotingCommand;
namespace rc = remoting::request_code;
namespace code = remoting::response_code;

const std::string kBroker = TERN_MQBROKER;

class QuietLogger : public Logger {
 public:
  void log(LogLevel, std::string_view message) override {
    std::fprintf(stderr, "[client] %.*s\n", static_cast<int>(message.size()), message.data());
  }
  bool should_log(LogLevel level) const override { return level >= LogLevel::kWarn; }
};

RemotingCommand request(int32_t c, std::map<std::string, std::string> ext = {}, std::string body = {}) {
  RemotingCommand cmd;
  cmd.code = c;
  cmd.language = remoting::LanguageCode::kJava;
  cmd.version = 409;
  cmd.ext_fields = std::move(ext);
  cmd.body = std::move(body);
  return cmd;
}

std::string describe(const RemotingCommand& r) {
  std::string out = "code " + std::to_string(r.code) + " remark '" + r.remark.value_or("") + "' ext {";
  for (const auto& [k, v] : r.ext_fields) out += k + "=" + v + " ";
  return out + "}";
}

std::string ext(const RemotingCommand& r, const std::string& key) {
  auto it = r.ext_fields.find(key);
  return it == r.ext_fields.end() ? std::string("<absent>") : it->second;
}

// Queue offsets and properties of the records in a pull body (RocketMQ's record layout).
struct Record {
  int64_t queue_offset = 0;
  std::map<std::string, std::string> properties;
};

std::vector<Record> parse_records(std::string_view body) {
  std::vector<Record> out;
  size_t pos = 0;
  auto be = [&](size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n && pos < body.size(); ++i) v = (v << 8) | static_cast<uint8_t>(body[pos++]);
    return v;
  };
  while (pos + 4 <= body.size()) {
    size_t start = pos;
    auto total = static_cast<size_t>(be(4));
    if (total < 4 || start + total > body.size()) {
      ADD_FAILURE() << "bad record size " << total << " at " << start;
      break;
    }
    Record r;
    pos = start + 4 + 4 + 4 + 4 + 4;  // size, magic, body crc, queue id, flag
    r.queue_offset = static_cast<int64_t>(be(8));
    pos += 8;  // physical offset
    auto sys_flag = static_cast<uint32_t>(be(4));
    pos += 8 + ((sys_flag & 0x10) ? 20 : 8) + 8 + ((sys_flag & 0x20) ? 20 : 8) + 4 + 8;
    pos += static_cast<size_t>(be(4));  // body
    pos += static_cast<size_t>(be(1));  // topic
    auto props_len = static_cast<size_t>(be(2));
    std::string_view props = body.substr(std::min(pos, body.size()), props_len);
    while (!props.empty()) {
      size_t end = props.find('\x02');
      std::string_view pair = props.substr(0, end);
      size_t sep = pair.find('\x01');
      if (sep != std::string_view::npos) r.properties[std::string(pair.substr(0, sep))] = std::string(pair.substr(sep + 1));
      if (end == std::string_view::npos) break;
      props.remove_prefix(end + 1);
    }
    out.push_back(std::move(r));
    pos = start + total;
  }
  return out;
}

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
  RemotingCommand call(const std::string& address, RemotingCommand cmd) {
    auto r = client_->invoke_sync(address, std::move(cmd), 10s);
    if (!r.is_ok()) {
      ADD_FAILURE() << r.status().to_string();
      RemotingCommand failed;
      failed.code = -1;
      return failed;
    }
    return std::move(*r);
  }

 private:
  QuietLogger logger_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::thread thread_;
  std::unique_ptr<RemotingClient> client_;
};

// mqbroker --standalone in its own directory on free ports.
class Broker {
 public:
  explicit Broker(const std::string& extra_keys) {
    port_ = free_port();
    int ns_port = free_port();
    while (ns_port == port_) ns_port = free_port();
    config_ = dir_.write_file("broker.properties",
                              "listenPort=" + std::to_string(port_) + "\nbrokerIP1=127.0.0.1\nstorePathRootDir=" +
                                  dir_.path() + "/store\nlogDir=" + dir_.path() +
                                  "/logs\nmappedFileSizeCommitLog=67108864\nembeddedNamesrvPort=" +
                                  std::to_string(ns_port) + "\n" + extra_keys);
  }
  ~Broker() {
    if (process_) {
      process_->signal(SIGTERM);
      (void)process_->wait(30s);
    }
  }
  std::string start() {
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{kBroker, "--standalone", "-c", config_},
                                              dir_.path());
    if (!process_->wait_for_output("boot success", 60s)) return "mqbroker did not boot:\n" + process_->output();
    return {};
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  TempDir dir_;
  int port_ = 0;
  std::string config_;
  std::unique_ptr<ChildProcess> process_;
};

RemotingCommand create_topic(const std::string& topic) {
  return request(rc::kUpdateAndCreateTopic, {{"topic", topic},
                                             {"defaultTopic", "TBW102"},
                                             {"readQueueNums", "1"},
                                             {"writeQueueNums", "1"},
                                             {"perm", "6"},
                                             {"topicFilterType", "SINGLE_TAG"},
                                             {"topicSysFlag", "0"},
                                             {"order", "false"}});
}

// SEND_MESSAGE_V2 with user properties, as a Java producer after putUserProperty.
RemotingCommand send_v2(const std::string& topic, const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& props) {
  std::string text;
  for (const auto& [k, v] : props) text += k + '\x01' + v + '\x02';
  text += std::string("WAIT") + '\x01' + "true" + '\x02';
  return request(rc::kSendMessageV2, {{"a", "sql92-producer"},
                                      {"b", topic},
                                      {"c", "TBW102"},
                                      {"d", "4"},
                                      {"e", "0"},
                                      {"f", "0"},
                                      {"g", "1700000000000"},
                                      {"h", "0"},
                                      {"i", text},
                                      {"j", "0"},
                                      {"k", "false"}},
                 body);
}

// PULL_MESSAGE with the subscription in the request (sysFlag 4: no hold, no commit).
RemotingCommand pull_sql(const std::string& topic, const std::string& selector, int64_t offset = 0) {
  return request(rc::kPullMessage, {{"consumerGroup", "sql92-group"},
                                    {"topic", topic},
                                    {"queueId", "0"},
                                    {"queueOffset", std::to_string(offset)},
                                    {"maxMsgNums", "32"},
                                    {"sysFlag", "4"},
                                    {"commitOffset", "0"},
                                    {"suspendTimeoutMillis", "1000"},
                                    {"subscription", selector},
                                    {"expressionType", "SQL92"},
                                    {"subVersion", "0"}});
}

// CHECK_CLIENT_CONFIG (46) as a Java consumer sends it before subscribing by SQL.
RemotingCommand check_client_config(const std::string& topic, const std::string& selector) {
  std::string body = R"({"clientId":"127.0.0.1@sql92","group":"sql92-group","subscriptionData":{"topic":")" + topic +
                     R"(","subString":")" + selector +
                     R"(","tagsSet":[],"codeSet":[],"subVersion":1,"classFilterMode":false,"expressionType":"SQL92"}})";
  return request(rc::kCheckClientConfig, {}, body);
}

std::vector<int64_t> offsets_of(const std::vector<Record>& records) {
  std::vector<int64_t> out;
  for (const auto& r : records) out.push_back(r.queue_offset);
  return out;
}

TEST(FilterSql92EndToEnd, SelectorsFilterOnTheBroker) {
  Broker broker("enablePropertyFilter=true\n");
  std::string error = broker.start();
  ASSERT_EQ(error, "") << error;
  Client client;
  const std::string topic = "sql92-topic";
  ASSERT_EQ(client.call(broker.address(), create_topic(topic)).code, code::kSuccess);

  // Seed 001: ten messages; sequence and a are i, tag is SqlTest for the first five.
  for (int i = 0; i < 10; ++i) {
    auto r = client.call(broker.address(),
                         send_v2(topic, "Hello RocketMQ-" + std::to_string(i),
                                 {{"TAGS", "SqlTest"},
                                  {"KEYS", "OrderID00" + std::to_string(i)},
                                  {"sequence", std::to_string(i)},
                                  {"a", std::to_string(i)},
                                  {"tag", i < 5 ? "SqlTest" : "Other"}}));
    ASSERT_EQ(r.code, code::kSuccess) << describe(r);
  }
  // The consume queue is built just after the send is answered.
  RemotingCommand all;
  for (int tries = 0; tries < 100; ++tries) {
    all = client.call(broker.address(), pull_sql(topic, "a >= 0"));
    if (all.code == code::kSuccess && parse_records(all.body).size() == 10) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(parse_records(all.body).size(), 10u) << describe(all);

  auto r = client.call(broker.address(), pull_sql(topic, "sequence between 2 and 3 and tag='SqlTest'"));
  ASSERT_EQ(r.code, code::kSuccess) << describe(r);
  auto records = parse_records(r.body);
  EXPECT_EQ(offsets_of(records), (std::vector<int64_t>{2, 3}));
  for (const auto& rec : records) EXPECT_EQ(rec.properties.at("tag"), "SqlTest");
  EXPECT_EQ(ext(r, "nextBeginOffset"), "10") << "the skipped offsets must be passed over";

  // System properties are visible too (TAGS, KEYS), and NULL is not a match.
  auto keys = client.call(broker.address(), pull_sql(topic, "KEYS IN ('OrderID007') AND TAGS = 'SqlTest'"));
  ASSERT_EQ(keys.code, code::kSuccess) << describe(keys);
  EXPECT_EQ(offsets_of(parse_records(keys.body)), (std::vector<int64_t>{7}));
  auto none = client.call(broker.address(), pull_sql(topic, "missing = 1 OR missing IS NOT NULL"));
  EXPECT_EQ(none.code, code::kPullRetryImmediately) << describe(none);
  EXPECT_EQ(ext(none, "nextBeginOffset"), "10");

  // From the middle: only what lies ahead.
  auto tail = client.call(broker.address(), pull_sql(topic, "a > 5", 7));
  ASSERT_EQ(tail.code, code::kSuccess) << describe(tail);
  EXPECT_EQ(offsets_of(parse_records(tail.body)), (std::vector<int64_t>{7, 8, 9}));

  // A malformed selector: SUBSCRIPTION_PARSE_FAILED with the position; the broker lives on.
  auto bad = client.call(broker.address(), pull_sql(topic, "sequence between 2 and"));
  EXPECT_EQ(bad.code, code::kSubscriptionParseFailed) << describe(bad);
  EXPECT_NE(bad.remark.value_or("").find("line 1, column 23"), std::string::npos) << describe(bad);
  auto worse = client.call(broker.address(), pull_sql(topic, std::string(200, '(') + "\xff"));
  EXPECT_EQ(worse.code, code::kSubscriptionParseFailed) << describe(worse);

  EXPECT_EQ(client.call(broker.address(), check_client_config(topic, "a > 5 AND tag = 'SqlTest'")).code,
            code::kSuccess);
  auto refused = client.call(broker.address(), check_client_config(topic, "a > 'x'"));
  EXPECT_EQ(refused.code, code::kSubscriptionParseFailed) << describe(refused);
  EXPECT_NE(refused.remark.value_or("").find("column 5"), std::string::npos) << describe(refused);

  auto still = client.call(broker.address(), pull_sql(topic, "sequence = 9"));
  ASSERT_EQ(still.code, code::kSuccess) << describe(still);
  EXPECT_EQ(offsets_of(parse_records(still.body)), (std::vector<int64_t>{9}));
}

TEST(FilterSql92EndToEnd, RefusedWithoutEnablePropertyFilter) {
  Broker broker("");  // enablePropertyFilter defaults to false, as in RocketMQ
  std::string error = broker.start();
  ASSERT_EQ(error, "") << error;
  Client client;
  const std::string topic = "sql92-off";
  ASSERT_EQ(client.call(broker.address(), create_topic(topic)).code, code::kSuccess);
  ASSERT_EQ(client.call(broker.address(), send_v2(topic, "m", {{"a", "1"}})).code, code::kSuccess);

  auto r = client.call(broker.address(), pull_sql(topic, "a = 1"));
  EXPECT_EQ(r.code, code::kSystemError) << describe(r);
  EXPECT_EQ(r.remark.value_or(""), "The broker does not support consumer to filter message by SQL92");
  auto check = client.call(broker.address(), check_client_config(topic, "a = 1"));
  EXPECT_EQ(check.code, code::kSystemError) << describe(check);
  EXPECT_EQ(check.remark.value_or(""), "The broker does not support consumer to filter message by SQL92");
}

}  // namespace
}  // namespace tern::testing
