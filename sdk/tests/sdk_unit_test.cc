// Unit tests of the SDK's core without a broker: route parsing and the producer's queue
// rotation (retries leave the failed broker), batch encoding limits, compression, the
// UNIQ_KEY format, selectors, the record decoder, the errors of a producer that cannot
// start or send; and the consumers' pure pieces: readable queues of a route, subscriptions,
// pull answers, the lite pull consumer's per-queue buffer and its usage errors.
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "codes.h"
#include "message_decoder.h"
#include "message_util.h"
#include "process_queue.h"
#include "producer_impl.h"
#include "pull_api_wrapper.h"
#include "subscription_data.h"
#include "tern/client/lite_pull_consumer.h"
#include "tern/client/producer.h"
#include "topic_route.h"

namespace tern::client::internal {
namespace {

constexpr char kRouteJson[] =
    R"({"orderTopicConf":null,"queueDatas":[{"brokerName":"broker-b","readQueueNums":2,"writeQueueNums":2,"perm":6,"topicSysFlag":0},)"
    R"({"brokerName":"broker-a","readQueueNums":3,"writeQueueNums":"3","perm":6,"topicSysFlag":0},)"
    R"({"brokerName":"broker-c","readQueueNums":4,"writeQueueNums":4,"perm":4,"topicSysFlag":0}],)"
    R"("brokerDatas":[{"cluster":"c","brokerName":"broker-a","brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:10912"}},)"
    R"({"cluster":"c","brokerName":"broker-b","brokerAddrs":{"0":"127.0.0.1:10921"}},)"
    R"({"cluster":"c","brokerName":"broker-c","brokerAddrs":{"0":"127.0.0.1:10931"}}],"filterServerTable":{}})";

TEST(TopicRoute, ParsesRouteAndBuildsWritableMasterQueuesSorted) {
  auto route = parse_topic_route(kRouteJson);
  ASSERT_TRUE(route.is_ok()) << route.status().to_string();
  ASSERT_EQ(route->queue_datas.size(), 3u);
  EXPECT_EQ(route->queue_datas[0].broker_name, "broker-a");  // sorted
  EXPECT_EQ(route->queue_datas[0].write_queue_nums, 3);      // from a string
  EXPECT_EQ(route->broker_datas[0].master_addr(), "127.0.0.1:10911");
  EXPECT_EQ(route->broker_datas[0].broker_addrs.at(1), "127.0.0.1:10912");

  TopicPublishInfo info("T", *route, 0, 0);
  ASSERT_EQ(info.queues().size(), 5u);  // broker-c is read-only
  EXPECT_EQ(info.queues()[0], (MessageQueue{"T", "broker-a", 0}));
  EXPECT_EQ(info.queues()[4], (MessageQueue{"T", "broker-b", 1}));

  TopicPublishInfo capped("T", *route, 1, 0);  // a route borrowed from TBW102
  EXPECT_EQ(capped.queues().size(), 2u);
}

TEST(TopicRoute, MalformedBodiesFail) {
  EXPECT_FALSE(parse_topic_route("not json").is_ok());
  EXPECT_FALSE(parse_topic_route("[]").is_ok());
  EXPECT_FALSE(parse_topic_route(R"({"queueDatas":[1]})").is_ok());
  auto empty = parse_topic_route("{}");
  ASSERT_TRUE(empty.is_ok());
  EXPECT_FALSE(TopicPublishInfo("T", *empty, 0, 0).ok());
}

TEST(QueueSelection, RotatesOverEveryQueue) {
  auto route = parse_topic_route(kRouteJson);
  ASSERT_TRUE(route.is_ok());
  TopicPublishInfo info("T", *route, 0, 7);
  std::map<std::string, int> seen;
  for (int i = 0; i < 50; ++i) {
    MessageQueue mq = info.select_one_message_queue();
    seen[mq.broker_name + "/" + std::to_string(mq.queue_id)]++;
  }
  ASSERT_EQ(seen.size(), 5u);
  for (const auto& [q, n] : seen) EXPECT_EQ(n, 10) << q;
}

TEST(QueueSelection, RetryLeavesTheFailedBroker) {
  auto route = parse_topic_route(kRouteJson);
  ASSERT_TRUE(route.is_ok());
  for (uint32_t start = 0; start < 10; ++start) {
    TopicPublishInfo info("T", *route, 0, start);
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(info.select_one_message_queue("broker-a").broker_name, "broker-b");
      EXPECT_EQ(info.select_one_message_queue("broker-b").broker_name, "broker-a");
    }
  }
}

TEST(QueueSelection, RetryWithOneBrokerStaysOnIt) {
  auto route = parse_topic_route(
      R"({"queueDatas":[{"brokerName":"only","readQueueNums":2,"writeQueueNums":2,"perm":6}],)"
      R"("brokerDatas":[{"cluster":"c","brokerName":"only","brokerAddrs":{"0":"h:1"}}]})");
  ASSERT_TRUE(route.is_ok());
  TopicPublishInfo info("T", *route, 0, 0);
  EXPECT_EQ(info.select_one_message_queue("only").broker_name, "only");
}

TEST(QueueSelection, ConcurrentSelectionIsSafe) {
  auto route = parse_topic_route(kRouteJson);
  ASSERT_TRUE(route.is_ok());
  TopicPublishInfo info("T", *route, 0, 0);
  std::vector<std::thread> threads;
  std::atomic<int> total{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (!info.select_one_message_queue(i % 2 ? "broker-a" : "").topic.empty()) ++total;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(total.load(), 4000);
}

TEST(Selectors, HashSelectorIsStableAndMatchesJavaHashes) {
  auto selector = select_message_queue_by_hash();
  std::vector<MessageQueue> mqs;
  for (int i = 0; i < 4; ++i) mqs.push_back(MessageQueue{"T", "b", i});
  Message m;
  EXPECT_EQ(selector(mqs, m, std::any(7)).queue_id, 3);
  EXPECT_EQ(selector(mqs, m, std::any(-7)).queue_id, 3);  // Math.abs
  EXPECT_EQ(selector(mqs, m, std::any(10L)).queue_id, 2);
  // "abc".hashCode() == 96354; 96354 % 4 == 2
  EXPECT_EQ(selector(mqs, m, std::any(std::string("abc"))).queue_id, 2);
  EXPECT_EQ(selector(mqs, m, std::any(static_cast<const char*>("abc"))).queue_id, 2);
}

TEST(UniqKey, FormatIsRocketMqs) {
  std::string a = create_uniq_id();
  std::string b = create_uniq_id();
  ASSERT_EQ(a.size(), 32u);
  for (char c : a) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) << a;
  EXPECT_EQ(a.substr(0, 20), uniq_id_prefix());
  EXPECT_EQ(a.substr(0, 20), b.substr(0, 20));
  // pid, hex digits 8..11
  char pid[5];
  std::snprintf(pid, sizeof pid, "%04X", static_cast<unsigned>(::getpid()) & 0xFFFF);
  EXPECT_EQ(a.substr(8, 4), pid);
  // the counter (last 4 digits) moves by one
  unsigned ca = std::stoul(a.substr(28), nullptr, 16), cb = std::stoul(b.substr(28), nullptr, 16);
  EXPECT_EQ((ca + 1) & 0xFFFF, cb);
  // ms since the start of the month: less than 31 days
  unsigned long ms = std::stoul(a.substr(20, 8), nullptr, 16);
  EXPECT_LT(ms, 31ul * 24 * 3600 * 1000);
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(create_uniq_id());
  EXPECT_EQ(ids.size(), 10000u);
}

TEST(UniqKey, IpGoesFirst) {
  set_uniq_id_ip("10.1.2.3");
  EXPECT_EQ(create_uniq_id().substr(0, 8), "0A010203");
  set_uniq_id_ip(local_ipv4());
}

TEST(Compression, RoundTripsAndRejectsGarbage) {
  std::string body(10000, 'x');
  for (size_t i = 0; i < body.size(); i += 7) body[i] = static_cast<char>(i);
  auto z = zlib_compress(body);
  ASSERT_TRUE(z.is_ok());
  EXPECT_LT(z->size(), body.size());
  EXPECT_EQ(static_cast<uint8_t>((*z)[0]), 0x78);  // a zlib header, as Java's Deflater writes
  auto back = zlib_uncompress(*z);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, body);
  EXPECT_FALSE(zlib_uncompress("garbage").is_ok());
  EXPECT_FALSE(zlib_uncompress(z->substr(0, z->size() / 2)).is_ok());
  EXPECT_TRUE(zlib_uncompress(*z, 100).status().is_resource_exhausted());
}

