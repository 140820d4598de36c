// TransactionalMessageService over an in-memory store, through the real write path: a
// prepared message is kept invisible in RMQ_SYS_TRANS_HALF_TOPIC; commit stores it on its
// topic and queue (sys flag COMMIT, prepared properties gone), rollback stores nothing; each
// outcome leaves an op record and a second outcome is refused; mismatched answers are
// refused naming what differs; the check-back asks a producer of the group about a new
// copy after the timeout, counts its checks and drops the message after the last one; and
// a restarted service knows from the op queue what already ended.
#include "broker/transactional_message_service.h"

#include <gtest/gtest.h>

#include "broker/broker_message_writer.h"
#include "broker/client_manager.h"
#include "broker/consumer_offset_manager.h"
#include "broker_test_util.h"
#include "fixtures/memory_store.h"
#include "tern/topic_config.h"

namespace tern::kernel {
namespace {

using namespace std::chrono_literals;
using testing::FakeChannel;
using testing::TempDir;

const std::string kHalf(topic_names::kTransactionHalf);
const std::string kOp(topic_names::kTransactionOpHalf);

class TransactionTest : public ::testing::Test {
 protected:
  std::unique_ptr<TransactionalMessageService> make(TransactionOptions o) {
    o.check = false;  // passes run by check_once() only
    auto service = std::make_unique<TransactionalMessageService>(o, offsets_, clients_, writer_, *logger_);
    writer_.attach(&store_, nullptr, service.get());
    service->start(&store_);
    return service;
  }
  TransactionOptions checking_now(int32_t check_max = 15) {
    TransactionOptions o;
    o.timeout = 0ms;
    o.check_max = check_max;
    return o;
  }

  MessageExt prepared(const std::string& uniq, const std::string& group = "TxGroup") {
    MessageExt m;
    m.topic = "Orders";
    m.queue_id = 2;
    m.body = "order " + uniq;
    m.sys_flag = sys_flag::kTransactionPreparedType;
    m.set_tags("TagA");
    m.set_property(property::kTransactionPrepared, "true");
    m.set_property(property::kProducerGroup, group);
    m.set_property(property::kUniqueClientMessageId, uniq);
    return m;
  }
  Result<PutResult> send(MessageExt m) {
    Result<PutResult> got = Status::internal("no answer");
    writer_.put_message(std::move(m), [&](Result<PutResult> r) { got = std::move(r); });
    return got;
  }
  Status end(TransactionalMessageService& tx, const AppendedMessage& at, EndTransactionRequest::Outcome outcome,
             const std::string& group = "TxGroup") {
    EndTransactionRequest r;
    r.producer_group = group;
    r.tran_state_table_offset = at.queue_offset;
    r.commit_log_offset = at.commit_log_offset;
    r.outcome = outcome;
    Status got = Status::internal("no answer");
    tx.end_transaction(r, [&](Status s) { got = std::move(s); });
    return got;
  }
  std::vector<std::string> op_bodies() {
    std::vector<std::string> out;
    for (const auto& m : store_.queue(kOp, 0)) out.push_back(m.body);
    return out;
  }

