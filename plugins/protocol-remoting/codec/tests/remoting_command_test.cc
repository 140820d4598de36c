// Tests of the remoting frame codec: round trips in both serializations, headers as
// ali-ons and rocketmq-client-cpp write them, partial frames, and every refusal.
#include "remoting_command.h"

#include <gtest/gtest.h>

#include <string>

namespace tern::remoting {
namespace {

std::string be32(uint32_t v) {
  std::string s;
  s.push_back(static_cast<char>(v >> 24));
  s.push_back(static_cast<char>((v >> 16) & 0xFF));
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
  s.push_back(static_cast<char>(v & 0xFF));
  return s;
}

std::string be16(uint16_t v) {
  std::string s;
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v & 0xFF));
  return s;
}

// A frame with a raw header, as a client would write it.
std::string make_frame(std::string_view header, std::string_view body, uint8_t type = 0) {
  std::string out = be32(static_cast<uint32_t>(4 + header.size() + body.size()));
  out += be32((static_cast<uint32_t>(type) << 24) | static_cast<uint32_t>(header.size()));
  out.append(header);
  out.append(body);
  return out;
}

RemotingCommand decode_one(std::string_view frame) {
  size_t consumed = 0;
  auto r = decode_frame(frame, kDefaultMaxFrame, &consumed);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  if (!r.is_ok()) return {};
  EXPECT_TRUE(r->has_value());
  if (!r->has_value()) return {};
  EXPECT_EQ(consumed, frame.size());
  return **r;
}

Status decode_error(std::string_view frame, size_t max_frame = kDefaultMaxFrame) {
  size_t consumed = 99;
  auto r = decode_frame(frame, max_frame, &consumed);
  EXPECT_FALSE(r.is_ok());
  EXPECT_EQ(consumed, 0u);
  return r.status();
}

RemotingCommand sample(SerializeType type) {
  RemotingCommand cmd;
  cmd.code = 310;
  cmd.language = LanguageCode::kCpp;
  cmd.version = 409;
  cmd.opaque = -7;
  cmd.flag = kFlagResponse;
  cmd.remark = "r\xC3\xA9mark \"quoted\"\n";
  cmd.ext_fields = {{"a", "group"}, {"e", "3"}, {"k", "false"}, {"empty", ""}};
  cmd.body = std::string("\x00\x01body\xFF", 7);
  cmd.serialize_type = type;
  return cmd;
}

TEST(RemotingCommandTest, JsonRoundTrip) {
  RemotingCommand cmd = sample(SerializeType::kJson);
  std::string frame = encode_frame(cmd);
  EXPECT_EQ(frame[4], 0) << "JSON frames carry top byte 0";
  EXPECT_EQ(decode_one(frame), cmd);
  EXPECT_TRUE(cmd.is_response());
  EXPECT_FALSE(cmd.is_oneway());
}

TEST(RemotingCommandTest, JsonRoundTripWithoutRemarkOrExtFields) {
  RemotingCommand cmd;
  cmd.code = 34;
  cmd.opaque = 1;
  cmd.flag = kFlagOneway;
  EXPECT_TRUE(cmd.is_oneway());
  std::string frame = encode_frame(cmd);
  RemotingCommand back = decode_one(frame);
  EXPECT_EQ(back, cmd);
  EXPECT_FALSE(back.remark.has_value());
}

TEST(RemotingCommandTest, RocketmqRoundTrip) {
  RemotingCommand cmd = sample(SerializeType::kRocketmq);
  std::string frame = encode_frame(cmd);
  EXPECT_EQ(frame[4], 1) << "ROCKETMQ frames carry top byte 1";
  EXPECT_EQ(decode_one(frame), cmd);
}

TEST(RemotingCommandTest, RocketmqNegativeCodeRoundTrips) {
  RemotingCommand cmd;
  cmd.code = -1;
  cmd.version = 32767;
  cmd.serialize_type = SerializeType::kRocketmq;
  EXPECT_EQ(decode_one(encode_frame(cmd)), cmd);
}

TEST(RemotingCommandTest, JsonResponseWritesExtFieldsAsStrings) {
  RemotingCommand cmd;
  cmd.flag = kFlagResponse;
  cmd.ext_fields = {{"queueId", "0"}, {"queueOffset", "12"}};
  std::string header = encode_json_header(cmd);
  EXPECT_NE(header.find(R"("extFields":{"queueId":"0","queueOffset":"12"})"), std::string::npos)
      << header;
  EXPECT_NE(header.find(R"("language":"JAVA")"), std::string::npos) << header;
}

