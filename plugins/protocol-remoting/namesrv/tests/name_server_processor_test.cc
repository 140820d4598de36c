// NameServerProcessor: every served code through requests as clients and brokers send
// them, RocketMQ's error answers, and the register-broker CRC check.
#include <gtest/gtest.h>

#include <boost/crc.hpp>

#include "codes.h"
#include "name_server_processor.h"
#include "test_support.h"

namespace tern::remoting {
namespace {

using testing::CapturingLogger;
using testing::register_body;
using testing::register_request;

RemotingCommand request(int32_t code, std::map<std::string, std::string> ext = {}, std::string body = {}) {
  RemotingCommand cmd;
  cmd.code = code;
  cmd.opaque = 42;
  cmd.version = 409;
  cmd.ext_fields = std::move(ext);
  cmd.body = std::move(body);
  return cmd;
}

class NameServerProcessorTest : public ::testing::Test {
 protected:
  RemotingCommand run(const RemotingCommand& req) {
    RemotingCommand resp = processor_.process(req, &connection_, "10.9.9.9:5555");
    EXPECT_TRUE(resp.is_response());
    EXPECT_EQ(resp.opaque, req.opaque);
    return resp;
  }
  void register_a() {
    auto resp = run(register_request("DefaultCluster", "broker-a", "127.0.0.1:10911", 0,
                                     register_body({{"TopicA", 4, 4, 6}}, 1700000000000, 1)));
    ASSERT_EQ(resp.code, 0) << resp.remark.value_or("");
  }

