// The record codec against RocketMQ's byte layout.
#include "message_record.h"

#include <gtest/gtest.h>

#include <vector>

#include "store_test_util.h"

namespace tern::store_mmap {
namespace {

int32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return static_cast<int32_t>((uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3]);
}
int64_t be64(const std::vector<uint8_t>& b, size_t at) {
  return (static_cast<int64_t>(be32(b, at)) << 32) | static_cast<uint32_t>(be32(b, at + 4));
}

std::vector<uint8_t> encode(const MessageExt& m) {
  std::string props = encode_properties(m.properties);
  std::vector<uint8_t> out(static_cast<size_t>(record_size(m, props.size())));
  encode_record(m, props, out.data());
  return out;
}

TEST(MessageRecord, BodyCrcIsJavaCrc32MaskedTo31Bits) {
  EXPECT_EQ(body_crc32("123456789"), 0x4BF43926);  // CRC-32 check value 0xCBF43926, top bit masked
  EXPECT_EQ(body_crc32("hello"), 0x3610A686);
  EXPECT_EQ(body_crc32(""), 0);
}

TEST(MessageRecord, OffsetMsgIdIsHexOfHostPortOffset) {
  SocketAddress host{{127, 0, 0, 1}, 4, 10911};
  EXPECT_EQ(make_offset_msg_id(host, 0x1234), "7F00000100002A9F0000000000001234");
}

TEST(MessageRecord, FieldsSitAtRocketMqOffsets) {
  MessageExt m = testing::make_message("TopicA", 3, "hello", "TagA");
  m.flag = 7;
  m.queue_offset = 42;
  m.commit_log_offset = 4096;
  m.sys_flag = 0;
  m.store_timestamp = 1700000000123;
  m.reconsume_times = 2;
  m.prepared_transaction_offset = 9;
  m.body_crc = body_crc32(m.body);
  auto b = encode(m);
  std::string props = encode_properties(m.properties);
  ASSERT_EQ(b.size(), 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 4 + 8 + 4 + 5 + 1 + 6 + 2 + props.size());
  EXPECT_EQ(be32(b, 0), static_cast<int32_t>(b.size()));
  EXPECT_EQ(be32(b, 4), kMessageMagicCode);
  EXPECT_EQ(be32(b, 8), 0x3610A686);
  EXPECT_EQ(be32(b, 12), 3);
  EXPECT_EQ(be32(b, 16), 7);
  EXPECT_EQ(be64(b, 20), 42);
  EXPECT_EQ(be64(b, 28), 4096);
  EXPECT_EQ(be32(b, 36), 0);
  EXPECT_EQ(be64(b, 40), 1700000000000);
  EXPECT_EQ(b[48], 10);  // born host 10.0.0.1:50000
  EXPECT_EQ(be32(b, 52), 50000);
  EXPECT_EQ(be64(b, 56), 1700000000123);
  EXPECT_EQ(b[64], 127);  // store host
  EXPECT_EQ(be32(b, 68), 10911);
  EXPECT_EQ(be32(b, 72), 2);
  EXPECT_EQ(be64(b, 76), 9);
  EXPECT_EQ(be32(b, 84), 5);
  EXPECT_EQ(std::string(b.begin() + 88, b.begin() + 93), "hello");
  EXPECT_EQ(b[93], 6);
  EXPECT_EQ(std::string(b.begin() + 94, b.begin() + 100), "TopicA");
  EXPECT_EQ((b[100] << 8) | b[101], static_cast<int>(props.size()));
  EXPECT_EQ(std::string(b.begin() + 102, b.end()), props);
  EXPECT_EQ(record_store_timestamp(b.data()), 1700000000123);
}

TEST(MessageRecord, RoundTripWithIpv6Hosts) {
  MessageExt m = testing::make_message("T", 0, std::string(300, 'x'), "", "k1 k2");
  m.sys_flag = sys_flag::kBornHostV6 | sys_flag::kStoreHostV6;
  m.born_host = SocketAddress{{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 16, 1234};
  m.store_host = SocketAddress{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 16, 10911};
  m.body_crc = body_crc32(m.body);
  auto b = encode(m);
  ParsedRecord p = parse_record(b.data(), b.size(), true);
  ASSERT_EQ(p.kind, RecordKind::kMessage) << p.problem.to_string();
  MessageExt back = to_message(p.view);
  EXPECT_EQ(back.body, m.body);
  EXPECT_EQ(back.born_host.to_string(), m.born_host.to_string());
  EXPECT_EQ(back.store_host.to_string(), m.store_host.to_string());
  EXPECT_EQ(back.property("KEYS"), "k1 k2");
  EXPECT_EQ(back.msg_id.size(), 56u);  // 16 + 4 + 8 bytes in hex
  EXPECT_EQ(record_store_timestamp(b.data()), m.store_timestamp);
}

TEST(MessageRecord, ParseClassifiesEndBlankTornAndCorrupt) {
  std::vector<uint8_t> zeros(64, 0);
  EXPECT_EQ(parse_record(zeros.data(), zeros.size(), true).kind, RecordKind::kEnd);

  std::vector<uint8_t> blank(64, 0);
  encode_blank_record(64, blank.data());
  EXPECT_EQ(parse_record(blank.data(), blank.size(), true).kind, RecordKind::kBlank);
  EXPECT_EQ(parse_record(blank.data(), 128, true).kind, RecordKind::kBad);  // a blank must fill the rest

  MessageExt m = testing::make_message("T", 0, "body");
  m.body_crc = body_crc32(m.body);
  auto b = encode(m);
  ParsedRecord torn = parse_record(b.data(), b.size() - 3, true);
  EXPECT_EQ(torn.kind, RecordKind::kBad);
  EXPECT_FALSE(torn.size_trusted);

  auto flipped = b;
  flipped[88] ^= 0xFF;  // first body byte
  ParsedRecord crc = parse_record(flipped.data(), flipped.size(), true);
  EXPECT_EQ(crc.kind, RecordKind::kBad);
  EXPECT_TRUE(crc.size_trusted);
  EXPECT_NE(crc.problem.message().find("CRC"), std::string::npos);
  EXPECT_EQ(parse_record(flipped.data(), flipped.size(), false).kind, RecordKind::kMessage);

  auto magic = b;
  magic[5] ^= 0x01;
  EXPECT_EQ(parse_record(magic.data(), magic.size(), true).kind, RecordKind::kBad);

  auto lengths = b;
  lengths[87] += 1;  // body length one too long: the fields no longer add up
  EXPECT_EQ(parse_record(lengths.data(), lengths.size(), true).kind, RecordKind::kBad);

  // Found by fuzz_commit_log_record: a negative properties length was read as empty.
  MessageExt bare = testing::make_message("T", 0, "");
  bare.properties.clear();
  bare.body_crc = body_crc32("");
  auto neg = encode(bare);
  size_t props_len_at = neg.size() - 2;
  neg[props_len_at] = 0x87;  // int16 -30976, with the record size unchanged
  EXPECT_EQ(parse_record(neg.data(), neg.size(), true).kind, RecordKind::kBad);
}

TEST(MessageRecord, FindProperty) {
  std::string text = encode_properties({{"TAGS", "A"}, {"KEYS", "k1 k2"}, {"UNIQ_KEY", "U"}});
  EXPECT_EQ(find_property(text, "KEYS"), "k1 k2");
  EXPECT_EQ(find_property(text, "TAGS"), "A");
  EXPECT_EQ(find_property(text, "NOPE"), "");
  EXPECT_EQ(find_property("", "TAGS"), "");
}

}  // namespace
}  // namespace tern::store_mmap