TEST(RemotingCommandTest, DecodesAliOnsHeader) {
  // ali-ons: raw JS numbers and booleans in extFields, no remark, version 121.
  std::string header =
      R"({"code":310,"language":"JAVA","opaque":1,"flag":0,"version":121,)"
      R"("extFields":{"a":"pg","b":"TopicTest","c":"TBW102","d":4,"e":0,"f":0,)"
      R"("g":1700000000000,"h":0,"i":"TAGS\u0001TagA\u0002","j":0,"k":false}})";
  RemotingCommand cmd = decode_one(make_frame(header, "hello"));
  EXPECT_EQ(cmd.code, 310);
  EXPECT_EQ(cmd.language, LanguageCode::kJava);
  EXPECT_EQ(cmd.version, 121);
  EXPECT_EQ(cmd.opaque, 1);
  EXPECT_FALSE(cmd.is_response());
  EXPECT_FALSE(cmd.remark.has_value());
  EXPECT_EQ(cmd.ext_fields.at("d"), "4");
  EXPECT_EQ(cmd.ext_fields.at("e"), "0");
  EXPECT_EQ(cmd.ext_fields.at("g"), "1700000000000");
  EXPECT_EQ(cmd.ext_fields.at("k"), "false");
  EXPECT_EQ(cmd.ext_fields.at("i"), "TAGS\x01TagA\x02");
  EXPECT_EQ(cmd.ext_fields.size(), 11u);
  EXPECT_EQ(cmd.body, "hello");
  EXPECT_EQ(cmd.serialize_type, SerializeType::kJson);
}

TEST(RemotingCommandTest, DecodesCppClientHeader) {
  // rocketmq-client-cpp: ints as numbers, longs/bools as strings, empty ACL fields,
  // an empty remark, and fields this codec does not know.
  std::string header =
      R"({"code":11,"extFields":{"AccessKey":"","OnsChannel":"","Signature":"",)"
      R"("commitOffset":"0","consumerGroup":"cg","maxMsgNums":32,"queueId":1,)"
      R"("queueOffset":"100","subVersion":"1700000000000","suspendTimeoutMillis":"15000",)"
      R"("sysFlag":6,"topic":"t","unitMode":"false"},"flag":0,"language":"CPP",)"
      R"("opaque":5,"remark":"","serializeTypeCurrentRPC":"JSON","version":333,"unknown":[1,{}]})";
  RemotingCommand cmd = decode_one(make_frame(header, ""));
  EXPECT_EQ(cmd.code, 11);
  EXPECT_EQ(cmd.language, LanguageCode::kCpp);
  EXPECT_EQ(cmd.version, 333);
  EXPECT_EQ(cmd.opaque, 5);
  ASSERT_TRUE(cmd.remark.has_value());
  EXPECT_EQ(*cmd.remark, "");
  EXPECT_EQ(cmd.ext_fields.at("AccessKey"), "");
  EXPECT_EQ(cmd.ext_fields.at("Signature"), "");
  EXPECT_EQ(cmd.ext_fields.at("OnsChannel"), "");
  EXPECT_EQ(cmd.ext_fields.at("maxMsgNums"), "32");
  EXPECT_EQ(cmd.ext_fields.at("sysFlag"), "6");
  EXPECT_EQ(cmd.ext_fields.at("unitMode"), "false");
  EXPECT_TRUE(cmd.body.empty());
}

TEST(RemotingCommandTest, JsonHeaderLeniency) {
  // Missing fields take defaults, null values are absent, unknown language is OTHER,
  // numeric strings are accepted for int fields.
  RemotingCommand cmd = decode_one(make_frame(
      R"({"code":"105","language":"KLINGON","remark":null,"extFields":{"x":null,"y":true}})", ""));
  EXPECT_EQ(cmd.code, 105);
  EXPECT_EQ(cmd.language, LanguageCode::kOther);
  EXPECT_FALSE(cmd.remark.has_value());
  EXPECT_EQ(cmd.ext_fields.count("x"), 0u);
  EXPECT_EQ(cmd.ext_fields.at("y"), "true");
  RemotingCommand empty = decode_one(make_frame("{}", ""));
  EXPECT_EQ(empty, RemotingCommand{});
  // Repeated names: the last wins, a later null removes; unknown members of any shape are
  // skipped; members come in any order.
  RemotingCommand dup = decode_one(make_frame(
      R"({"extFields":{"a":"1","b":"2","a":"3","b":null,"n":12,"m":-1.5},"future":{"x":[1,{"y":null}]},)"
      R"("code":7,"code":8,"remark":"r","opaque":-3,"serializeTypeCurrentRPC":"JSON"})",
      ""));
  EXPECT_EQ(dup.code, 8);
  EXPECT_EQ(dup.opaque, -3);
  EXPECT_EQ(dup.remark, "r");
  EXPECT_EQ(dup.ext_fields, (std::map<std::string, std::string>{{"a", "3"}, {"n", "12"}, {"m", "-1.5"}}));
}