  TempDir dir_;
  std::shared_ptr<Logger> logger_ = testing::test_logger();
  fixture::MemoryStore store_;
  BrokerMessageWriter writer_;
  ConsumerOffsetManager offsets_{dir_.file("config/consumerOffset.json"), *logger_};
  ClientManager clients_{{}, nullptr, nullptr, *logger_};
};

TEST_F(TransactionTest, CommitMakesTheHalfMessageVisibleOnItsQueue) {
  auto tx = make({});
  auto sent = send(prepared("U1"));
  ASSERT_TRUE(sent.is_ok()) << sent.status().to_string();
  EXPECT_TRUE(store_.topic("Orders").empty());
  auto half = store_.queue(kHalf, 0);
  ASSERT_EQ(half.size(), 1u);
  EXPECT_EQ(half[0].property(property::kRealTopic), "Orders");
  EXPECT_EQ(half[0].property(property::kRealQueueId), "2");
  EXPECT_EQ(sys_flag::transaction_type(half[0].sys_flag), sys_flag::kTransactionNotType);

  ASSERT_TRUE(end(*tx, sent->messages[0], EndTransactionRequest::Outcome::kCommit).is_ok());
  auto visible = store_.queue("Orders", 2);
  ASSERT_EQ(visible.size(), 1u);
  EXPECT_EQ(visible[0].body, "order U1");
  EXPECT_EQ(visible[0].property(property::kUniqueClientMessageId), "U1");
  EXPECT_EQ(visible[0].tags(), "TagA");
  EXPECT_FALSE(visible[0].has_property(property::kTransactionPrepared));
  EXPECT_FALSE(visible[0].has_property(property::kRealTopic));
  EXPECT_EQ(sys_flag::transaction_type(visible[0].sys_flag), sys_flag::kTransactionCommitType);
  EXPECT_EQ(visible[0].prepared_transaction_offset, sent->messages[0].commit_log_offset);
  EXPECT_EQ(op_bodies(), std::vector<std::string>{"0"});

  // Once ended, never again, either way.
  EXPECT_TRUE(end(*tx, sent->messages[0], EndTransactionRequest::Outcome::kCommit).is_not_found());
  EXPECT_TRUE(end(*tx, sent->messages[0], EndTransactionRequest::Outcome::kRollback).is_not_found());
  EXPECT_EQ(store_.queue("Orders", 2).size(), 1u);
}

TEST_F(TransactionTest, RollbackLeavesNothingVisibleAndNothingToCheck) {
  auto tx = make(checking_now());
  auto channel = std::make_shared<FakeChannel>("10.0.0.1:1");
  clients_.producer_heartbeat(channel, "TxGroup", "c1", "CPP", 1);
  auto sent = send(prepared("U2"));
  ASSERT_TRUE(sent.is_ok());
  ASSERT_TRUE(end(*tx, sent->messages[0], EndTransactionRequest::Outcome::kRollback).is_ok());
  tx->check_once();
  EXPECT_TRUE(store_.topic("Orders").empty());
  EXPECT_TRUE(channel->checks().empty());
  EXPECT_EQ(op_bodies(), std::vector<std::string>{"0"});
}

TEST_F(TransactionTest, RefusalsNameWhatIsWrong) {
  auto tx = make({});
  auto sent = send(prepared("U3"));
  ASSERT_TRUE(sent.is_ok());
  Status wrong_group = end(*tx, sent->messages[0], EndTransactionRequest::Outcome::kCommit, "Other");
  EXPECT_TRUE(wrong_group.is_invalid_argument());
  EXPECT_NE(wrong_group.message().find("TxGroup"), std::string::npos) << wrong_group.message();
  AppendedMessage moved = sent->messages[0];
  moved.queue_offset = 7;
  EXPECT_TRUE(end(*tx, moved, EndTransactionRequest::Outcome::kCommit).is_invalid_argument());
  moved = sent->messages[0];
  moved.commit_log_offset += 1;
  EXPECT_TRUE(end(*tx, moved, EndTransactionRequest::Outcome::kCommit).is_not_found());
  // Unknown: nothing happens, the transaction stays open.
  EXPECT_TRUE(end(*tx, sent->messages[0], EndTransactionRequest::Outcome::kUnknown).is_ok());
  EXPECT_TRUE(op_bodies().empty());
  EXPECT_TRUE(end(*tx, sent->messages[0], EndTransactionRequest::Outcome::kCommit).is_ok());

  MessageExt no_group = prepared("U4");
  no_group.clear_property(property::kProducerGroup);
  EXPECT_TRUE(send(no_group).status().is_invalid_argument());
  std::vector<MessageExt> batch{prepared("U5")};
  Status batch_status = Status::internal("no answer");
  writer_.put_messages(batch, [&](Result<PutResult> r) { batch_status = r.status(); });
  EXPECT_TRUE(batch_status.is_invalid_argument());

  TransactionOptions rejecting;
  rejecting.reject = true;
  auto rejected = make(rejecting);
  Status refused = send(prepared("U6")).status();
  EXPECT_EQ(refused.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(refused.message().find("rejectTransactionMessage"), std::string::npos);
}

TEST_F(TransactionTest, UnansweredHalfMessageIsCheckedBackThenCommittedByTheAnswer) {
  auto tx = make(checking_now());
  auto channel = std::make_shared<FakeChannel>("10.0.0.1:1");
  clients_.producer_heartbeat(channel, "TxGroup", "c1", "CPP", 1);
  auto sent = send(prepared("U7"));
  ASSERT_TRUE(sent.is_ok());
  tx->check_once();
  auto checks = channel->checks();
  ASSERT_EQ(checks.size(), 1u);
  const MessageExt& asked = checks[0].second;
  EXPECT_EQ(checks[0].first, "TxGroup");
  EXPECT_EQ(asked.topic, "Orders");
  EXPECT_EQ(asked.queue_id, 2);
  EXPECT_EQ(asked.property(property::kUniqueClientMessageId), "U7");
  EXPECT_EQ(asked.property(property::kTransactionCheckTimes), "1");
  EXPECT_EQ(asked.queue_offset, 1);  // the copy, at the end of the half queue
  EXPECT_EQ(store_.queue(kHalf, 0).size(), 2u);

  // The producer's late answer about the first copy is refused; the answer to the check ends it.
  EXPECT_TRUE(end(*tx, sent->messages[0], EndTransactionRequest::Outcome::kCommit).is_not_found());
  AppendedMessage copy{asked.queue_offset, asked.commit_log_offset, 100, asked.msg_id};
  ASSERT_TRUE(end(*tx, copy, EndTransactionRequest::Outcome::kCommit).is_ok());
  ASSERT_EQ(store_.queue("Orders", 2).size(), 1u);
  EXPECT_FALSE(store_.queue("Orders", 2)[0].has_property(property::kTransactionCheckTimes));
  tx->check_once();
  EXPECT_EQ(channel->checks().size(), 1u);
  EXPECT_EQ(offsets_.query(kTransactionCheckGroup, kHalf, 0), 2);
}

TEST_F(TransactionTest, YoungHalfMessagesWaitForTheTimeout) {
  TransactionOptions o;
  o.timeout = 1h;
  auto tx = make(o);
  auto channel = std::make_shared<FakeChannel>("10.0.0.1:1");
  clients_.producer_heartbeat(channel, "TxGroup", "c1", "CPP", 1);
  ASSERT_TRUE(send(prepared("U8")).is_ok());
  tx->check_once();
  EXPECT_TRUE(channel->checks().empty());
  EXPECT_EQ(store_.queue(kHalf, 0).size(), 1u);
}

TEST_F(TransactionTest, NeverAnsweredIsDroppedAfterTheLastCheck) {
  auto tx = make(checking_now(2));
  auto channel = std::make_shared<FakeChannel>("10.0.0.1:1");
  clients_.producer_heartbeat(channel, "TxGroup", "c1", "CPP", 1);
  ASSERT_TRUE(send(prepared("U9")).is_ok());
  for (int i = 0; i < 5; ++i) tx->check_once();
  EXPECT_EQ(channel->checks().size(), 2u);
  EXPECT_EQ(store_.queue(kHalf, 0).size(), 3u);  // the message and its two checked copies
  EXPECT_EQ(op_bodies(), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_TRUE(store_.topic("Orders").empty());
}

TEST_F(TransactionTest, WithoutAProducerOnlineTheCheckIsStillCounted) {
  auto tx = make(checking_now(1));
  ASSERT_TRUE(send(prepared("U10")).is_ok());
  tx->check_once();
  tx->check_once();
  EXPECT_EQ(store_.queue(kHalf, 0).size(), 2u);
  EXPECT_EQ(op_bodies().size(), 2u);  // checked once, then dropped
}

TEST_F(TransactionTest, ARestartedServiceKnowsWhatEndedFromTheOpQueue) {
  std::vector<AppendedMessage> at;
  {
    auto tx = make({});
    for (const char* u : {"A", "B", "C"}) {
      auto sent = send(prepared(u));
      ASSERT_TRUE(sent.is_ok());
      at.push_back(sent->messages[0]);
    }
    ASSERT_TRUE(end(*tx, at[0], EndTransactionRequest::Outcome::kRollback).is_ok());
    ASSERT_TRUE(end(*tx, at[2], EndTransactionRequest::Outcome::kCommit).is_ok());
    tx->stop();
  }
  auto again = make(checking_now());
  auto channel = std::make_shared<FakeChannel>("10.0.0.1:1");
  clients_.producer_heartbeat(channel, "TxGroup", "c1", "CPP", 1);
  EXPECT_TRUE(end(*again, at[2], EndTransactionRequest::Outcome::kCommit).is_not_found());
  again->check_once();
  auto checks = channel->checks();
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].second.property(property::kUniqueClientMessageId), "B");
}

}  // namespace
}  // namespace tern::kernel