TEST(Validation, TopicsAndMessages) {
  EXPECT_TRUE(check_topic("Topic_A-1%|x").is_ok());
  EXPECT_FALSE(check_topic("").is_ok());
  EXPECT_FALSE(check_topic("has space").is_ok());
  EXPECT_FALSE(check_topic(std::string(128, 'a')).is_ok());
  EXPECT_FALSE(check_topic("TBW102").is_ok());
  Message m = make_message("T", "body");
  EXPECT_TRUE(check_message(m, 10).is_ok());
  EXPECT_FALSE(check_message(m, 3).is_ok());
  m.body.clear();
  EXPECT_FALSE(check_message(m, 10).is_ok());
  Message bad = make_message("T", "body");
  bad.set_property("k", std::string("a\x01") + "b");
  EXPECT_FALSE(check_message(bad, 10).is_ok());
}

TEST(Batch, SizeLimitTopicAndDelayAreChecked) {
  std::vector<Message> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(make_message("T", "tag", "key" + std::to_string(i), std::string(100, 'b')));
  auto body = encode_batch(batch, 4 * 1024 * 1024);
  ASSERT_TRUE(body.is_ok()) << body.status().to_string();
  // each: 20 header bytes + 100 body + 2 + properties
  EXPECT_GT(body->size(), 10u * 122);
  auto too_big = encode_batch(batch, static_cast<int>(body->size()) - 1);
  ASSERT_FALSE(too_big.is_ok());
  EXPECT_NE(too_big.status().message().find("over maxMessageSize"), std::string::npos);
  EXPECT_TRUE(encode_batch(batch, static_cast<int>(body->size())).is_ok());

  auto mixed = batch;
  mixed[3].topic = "Other";
  EXPECT_NE(encode_batch(mixed, 1 << 22).status().message().find("one topic"), std::string::npos);
  auto delayed = batch;
  set_delay_time_level(&delayed[1], 3);
  EXPECT_FALSE(encode_batch(delayed, 1 << 22).is_ok());
  EXPECT_FALSE(encode_batch({}, 1 << 22).is_ok());
  std::vector<Message> retry{make_message("%RETRY%g", "x")};
  EXPECT_FALSE(encode_batch(retry, 1 << 22).is_ok());
}