TEST(RemotingCommandTest, JsonHeaderRefusals) {
  EXPECT_TRUE(decode_error(make_frame("[]", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame("{", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"code":1.5})", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"code":2147483648})", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"code":true})", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"language":1})", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"remark":1})", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"extFields":[]})", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"extFields":{"a":{}}})", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({} trailing)", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"code":"12x"})", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"code":""})", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"code":1,})", "")).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(R"({"future":[1,}})", "")).is_corruption());
  Status named = decode_error(make_frame(R"({"code":1 "x":2})", ""));
  EXPECT_NE(named.message().find("JSON header: JSON: expected ',' or '}' in object at byte 10"), std::string::npos)
      << named.message();
  // An empty header is not JSON.
  EXPECT_TRUE(decode_error(make_frame("", "body")).is_corruption());
}

TEST(RemotingCommandTest, DecodesHandWrittenRocketmqHeader) {
  std::string ext = be16(5) + "topic" + be32(2) + "tt" + be16(0) + be32(0);
  std::string header = be16(105) + std::string(1, '\x09') + be16(401) + be32(42) + be32(0) +
                       be32(0) + be32(static_cast<uint32_t>(ext.size())) + ext;
  RemotingCommand cmd = decode_one(make_frame(header, "B", 1));
  EXPECT_EQ(cmd.code, 105);
  EXPECT_EQ(cmd.language, LanguageCode::kGo);
  EXPECT_EQ(cmd.version, 401);
  EXPECT_EQ(cmd.opaque, 42);
  EXPECT_FALSE(cmd.remark.has_value());
  EXPECT_EQ(cmd.ext_fields.at("topic"), "tt");
  EXPECT_EQ(cmd.ext_fields.at(""), "");
  EXPECT_EQ(cmd.body, "B");
  EXPECT_EQ(cmd.serialize_type, SerializeType::kRocketmq);
}

TEST(RemotingCommandTest, RocketmqHeaderRefusals) {
  std::string fixed = be16(1) + std::string(1, '\0') + be16(1) + be32(1) + be32(0);
  // Truncated fixed part.
  EXPECT_TRUE(decode_error(make_frame(fixed.substr(0, 8), "", 1)).is_corruption());
  // Missing remark length.
  EXPECT_TRUE(decode_error(make_frame(fixed, "", 1)).is_corruption());
  // Negative and oversized remark lengths.
  EXPECT_TRUE(decode_error(make_frame(fixed + be32(0xFFFFFFFF) + be32(0), "", 1)).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(fixed + be32(100) + "ab" + be32(0), "", 1)).is_corruption());
  // Missing extFields length, oversized and negative ones.
  EXPECT_TRUE(decode_error(make_frame(fixed + be32(0), "", 1)).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(fixed + be32(0) + be32(50), "", 1)).is_corruption());
  EXPECT_TRUE(decode_error(make_frame(fixed + be32(0) + be32(0x80000000), "", 1)).is_corruption());
  // Entries that run past the extFields region, and negative key / value lengths.
  std::string bad_key = be16(9) + "ab";
  EXPECT_TRUE(decode_error(make_frame(fixed + be32(0) + be32(static_cast<uint32_t>(bad_key.size())) + bad_key, "", 1))
                  .is_corruption());
  std::string neg_key = be16(0x8000);
  EXPECT_TRUE(decode_error(make_frame(fixed + be32(0) + be32(static_cast<uint32_t>(neg_key.size())) + neg_key, "", 1))
                  .is_corruption());
  std::string bad_val = be16(1) + "k" + be32(10) + "v";
  EXPECT_TRUE(decode_error(make_frame(fixed + be32(0) + be32(static_cast<uint32_t>(bad_val.size())) + bad_val, "", 1))
                  .is_corruption());
  std::string neg_val = be16(1) + "k" + be32(0xFFFFFFFF);
  EXPECT_TRUE(decode_error(make_frame(fixed + be32(0) + be32(static_cast<uint32_t>(neg_val.size())) + neg_val, "", 1))
                  .is_corruption());
  std::string half_len = be16(1) + "k" + be16(0);
  EXPECT_TRUE(decode_error(make_frame(fixed + be32(0) + be32(static_cast<uint32_t>(half_len.size())) + half_len, "", 1))
                  .is_corruption());
}

