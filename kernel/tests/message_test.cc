// The message model: RocketMQ's property text, keys, delay level and WAIT.
#include "tern/message.h"

#include <gtest/gtest.h>

#include "tern/topic_config.h"

namespace tern {
namespace {

TEST(MessageProperties, EncodesAsRocketMqDoes) {
  PropertyMap p{{"TAGS", "TagA"}, {"KEYS", "k1 k2"}};
  EXPECT_EQ(encode_properties(p), std::string("KEYS\x01k1 k2\x02TAGS\x01TagA\x02"));
  EXPECT_EQ(decode_properties(encode_properties(p)), p);
}

TEST(MessageProperties, DecodeIsLenient) {
  auto p = decode_properties(std::string("A\x01" "1\x02" "junk\x02" "B\x01" "2"));
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p["A"], "1");
  EXPECT_EQ(p["B"], "2");
  EXPECT_TRUE(decode_properties("").empty());
  EXPECT_EQ(decode_properties(std::string("E\x01\x02"))["E"], "");
  EXPECT_FALSE(is_valid_property_text(std::string("a\x01")));
  EXPECT_TRUE(is_valid_property_text("plain"));
}

TEST(Message, KeysTagsDelayWait) {
  Message m;
  m.set_keys({"order-1", "user-9"});
  EXPECT_EQ(m.property("KEYS"), "order-1 user-9");
  EXPECT_EQ(m.keys(), (std::vector<std::string_view>{"order-1", "user-9"}));
  m.set_property("KEYS", " a  b ");
  EXPECT_EQ(m.keys(), (std::vector<std::string_view>{"a", "b"}));
  m.set_tags("TagA");
  EXPECT_EQ(m.tags(), "TagA");
  EXPECT_EQ(m.delay_time_level(), 0);
  m.set_property("DELAY", "3");
  EXPECT_EQ(m.delay_time_level(), 3);
  m.set_property("DELAY", "x");
  EXPECT_EQ(m.delay_time_level(), 0);
  EXPECT_TRUE(m.wait_store_msg_ok());
  m.set_property("WAIT", "false");
  EXPECT_FALSE(m.wait_store_msg_ok());
  m.clear_property("WAIT");
  EXPECT_FALSE(m.has_property("WAIT"));
}

TEST(MessageQueue, OrderedByTopicBrokerQueue) {
  MessageQueue a{"T", "b", 1}, b{"T", "b", 2}, c{"T", "c", 0};
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(a, (MessageQueue{"T", "b", 1}));
}

TEST(SocketAddress, Text) {
  SocketAddress v4{{127, 0, 0, 1}, 4, 10911};
  EXPECT_EQ(v4.to_string(), "127.0.0.1:10911");
  SocketAddress v6{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 16, 80};
  EXPECT_EQ(v6.to_string(), "[0000:0000:0000:0000:0000:0000:0000:0001]:80");
}

TEST(TopicNames, RetryAndDlq) {
  EXPECT_EQ(topic_names::retry_topic("g"), "%RETRY%g");
  EXPECT_TRUE(topic_names::is_retry_topic("%RETRY%g"));
  EXPECT_TRUE(topic_names::is_dlq_topic(topic_names::dlq_topic("g")));
  EXPECT_FALSE(topic_names::is_dlq_topic("g"));
}

}  // namespace
}  // namespace tern