// A record as the broker stores it (PROTOCOL.md §4), built by hand.
std::string record(const std::string& topic, const std::string& body, int32_t sys_flag, int64_t queue_offset,
                   const std::string& tag = "A") {
  std::string props = encode_properties({{"TAGS", tag}});
  std::string out;
  auto be = [&](uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
  };
  int32_t total = static_cast<int32_t>(4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 4 + 8 + 4 + body.size() + 1 +
                                       topic.size() + 2 + props.size());
  be(static_cast<uint32_t>(total), 4);
  be(0xDAA320A7u, 4);
  be(0, 4);
  be(2, 4);  // queue
  be(0, 4);
  be(static_cast<uint64_t>(queue_offset), 8);
  be(4096, 8);  // physical offset
  be(static_cast<uint32_t>(sys_flag), 4);
  be(1, 8);
  be(0x7F000001u, 4);
  be(5, 4);
  be(2, 8);
  be(0x7F000001u, 4);
  be(10911, 4);
  be(0, 4);
  be(0, 8);
  be(body.size(), 4);
  out += body;
  be(topic.size(), 1);
  out += topic;
  be(props.size(), 2);
  out += props;
  return out;
}

TEST(Decoder, DecodesRecordsAndInflatesCompressedBodies) {
  std::string big(5000, 'q');
  auto z = zlib_compress(big);
  ASSERT_TRUE(z.is_ok());
  std::string body = record("T", "plain", 0, 7) + record("T", *z, sys_flag::kCompressed, 8);
  auto msgs = decode_messages(body);
  ASSERT_TRUE(msgs.is_ok()) << msgs.status().to_string();
  ASSERT_EQ(msgs->size(), 2u);
  EXPECT_EQ((*msgs)[0].body, "plain");
  EXPECT_EQ((*msgs)[0].queue_offset, 7);
  EXPECT_EQ((*msgs)[0].queue_id, 2);
  EXPECT_EQ((*msgs)[0].tags(), "A");
  EXPECT_EQ((*msgs)[0].msg_id, "7F000001" "00002A9F" "0000000000001000");
  EXPECT_EQ((*msgs)[1].body, big);
  EXPECT_EQ((*msgs)[1].sys_flag & sys_flag::kCompressed, 0);
  auto raw = decode_messages(body, false);
  ASSERT_TRUE(raw.is_ok());
  EXPECT_EQ((*raw)[1].body, *z);
  EXPECT_FALSE(decode_messages(body.substr(0, body.size() - 1)).is_ok());
  EXPECT_FALSE(decode_messages(std::string_view("\x00\x00\x00\x02", 4)).is_ok());
}