  CapturingLogger logger_;
  RouteInfoManager routes_{logger_};
  KvConfigManager kv_{"", logger_};
  NameServerProcessor processor_{routes_, kv_, logger_, {false, {{"listenPort", "9876"}, {"orderMessageEnable", "false"}}}};
  int connection_ = 0;
};

TEST_F(NameServerProcessorTest, RegisterThenRouteByteExact) {
  register_a();
  auto resp = run(request(105, {{"topic", "TopicA"}}));
  ASSERT_EQ(resp.code, 0);
  EXPECT_FALSE(resp.remark.has_value());
  EXPECT_EQ(resp.body,
            R"({"orderTopicConf":null,"queueDatas":[{"brokerName":"broker-a","readQueueNums":4,"writeQueueNums":4,)"
            R"("perm":6,"topicSysFlag":0}],"brokerDatas":[{"cluster":"DefaultCluster","brokerName":"broker-a",)"
            R"("brokerAddrs":{"0":"127.0.0.1:10911"}}],"filterServerTable":{}})");
  // The connection it came on was recorded: closing it removes the broker.
  EXPECT_EQ(routes_.on_connection_closed(&connection_), 1);
  EXPECT_EQ(run(request(105, {{"topic", "TopicA"}})).code, 17);
}

TEST_F(NameServerProcessorTest, UnknownTopicIsTopicNotExist) {
  auto resp = run(request(105, {{"topic", "Nope"}}));
  EXPECT_EQ(resp.code, response_code::kTopicNotExist);
  EXPECT_EQ(resp.remark.value_or(""), "No topic route info in name server for the topic: Nope");
  EXPECT_TRUE(resp.body.empty());
}

TEST_F(NameServerProcessorTest, MissingRequiredFieldIsSystemErrorNamingIt) {
  auto reg = register_request("c", "b", "h:1", 0, register_body({}, 1, 1));
  reg.ext_fields.erase("haServerAddr");
  auto resp = run(reg);
  EXPECT_EQ(resp.code, response_code::kSystemError);
  EXPECT_EQ(resp.remark.value_or(""), "the custom field <haServerAddr> is null");
  reg = register_request("c", "b", "h:1", 0, register_body({}, 1, 1));
  reg.ext_fields["brokerId"] = "zero";
  EXPECT_EQ(run(reg).remark.value_or(""), "the custom field <brokerId> is not a number: 'zero'");
  EXPECT_EQ(run(request(105)).remark.value_or(""), "the custom field <topic> is null");
  EXPECT_EQ(run(request(100, {{"namespace", "n"}, {"key", "k"}})).remark.value_or(""),
            "the custom field <value> is null");
  EXPECT_EQ(run(request(224)).remark.value_or(""), "the custom field <cluster> is null");
  EXPECT_EQ(routes_.live_broker_count(), 0u);
}

TEST_F(NameServerProcessorTest, UnknownCodeIsNotSupported) {
  auto resp = run(request(999));
  EXPECT_EQ(resp.code, response_code::kRequestCodeNotSupported);
  EXPECT_EQ(resp.remark.value_or(""), " request type 999 not supported");
  EXPECT_EQ(run(request(request_code::kSendMessageV2)).code, response_code::kRequestCodeNotSupported);
}

TEST_F(NameServerProcessorTest, BodyCrc32IsJavaCrc32MaskedTo31Bits) {
  std::string body = register_body({{"T", 4, 4, 6}}, 1, 1);
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  uint32_t masked = crc.checksum() & 0x7FFFFFFFu;
  auto reg = register_request("c", "b", "h:1", 0, body);
  reg.ext_fields["bodyCrc32"] = std::to_string(masked);
  EXPECT_EQ(run(reg).code, 0);
  reg.ext_fields["bodyCrc32"] = std::to_string(masked ^ 1);
  auto bad = run(reg);
  EXPECT_EQ(bad.code, response_code::kSystemError);
  EXPECT_EQ(bad.remark.value_or(""), "crc32 not match");
  // The check value of CRC-32 is 0xCBF43926; RocketMQ's UtilAll.crc32 drops the top bit.
  auto known = register_request("c", "b", "h:1", 0, "123456789");
  known.ext_fields["bodyCrc32"] = std::to_string(0x4BF43926);
  auto r = run(known);  // the CRC matches, so the body is parsed next (and refused: not JSON)
  EXPECT_NE(r.remark.value_or("").find("Failed to decode RegisterBrokerBody"), std::string::npos)
      << r.remark.value_or("");
}

TEST_F(NameServerProcessorTest, CompressedAndMalformedBodiesAreRefused) {
  auto reg = register_request("c", "b", "h:1", 0, "x\x9c");
  reg.ext_fields["compressed"] = "true";
  auto resp = run(reg);
  EXPECT_EQ(resp.code, response_code::kSystemError);
  EXPECT_NE(resp.remark.value_or("").find("compressedRegister=false"), std::string::npos);
  auto bad = run(register_request("c", "b", "h:1", 0, R"({"topicConfigSerializeWrapper":{"topicConfigTable":[]}})"));
  EXPECT_EQ(bad.code, response_code::kSystemError);
  EXPECT_NE(bad.remark.value_or("").find("topicConfigTable is not an object"), std::string::npos);
  EXPECT_EQ(routes_.live_broker_count(), 0u);
}

TEST_F(NameServerProcessorTest, SlaveLearnsItsMasterAndOrderConfigComesBack) {
  register_a();
  run(request(100, {{"namespace", "ORDER_TOPIC_CONFIG"}, {"key", "TopicA"}, {"value", "broker-a:4"}}));
  auto resp = run(register_request("DefaultCluster", "broker-a", "127.0.0.2:10911", 1, register_body({}, 1, 1)));
  ASSERT_EQ(resp.code, 0);
  EXPECT_EQ(resp.ext_fields["masterAddr"], "127.0.0.1:10911");
  EXPECT_EQ(resp.ext_fields["haServerAddr"], "ha-127.0.0.1:10911");
  EXPECT_EQ(resp.body, R"({"table":{"TopicA":"broker-a:4"}})");
  // orderMessageEnable is off: the route carries no orderTopicConf until it is switched on.
  EXPECT_NE(run(request(105, {{"topic", "TopicA"}})).body.find(R"("orderTopicConf":null)"), std::string::npos);
  EXPECT_EQ(run(request(318, {}, "orderMessageEnable=true\n")).code, 0);
  EXPECT_NE(run(request(105, {{"topic", "TopicA"}})).body.find(R"("orderTopicConf":"broker-a:4")"),
            std::string::npos);
  EXPECT_EQ(run(request(319)).body, "listenPort=9876\norderMessageEnable=true\n");
}

TEST_F(NameServerProcessorTest, NamesrvConfigUpdatesAreNarrow) {
  EXPECT_EQ(run(request(318, {}, "kvConfigPath=/tmp/x\n")).code, response_code::kNoPermission);
  auto other = run(request(318, {}, "# comment\nlistenPort=1\n"));
  EXPECT_EQ(other.code, response_code::kSystemError);
  EXPECT_NE(other.remark.value_or("").find("'listenPort'"), std::string::npos);
  EXPECT_EQ(run(request(318, {}, "orderMessageEnable=maybe")).code, response_code::kSystemError);
  EXPECT_EQ(run(request(318)).code, 0);  // empty body: nothing to do
}

TEST_F(NameServerProcessorTest, UnregisterClusterInfoTopicLists) {
  register_a();
  run(register_request("Other", "broker-b", "127.0.0.3:10911", 0, register_body({{"TopicB", 1, 1, 6}}, 1, 1)));
  auto cluster = run(request(106));
  EXPECT_EQ(cluster.code, 0);
  EXPECT_EQ(cluster.body,
            R"({"brokerAddrTable":{"broker-a":{"cluster":"DefaultCluster","brokerName":"broker-a",)"
            R"("brokerAddrs":{"0":"127.0.0.1:10911"}},"broker-b":{"cluster":"Other","brokerName":"broker-b",)"
            R"("brokerAddrs":{"0":"127.0.0.3:10911"}}},"clusterAddrTable":{"DefaultCluster":["broker-a"],)"
            R"("Other":["broker-b"]}})");
  EXPECT_EQ(run(request(206)).body, R"({"topicList":["TopicA","TopicB"],"brokerAddr":null})");
  EXPECT_EQ(run(request(224, {{"cluster", "Other"}})).body, R"({"topicList":["TopicB"],"brokerAddr":null})");
  EXPECT_EQ(run(request(224, {{"cluster", "Nope"}})).body, R"({"topicList":[],"brokerAddr":null})");

  EXPECT_EQ(run(request(104, {{"brokerName", "broker-b"}, {"brokerAddr", "127.0.0.3:10911"}, {"clusterName", "Other"},
                              {"brokerId", "0"}}))
                .code,
            0);
  EXPECT_EQ(run(request(206)).body, R"({"topicList":["TopicA"],"brokerAddr":null})");
  EXPECT_EQ(run(request(104, {{"brokerName", "x"}})).remark.value_or(""), "the custom field <brokerAddr> is null");

  EXPECT_EQ(run(request(216, {{"topic", "TopicA"}, {"clusterName", ""}})).code, 0);
  EXPECT_EQ(run(request(105, {{"topic", "TopicA"}})).code, 17);
}

TEST_F(NameServerProcessorTest, WritePermCounts) {
  register_a();
  auto wipe = run(request(205, {{"brokerName", "broker-a"}}));
  EXPECT_EQ(wipe.code, 0);
  EXPECT_EQ(wipe.ext_fields["wipeTopicCount"], "1");
  EXPECT_NE(run(request(105, {{"topic", "TopicA"}})).body.find(R"("perm":4)"), std::string::npos);
  auto add = run(request(327, {{"brokerName", "broker-a"}}));
  EXPECT_EQ(add.ext_fields["addTopicCount"], "1");
  EXPECT_NE(run(request(105, {{"topic", "TopicA"}})).body.find(R"("perm":6)"), std::string::npos);
  EXPECT_NE(logger_.find({"wipe write perm of broker broker-a", "10.9.9.9:5555"}), "");
}

TEST_F(NameServerProcessorTest, KvConfig) {
  EXPECT_EQ(run(request(100, {{"namespace", "ns"}, {"key", "k"}, {"value", "v"}})).code, 0);
  auto get = run(request(101, {{"namespace", "ns"}, {"key", "k"}}));
  EXPECT_EQ(get.code, 0);
  EXPECT_EQ(get.ext_fields["value"], "v");
  auto missing = run(request(101, {{"namespace", "ns"}, {"key", "nope"}}));
  EXPECT_EQ(missing.code, response_code::kQueryNotFound);
  EXPECT_EQ(missing.remark.value_or(""), "No config item, Namespace: ns Key: nope");
  EXPECT_EQ(run(request(219, {{"namespace", "ns"}})).body, R"({"table":{"k":"v"}})");
  auto no_ns = run(request(219, {{"namespace", "other"}}));
  EXPECT_EQ(no_ns.code, response_code::kQueryNotFound);
  EXPECT_EQ(no_ns.remark.value_or(""), "No config item, Namespace: other");
  EXPECT_EQ(run(request(102, {{"namespace", "ns"}, {"key", "k"}})).code, 0);
  EXPECT_EQ(run(request(101, {{"namespace", "ns"}, {"key", "k"}})).code, response_code::kQueryNotFound);
  EXPECT_EQ(run(request(102, {{"namespace", "ns"}, {"key", "k"}})).code, 0);  // deleting twice is fine
}

TEST_F(NameServerProcessorTest, QueryDataVersion) {
  register_a();
  std::map<std::string, std::string> header{
      {"brokerName", "broker-a"}, {"brokerAddr", "127.0.0.1:10911"}, {"clusterName", "DefaultCluster"}, {"brokerId", "0"}};
  auto same = run(request(322, header, R"({"counter":1,"timestamp":1700000000000})"));
  EXPECT_EQ(same.code, 0);
  EXPECT_EQ(same.ext_fields["changed"], "false");
  EXPECT_EQ(same.body, R"({"timestamp":1700000000000,"counter":1})");
  EXPECT_EQ(run(request(322, header, R"({"counter":2,"timestamp":1700000000000})")).ext_fields["changed"], "true");
  EXPECT_EQ(run(request(322, header, "[")).code, response_code::kSystemError);
}

TEST_F(NameServerProcessorTest, OnewayAndRocketmqSerializationAreKept) {
  auto req = request(105, {{"topic", "Nope"}});
  req.serialize_type = SerializeType::kRocketmq;
  EXPECT_EQ(run(req).serialize_type, SerializeType::kRocketmq);
}

}  // namespace
}  // namespace tern::remoting