TEST(RemotingCommandTest, PartialFramesWaitForMoreBytes) {
  std::string frame = encode_frame(sample(SerializeType::kJson));
  for (size_t n = 0; n < frame.size(); ++n) {
    size_t consumed = 99;
    auto r = decode_frame(std::string_view(frame).substr(0, n), kDefaultMaxFrame, &consumed);
    ASSERT_TRUE(r.is_ok()) << n << ": " << r.status().to_string();
    EXPECT_FALSE(r->has_value()) << n;
    EXPECT_EQ(consumed, 0u);
  }
}

TEST(RemotingCommandTest, DecodesConsecutiveFrames) {
  RemotingCommand a = sample(SerializeType::kJson);
  RemotingCommand b = sample(SerializeType::kRocketmq);
  b.opaque = 8;
  std::string stream = encode_frame(a) + encode_frame(b) + encode_frame(a).substr(0, 6);
  std::string_view rest = stream;
  size_t consumed = 0;
  auto r1 = decode_frame(rest, kDefaultMaxFrame, &consumed);
  ASSERT_TRUE(r1.is_ok() && r1->has_value());
  EXPECT_EQ(**r1, a);
  rest.remove_prefix(consumed);
  auto r2 = decode_frame(rest, kDefaultMaxFrame, &consumed);
  ASSERT_TRUE(r2.is_ok() && r2->has_value());
  EXPECT_EQ(**r2, b);
  rest.remove_prefix(consumed);
  auto r3 = decode_frame(rest, kDefaultMaxFrame, &consumed);
  ASSERT_TRUE(r3.is_ok());
  EXPECT_FALSE(r3->has_value());
  EXPECT_EQ(rest.size(), 6u);
}

TEST(RemotingCommandTest, ConsumedMayBeNull) {
  auto r = decode_frame(encode_frame(RemotingCommand{}), kDefaultMaxFrame, nullptr);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->has_value());
}

TEST(RemotingCommandTest, LengthBelowFourIsRefused) {
  for (uint32_t len : {0u, 1u, 3u, 0x80000000u, 0xFFFFFFFFu}) {
    EXPECT_TRUE(decode_error(be32(len)).is_corruption()) << len;
  }
}

TEST(RemotingCommandTest, HeaderLengthBeyondFrameIsRefused) {
  std::string frame = be32(4 + 2) + be32(3) + "{}";
  Status s = decode_error(frame);
  EXPECT_TRUE(s.is_corruption());
  EXPECT_NE(s.message().find("header length"), std::string::npos) << s.message();
  // Header length in the top bits of the 24-bit field.
  EXPECT_TRUE(decode_error(be32(4) + be32(0x00FFFFFF)).is_corruption());
}

TEST(RemotingCommandTest, UnknownSerializeTypeIsRefused) {
  for (uint8_t type : {2, 0x7F, 0x80, 0xFF}) {
    Status s = decode_error(make_frame("{}", "", type));
    EXPECT_TRUE(s.is_corruption());
    EXPECT_NE(s.message().find("serialize type"), std::string::npos) << s.message();
  }
}

TEST(RemotingCommandTest, OversizedFrameIsRefusedFromItsPrefix) {
  // Only the 4-byte prefix is present: the limit is enforced before the frame arrives,
  // so nothing is buffered or allocated for it.
  Status s = decode_error(be32(0x7FFFFFFF));
  EXPECT_TRUE(s.is_resource_exhausted()) << s.to_string();
  // The limit counts the length prefix: a frame of exactly max_frame bytes passes.
  std::string frame = make_frame("{}", "0123456789");
  {
    size_t consumed = 0;
    auto r = decode_frame(frame, frame.size(), &consumed);
    ASSERT_TRUE(r.is_ok());
    EXPECT_TRUE(r->has_value());
  }
  EXPECT_TRUE(decode_error(frame, frame.size() - 1).is_resource_exhausted());
  EXPECT_TRUE(decode_error(std::string_view(frame).substr(0, 4), frame.size() - 1).is_resource_exhausted());
}

TEST(RemotingCommandTest, LanguageTable) {
  EXPECT_EQ(language_name(LanguageCode::kJava), "JAVA");
  EXPECT_EQ(language_name(LanguageCode::kRust), "RUST");
  EXPECT_EQ(static_cast<int>(LanguageCode::kRust), 12);
  for (int i = 0; i <= 12; ++i) {
    auto code = static_cast<LanguageCode>(i);
    EXPECT_EQ(language_from_name(language_name(code)), code);
    EXPECT_EQ(language_from_byte(static_cast<uint8_t>(i)), code);
  }
  EXPECT_FALSE(language_from_name("java").has_value());
  EXPECT_FALSE(language_from_byte(13).has_value());
}

}  // namespace
}  // namespace tern::remoting