TEST(Decoder, OffsetMessageIdsRoundTrip) {
  auto v4 = decode_offset_msg_id("7F000001" "00002A9F" "0000000000001000");
  ASSERT_TRUE(v4.is_ok()) << v4.status().to_string();
  EXPECT_EQ(v4->store_host.to_string(), "127.0.0.1:10911");
  EXPECT_EQ(v4->commit_log_offset, 4096);
  EXPECT_EQ(offset_msg_id(v4->store_host, v4->commit_log_offset), "7F00000100002A9F0000000000001000");
  auto lower = decode_offset_msg_id("0a0b0c0d0000ffff7fffffffffffffff");
  ASSERT_TRUE(lower.is_ok());
  EXPECT_EQ(lower->store_host.to_string(), "10.11.12.13:65535");
  EXPECT_EQ(lower->commit_log_offset, INT64_MAX);

  SocketAddress v6;
  v6.ip_length = 16;
  for (uint8_t i = 0; i < 16; ++i) v6.ip[i] = static_cast<uint8_t>(0xF0 + i);
  v6.port = 10911;
  std::string id = offset_msg_id(v6, 123456789);
  ASSERT_EQ(id.size(), 56u);
  auto back = decode_offset_msg_id(id);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->store_host.to_string(), v6.to_string());
  EXPECT_EQ(back->commit_log_offset, 123456789);

  for (const char* bad : {"", "7F000001", "7F00000100002A9F000000000000100G", "7F00000100002A9F00000000000010000"}) {
    auto r = decode_offset_msg_id(bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_TRUE(r.status().is_invalid_argument());
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  }
}

TEST(Producer, SendBeforeStartThrowsNotRunning) {
  DefaultMQProducer producer("g");
  try {
    producer.send(make_message("T", "x"));
    FAIL() << "no exception";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kNotRunning);
    EXPECT_NE(std::string(e.what()).find("start"), std::string::npos);
  }
}

