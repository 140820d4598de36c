// The transaction pieces of the wire: END_TRANSACTION's header as Java clients send it
// (outcomes 8 / 12 / 0, refusals naming the field), and the stored-message record that
// CHECK_TRANSACTION_STATE carries, checked field by field against RocketMQ's layout.
#include <gtest/gtest.h>

#include "end_transaction_processor.h"
#include "codes.h"
#include "message_record_encoder.h"

namespace tern::remoting {
namespace {

RemotingCommand end_request(std::map<std::string, std::string> ext) {
  RemotingCommand r;
  r.code = request_code::kEndTransaction;
  r.ext_fields = std::move(ext);
  return r;
}

TEST(EndTransactionHeaderTest, ReadsTheOutcomes) {
  std::map<std::string, std::string> ext{{"producerGroup", "TxGroup"}, {"tranStateTableOffset", "3"},
                                         {"commitLogOffset", "4096"},  {"commitOrRollback", "8"},
                                         {"fromTransactionCheck", "true"}, {"msgId", "U1"},
                                         {"transactionId", "T1"}};
  auto commit = decode_end_transaction_header(end_request(ext));
  ASSERT_TRUE(commit.is_ok()) << commit.status().message();
  EXPECT_EQ(commit->producer_group, "TxGroup");
  EXPECT_EQ(commit->tran_state_table_offset, 3);
  EXPECT_EQ(commit->commit_log_offset, 4096);
  EXPECT_EQ(commit->outcome, EndTransactionRequest::Outcome::kCommit);
  EXPECT_TRUE(commit->from_transaction_check);
  EXPECT_EQ(commit->msg_id, "U1");
  EXPECT_EQ(commit->transaction_id, "T1");
  ext["commitOrRollback"] = "12";
  EXPECT_EQ(decode_end_transaction_header(end_request(ext))->outcome, EndTransactionRequest::Outcome::kRollback);
  ext["commitOrRollback"] = "0";
  EXPECT_EQ(decode_end_transaction_header(end_request(ext))->outcome, EndTransactionRequest::Outcome::kUnknown);
}

TEST(EndTransactionHeaderTest, RefusalsNameTheField) {
  std::map<std::string, std::string> ext{{"producerGroup", "TxGroup"}, {"tranStateTableOffset", "3"},
                                         {"commitLogOffset", "4096"}, {"commitOrRollback", "4"}};
  auto bad = decode_end_transaction_header(end_request(ext));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("commitOrRollback"), std::string::npos);
  ext["commitOrRollback"] = "8";
  ext.erase("commitLogOffset");
  auto missing = decode_end_transaction_header(end_request(ext));
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("commitLogOffset"), std::string::npos);
  ext["commitLogOffset"] = "-1";
  EXPECT_FALSE(decode_end_transaction_header(end_request(ext)).is_ok());
  ext["commitLogOffset"] = "1";
  ext["producerGroup"] = "";
  EXPECT_FALSE(decode_end_transaction_header(end_request(ext)).is_ok());
}

int64_t be(const std::string& s, size_t at, int bytes) {
  int64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(s[at + static_cast<size_t>(i)]);
  return v;
}

TEST(MessageRecordEncoderTest, WritesRocketMqsLayout) {
  MessageExt m;
  m.topic = "Orders";
  m.queue_id = 2;
  m.flag = 7;
  m.queue_offset = 11;
  m.commit_log_offset = 4096;
  m.sys_flag = sys_flag::kTransactionPreparedType;
  m.born_timestamp = 1000;
  m.born_host.ip = {127, 0, 0, 1};
  m.born_host.port = 5555;
  m.store_timestamp = 2000;
  m.store_host.ip = {10, 0, 0, 2};
  m.store_host.port = 10911;
  m.reconsume_times = 1;
  m.prepared_transaction_offset = 99;
  m.body = "hello";
  m.set_property(property::kUniqueClientMessageId, "U1");
  std::string r = encode_message_record(m);
  std::string props = encode_properties(m.properties);
  ASSERT_EQ(r.size(), 4u + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 4 + 8 + 4 + 5 + 1 + 6 + 2 + props.size());
  EXPECT_EQ(be(r, 0, 4), static_cast<int64_t>(r.size()));
  EXPECT_EQ(static_cast<int32_t>(be(r, 4, 4)), -626843481);
  EXPECT_EQ(be(r, 12, 4), 2);         // queue id
  EXPECT_EQ(be(r, 16, 4), 7);         // flag
  EXPECT_EQ(be(r, 20, 8), 11);        // queue offset
  EXPECT_EQ(be(r, 28, 8), 4096);      // commit-log offset
  EXPECT_EQ(be(r, 36, 4), sys_flag::kTransactionPreparedType);
  EXPECT_EQ(be(r, 40, 8), 1000);      // born timestamp
  EXPECT_EQ(be(r, 48, 4), 0x7F000001);
  EXPECT_EQ(be(r, 52, 4), 5555);
  EXPECT_EQ(be(r, 56, 8), 2000);      // store timestamp
  EXPECT_EQ(be(r, 64, 4), 0x0A000002);
  EXPECT_EQ(be(r, 68, 4), 10911);
  EXPECT_EQ(be(r, 72, 4), 1);         // reconsume times
  EXPECT_EQ(be(r, 76, 8), 99);        // prepared transaction offset
  EXPECT_EQ(be(r, 84, 4), 5);
  EXPECT_EQ(r.substr(88, 5), "hello");
  EXPECT_EQ(be(r, 93, 1), 6);
  EXPECT_EQ(r.substr(94, 6), "Orders");
  EXPECT_EQ(be(r, 100, 2), static_cast<int64_t>(props.size()));
  EXPECT_EQ(r.substr(102), props);
}

}  // namespace
}  // namespace tern::remoting
