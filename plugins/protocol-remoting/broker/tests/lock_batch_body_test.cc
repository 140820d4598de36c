// LOCK/UNLOCK_BATCH_MQ bodies: what Java (fastjson) and C++ (jsoncpp) clients send is read,
// malformed bodies are refused naming the field, and the encodings round-trip.
#include "lock_batch_body.h"

#include <gtest/gtest.h>

#include "json/json.h"

namespace tern::remoting {
namespace {

using Queues = std::vector<MessageQueue>;

TEST(LockBatchBodyTest, ReadsWhatJavaSends) {
  // fastjson's LockBatchRequestBody: members in alphabetical order.
  auto r = decode_lock_batch_request(
      R"({"clientId":"192.168.0.7@31337","consumerGroup":"OrderGroup","mqSet":[)"
      R"({"brokerName":"broker-a","queueId":0,"topic":"TopicOrder"},{"brokerName":"broker-a","queueId":3,"topic":"TopicOrder"}],)"
      R"("onlyThisBroker":true})");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->consumer_group, "OrderGroup");
  EXPECT_EQ(r->client_id, "192.168.0.7@31337");
  EXPECT_TRUE(r->only_this_broker);
  EXPECT_EQ(r->mq_set, (Queues{{"TopicOrder", "broker-a", 0}, {"TopicOrder", "broker-a", 3}}));
}

TEST(LockBatchBodyTest, ReadsWhatTheCppClientSends) {
  // jsoncpp's FastWriter (keys sorted, a trailing newline), no onlyThisBroker; queue ids
  // as numbers or (other clients) numeric strings.
  auto r = decode_lock_batch_request(
      R"({"clientId":"10.0.0.1@cpp","consumerGroup":"G","mqSet":[{"brokerName":"b","queueId":1,"topic":"T"},)"
      R"({"topic":"T","brokerName":"b","queueId":"2","extra":null}],"unknown":[1,2]})"
      "\n");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_FALSE(r->only_this_broker);
  EXPECT_EQ(r->mq_set, (Queues{{"T", "b", 1}, {"T", "b", 2}}));
  // jsoncpp writes no mqSet member at all for an empty set.
  auto no_set = decode_lock_batch_request(R"({"clientId":"c","consumerGroup":"G"})"
                                          "\n");
  ASSERT_TRUE(no_set.is_ok());
  EXPECT_TRUE(no_set->mq_set.empty());
}

TEST(LockBatchBodyTest, RefusesMalformedBodiesNamingTheField) {
  auto message_of = [](std::string_view body) {
    auto r = decode_lock_batch_request(body);
    EXPECT_FALSE(r.is_ok()) << body;
    return r.is_ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(message_of("").find("not JSON"), std::string::npos);
  EXPECT_NE(message_of("[1]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(message_of(R"({"clientId":"c","mqSet":[]})").find("consumerGroup"), std::string::npos);
  EXPECT_NE(message_of(R"({"consumerGroup":"G","clientId":"","mqSet":[]})").find("clientId"), std::string::npos);
  EXPECT_NE(message_of(R"({"consumerGroup":"G","clientId":"c","mqSet":{}})").find("mqSet is not an array"),
            std::string::npos);
  EXPECT_NE(message_of(R"({"consumerGroup":"G","clientId":"c","mqSet":[{"brokerName":"b","queueId":0}]})")
                .find("mqSet[0].topic"),
            std::string::npos);
  EXPECT_NE(message_of(R"({"consumerGroup":"G","clientId":"c","mqSet":[{"topic":"T","brokerName":"b","queueId":0},)"
                       R"({"topic":"T","queueId":1}]})")
                .find("mqSet[1].brokerName"),
            std::string::npos);
  for (const char* id : {"2147483648", "-2147483649", "1.5", "\"x\"", "true", "null"}) {
    std::string body =
        std::string(R"({"consumerGroup":"G","clientId":"c","mqSet":[{"topic":"T","brokerName":"b","queueId":)") + id +
        "}]}";
    EXPECT_NE(message_of(body).find("mqSet[0].queueId"), std::string::npos) << id;
  }
  EXPECT_FALSE(decode_lock_batch_response(R"({"lockOKMQSet":[{"topic":"T"}]})").is_ok());
  EXPECT_FALSE(decode_lock_batch_response("nope").is_ok());
}

TEST(LockBatchBodyTest, EncodingsRoundTripAndResponseIsFastjsonShaped) {
  LockBatchRequest in{"G", "127.0.0.1@a", true, {{"T", "b", 0}, {"U", "c", 7}}};
  auto out = decode_lock_batch_request(encode_lock_batch_request(in));
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  EXPECT_EQ(out->consumer_group, in.consumer_group);
  EXPECT_EQ(out->client_id, in.client_id);
  EXPECT_TRUE(out->only_this_broker);
  EXPECT_EQ(out->mq_set, in.mq_set);

  Queues locked{{"T", "b", 0}, {"T", "b", 1}};
  std::string body = encode_lock_batch_response(locked);
  // queueId a JSON number: the C++ client reads it with asInt().
  EXPECT_EQ(
      body,
      R"({"lockOKMQSet":[{"brokerName":"b","queueId":0,"topic":"T"},{"brokerName":"b","queueId":1,"topic":"T"}]})");
  auto back = decode_lock_batch_response(body);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, locked);
  auto empty = decode_lock_batch_response(encode_lock_batch_response({}));
  ASSERT_TRUE(empty.is_ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace tern::remoting