TEST(Producer, StartWithoutNameServerThrows) {
  ::unsetenv("NAMESRV_ADDR");
  DefaultMQProducer producer("g");
  try {
    producer.start();
    FAIL() << "no exception";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kNoNameServerException);
    EXPECT_NE(std::string(e.what()).find("NAMESRV_ADDR"), std::string::npos);
  }
}

TEST(Producer, NameServerFromEnvironmentAndIllegalMessages) {
  ::setenv("NAMESRV_ADDR", "127.0.0.1:1", 1);  // nothing listens there
  DefaultMQProducer producer("g_env");
  producer.set_max_message_size(10);
  producer.start();
  ::unsetenv("NAMESRV_ADDR");
  try {
    producer.send(make_message("T", std::string(11, 'x')));
    FAIL() << "no exception";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kMessageIllegal);
    EXPECT_EQ(e.topic(), "T");
  }
  try {
    producer.send(make_message("T", "x"), std::chrono::milliseconds(500));
    FAIL() << "no exception";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kNotFoundTopicException);
    EXPECT_NE(std::string(e.what()).find("topic T"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:1"), std::string::npos) << e.what();
  }
  // Same group twice in one client instance.
  DefaultMQProducer twin("g_env");
  twin.set_namesrv_addr("127.0.0.1:1");
  EXPECT_THROW(twin.start(), MQClientException);
  producer.shutdown();
  EXPECT_THROW(producer.send(make_message("T", "x")), MQClientException);
}

TEST(Producer, SendStatusNamesAndResultText) {
  EXPECT_STREQ(to_string(SendStatus::SEND_OK), "SEND_OK");
  EXPECT_STREQ(to_string(SendStatus::FLUSH_SLAVE_TIMEOUT), "FLUSH_SLAVE_TIMEOUT");
  SendResult r;
  r.msg_id = "ID";
  r.message_queue = MessageQueue{"T", "b", 3};
  EXPECT_NE(r.to_string().find("sendStatus=SEND_OK, msgId=ID"), std::string::npos);
  EXPECT_TRUE(is_retryable_response(17));
  EXPECT_TRUE(is_retryable_response(1));
  EXPECT_FALSE(is_retryable_response(13));
  EXPECT_FALSE(is_retryable_response(2));
}

TEST(SubscribeQueues, ReadableQueuesOfEveryBrokerSorted) {
  auto route = parse_topic_route(kRouteJson);
  ASSERT_TRUE(route.is_ok());
  auto qs = subscribe_message_queues("T", *route);
  ASSERT_EQ(qs.size(), 9u);  // a: 3, b: 2, c: 4 (read-only queues are readable)
  EXPECT_EQ(qs.front(), (MessageQueue{"T", "broker-a", 0}));
  EXPECT_EQ(qs[3], (MessageQueue{"T", "broker-b", 0}));
  EXPECT_EQ(qs.back(), (MessageQueue{"T", "broker-c", 3}));
  TopicRouteData write_only = *route;
  for (auto& qd : write_only.queue_datas) qd.perm = kPermWrite;
  EXPECT_TRUE(subscribe_message_queues("T", write_only).empty());
}

TEST(SubscriptionData, TagsSqlAndHeartbeatJson) {
  auto tags = SubscriptionData::build("T", MessageSelector::by_tag("TagA || TagB"), 7);
  EXPECT_EQ(tags.tags, (std::set<std::string>{"TagA", "TagB"}));
  auto all = SubscriptionData::build("T", MessageSelector::by_tag(""), 7);
  EXPECT_EQ(all.expression, "*");
  EXPECT_TRUE(all.tags.empty());
  auto sql = SubscriptionData::build("T", MessageSelector::by_sql("a > 1"), 7);
  EXPECT_EQ(sql.expression_type, "SQL92");
  EXPECT_TRUE(sql.tags.empty());
  MessageExt m;
  m.set_tags("TagC");
  EXPECT_FALSE(tags.accepts(m));
  EXPECT_TRUE(all.accepts(m));
  EXPECT_TRUE(sql.accepts(m));
  std::string json = serialize_json(consumer_data_json("g", ConsumeType::kActively, MessageModel::CLUSTERING,
                                                       ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET, {tags}));
  EXPECT_NE(json.find(R"("consumeType":"CONSUME_ACTIVELY")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("subString":"TagA || TagB")"), std::string::npos) << json;
  EXPECT_NE(json.find("2598919"), std::string::npos) << json;  // "TagA".hashCode() in codeSet
}

