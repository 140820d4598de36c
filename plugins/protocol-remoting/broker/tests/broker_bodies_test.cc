// The broker side's parsers of client bytes: batch bodies, heartbeat bodies, header fields.
#include <gtest/gtest.h>

#include "header_reader.h"
#include "heartbeat_body.h"
#include "message_batch.h"

namespace tern::remoting {
namespace {

TEST(MessageBatchTest, RoundTripsMessagesInOrder) {
  std::vector<Message> in(3);
  for (int i = 0; i < 3; ++i) {
    in[i].flag = i;
    in[i].body = std::string(static_cast<size_t>(i) * 100, 'x');
    in[i].set_tags("Tag" + std::to_string(i));
    in[i].set_keys({"k" + std::to_string(i)});
  }
  auto out = decode_message_batch(encode_message_batch(in));
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  ASSERT_EQ(out->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*out)[i].flag, i);
    EXPECT_EQ((*out)[i].body, in[i].body);
    EXPECT_EQ((*out)[i].tags(), "Tag" + std::to_string(i));
  }
}

TEST(MessageBatchTest, RefusesMalformedBodiesNamingTheMessage) {
  std::vector<Message> in(2);
  in[0].body = "first";
  in[1].body = "second";
  std::string body = encode_message_batch(in);
  EXPECT_FALSE(decode_message_batch("").is_ok());
  auto truncated = decode_message_batch(std::string_view(body).substr(0, body.size() - 1));
  ASSERT_FALSE(truncated.is_ok());
  EXPECT_NE(truncated.status().message().find("message 1"), std::string::npos) << truncated.status().message();
  std::string bad_body_len = body;
  bad_body_len[16] = '\x7f';  // first message's body length
  EXPECT_FALSE(decode_message_batch(bad_body_len).is_ok());
  std::string negative_total = body;
  negative_total[0] = '\xff';
  EXPECT_FALSE(decode_message_batch(negative_total).is_ok());
}

TEST(HeartbeatBodyTest, DecodesAnAliOnsHeartbeat) {
  // As ali-ons 3.12 sends it: numbers raw, no expressionType for TAG subscriptions.
  const char* body = R"({"clientID":"10.0.0.1@1234","producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}],
    "consumerDataSet":[{"groupName":"G1","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING",
    "consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","unitMode":false,
    "subscriptionDataSet":[{"topic":"T","subString":"TagA || TagB","classFilterMode":false,
      "tagsSet":["TagA","TagB"],"codeSet":[2598919,2598920],"subVersion":1700000000000},
      {"topic":"%RETRY%G1","subString":"*","tagsSet":[],"codeSet":[],"subVersion":"1700000000001"}]}]})";
  auto hb = decode_heartbeat(body);
  ASSERT_TRUE(hb.is_ok()) << hb.status().message();
  EXPECT_EQ(hb->client_id, "10.0.0.1@1234");
  ASSERT_EQ(hb->producer_groups, std::vector<std::string>{"CLIENT_INNER_PRODUCER"});
  ASSERT_EQ(hb->consumers.size(), 1u);
  const auto& c = hb->consumers[0];
  EXPECT_EQ(c.group, "G1");
  EXPECT_EQ(c.client_id, "10.0.0.1@1234");
  EXPECT_EQ(c.consume_from_where, ConsumeFromWhere::kFirstOffset);
  ASSERT_EQ(c.subscriptions.size(), 2u);
  EXPECT_EQ(c.subscriptions[0].expression, "TagA || TagB");
  EXPECT_EQ(c.subscriptions[0].expression_type, "TAG");
  EXPECT_EQ(c.subscriptions[0].version, 1700000000000);
  EXPECT_EQ(c.subscriptions[0].codes, (std::vector<int32_t>{2598919, 2598920}));
  EXPECT_EQ(c.subscriptions[1].version, 1700000000001);  // a number sent as a string
}

TEST(HeartbeatBodyTest, RefusesMalformedBodies) {
  EXPECT_FALSE(decode_heartbeat("").is_ok());
  EXPECT_FALSE(decode_heartbeat("[]").is_ok());
  EXPECT_FALSE(decode_heartbeat(R"({"producerDataSet":[]})").is_ok());  // no clientID
  EXPECT_FALSE(decode_heartbeat(R"({"clientID":"c","consumerDataSet":[{"subscriptionDataSet":[]}]})").is_ok());
  EXPECT_FALSE(
      decode_heartbeat(R"({"clientID":"c","consumerDataSet":[{"groupName":"g","subscriptionDataSet":[{"subString":"*"}]}]})")
          .is_ok());
}

TEST(HeaderReaderTest, NamesTheFirstMissingOrBadField) {
  RemotingCommand cmd;
  cmd.ext_fields = {{"topic", "T"}, {"queueId", "x1"}, {"flag", "true"}};
  HeaderReader h(cmd);
  EXPECT_EQ(h.str("topic"), "T");
  EXPECT_TRUE(h.ok());
  EXPECT_EQ(h.i32("queueId"), 0);
  EXPECT_FALSE(h.ok());
  EXPECT_NE(h.error().find("'queueId'"), std::string::npos);
  (void)h.str("consumerGroup");
  EXPECT_NE(h.error().find("'queueId'"), std::string::npos);  // the first fault is kept

  HeaderReader missing(cmd);
  (void)missing.i64("queueOffset");
  EXPECT_EQ(missing.error(), "the request header field 'queueOffset' is missing");
  HeaderReader optional(cmd);
  EXPECT_TRUE(optional.bool_or("flag", false));
  EXPECT_EQ(optional.i32_or("absent", 7), 7);
  EXPECT_TRUE(optional.ok());
}

}  // namespace
}  // namespace tern::remoting