TEST(PullApi, AnswersBecomePullResults) {
  auto sub = SubscriptionData::build("T", MessageSelector::by_tag("A || C"), 1);
  remoting::RemotingCommand found;
  found.code = remoting::response_code::kSuccess;
  found.ext_fields = {{"nextBeginOffset", "10"}, {"minOffset", "0"}, {"maxOffset", "12"}};
  found.body = record("T", "a", 0, 7) + record("T", "b", 0, 8, "B") + record("T", "c", 0, 9, "C");
  auto r = process_pull_response(found, sub, 7);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->status, PullStatus::kFound);
  EXPECT_EQ(r->next_begin_offset, 10);
  EXPECT_EQ(r->max_offset, 12);
  ASSERT_EQ(r->msgs.size(), 2u);  // B re-filtered on the client
  EXPECT_EQ(r->msgs[1].queue_offset, 9);

  remoting::RemotingCommand none;
  none.code = remoting::response_code::kPullNotFound;
  none.ext_fields = {{"nextBeginOffset", "7"}};
  EXPECT_EQ(process_pull_response(none, sub, 7)->status, PullStatus::kNoNewMsg);
  none.code = remoting::response_code::kPullOffsetMoved;
  none.ext_fields = {{"nextBeginOffset", "3"}};
  EXPECT_EQ(process_pull_response(none, sub, 7)->status, PullStatus::kOffsetIllegal);
  EXPECT_EQ(process_pull_response(none, sub, 7)->next_begin_offset, 3);
  none.ext_fields.clear();
  none.code = remoting::response_code::kPullRetryImmediately;
  EXPECT_EQ(process_pull_response(none, sub, 7)->next_begin_offset, 7);  // absent: stay

  remoting::RemotingCommand refused;
  refused.code = remoting::response_code::kSubscriptionNotLatest;
  refused.remark = "the consumer's subscription not latest";
  auto bad = process_pull_response(refused, sub, 7);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("code 25"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("topic T"), std::string::npos) << bad.status().message();
  found.body.pop_back();
  EXPECT_TRUE(process_pull_response(found, sub, 7).status().is_corruption());

  auto request = make_pull_request("g", MessageQueue{"T", "b", 3}, sub, 42, 10, kPullSuspend | kPullSubscription, 0,
                                   std::chrono::milliseconds(20000));
  EXPECT_EQ(request.code, remoting::request_code::kPullMessage);
  EXPECT_EQ(request.ext_fields["queueOffset"], "42");
  EXPECT_EQ(request.ext_fields["queueId"], "3");
  EXPECT_EQ(request.ext_fields["sysFlag"], "6");
  EXPECT_EQ(request.ext_fields["suspendTimeoutMillis"], "20000");
  EXPECT_EQ(request.ext_fields["subscription"], "A || C");
}

MessageExt at(int64_t offset, std::string body = "xx") {
  MessageExt m;
  m.queue_offset = offset;
  m.body = std::move(body);
  return m;
}

TEST(ProcessQueue, BuffersInOrderAndKnowsTheConsumeOffset) {
  ProcessQueue pq(MessageQueue{"T", "b", 0});
  EXPECT_EQ(pq.consume_offset(), -1);  // start not known yet
  pq.set_pull_offset(5);
  EXPECT_EQ(pq.consume_offset(), 5);
  std::vector<MessageExt> pulled;
  pulled.push_back(at(5));
  pulled.push_back(at(6, "yyy"));
  pulled.push_back(at(9));  // 7 and 8 filtered out on the client
  pq.put(std::move(pulled), 10);
  EXPECT_EQ(pq.count(), 3u);
  EXPECT_EQ(pq.body_bytes(), 7);
  EXPECT_EQ(pq.pull_offset(), 10);
  EXPECT_EQ(pq.consume_offset(), 5);
  std::vector<MessageExt> out;
  EXPECT_EQ(pq.take(2, &out), 2u);
  EXPECT_EQ(out[1].queue_offset, 6);
  EXPECT_EQ(pq.consume_offset(), 9);  // passes the filtered 7 and 8
  EXPECT_EQ(pq.take(5, &out), 1u);
  EXPECT_EQ(pq.consume_offset(), 10);  // empty: the pull offset
  EXPECT_EQ(pq.body_bytes(), 0);
  pq.put({at(10), at(11)}, 12);
  EXPECT_EQ(pq.reset(3), 2u);  // a seek drops the buffer
  EXPECT_TRUE(pq.empty());
  EXPECT_EQ(pq.consume_offset(), 3);
  EXPECT_EQ(pq.pull_offset(), 3);
}

int lite_error_code(const std::function<void()>& call) {
  try {
    call();
  } catch (const MQClientException& e) {
    return e.code();
  }
  return 0;
}

TEST(LitePullConsumer, UsageErrorsWithoutABroker) {
  ::unsetenv("NAMESRV_ADDR");
  DefaultLitePullConsumer c("lite_unit");
  EXPECT_EQ(c.pull_batch_size(), 10);
  EXPECT_TRUE(c.is_auto_commit());
  EXPECT_EQ(lite_error_code([&] { c.poll(std::chrono::milliseconds(1)); }), client_error::kNotRunning);
  EXPECT_EQ(lite_error_code([&] { c.seek(MessageQueue{"T", "b", 0}, 0); }), client_error::kNotRunning);
  EXPECT_EQ(lite_error_code([&] { c.commit_sync(); }), client_error::kNotRunning);
  EXPECT_EQ(lite_error_code([&] { c.fetch_message_queues("T"); }), client_error::kNotRunning);
  EXPECT_EQ(lite_error_code([&] { c.subscribe("bad topic!", "*"); }), client_error::kNotRunning);
  c.subscribe("T", "*");
  try {
    c.assign({MessageQueue{"T", "b", 0}});
    FAIL() << "assign after subscribe was accepted";
  } catch (const MQClientException& e) {
    EXPECT_EQ(e.code(), client_error::kNotRunning);
    EXPECT_NE(std::string(e.what()).find("mutually exclusive"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("lite_unit"), std::string::npos) << e.what();
  }
  EXPECT_EQ(lite_error_code([&] { c.start(); }), client_error::kNoNameServerException);
  EXPECT_TRUE(c.assignment().empty());

  DefaultLitePullConsumer d("lite_unit_assign");
  d.assign({MessageQueue{"T", "b", 1}, MessageQueue{"T", "b", 0}});
  EXPECT_EQ(d.assignment(), (std::vector<MessageQueue>{{"T", "b", 0}, {"T", "b", 1}}));
  EXPECT_EQ(lite_error_code([&] { d.subscribe("T", "*"); }), client_error::kNotRunning);
  EXPECT_EQ(lite_error_code([&] { d.assign({}); }), client_error::kNotRunning);
  d.shutdown();  // never started: nothing to do
  EXPECT_EQ(lite_error_code([&] { DefaultLitePullConsumer("").start(); }), client_error::kNotRunning);
}

}  // namespace
}  // namespace tern::client::internal
