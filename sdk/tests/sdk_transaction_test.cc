// Transaction messages end to end: the SDK's TransactionMQProducer against a real
// `mqbroker --standalone` (transactionTimeOut 400 ms, checks every 150 ms), consumed by
// the SDK's push consumer:
//   - committed messages are delivered exactly once, rolled-back ones never, and nothing
//     is checked back once answered;
//   - a local transaction answering UNKNOW is checked back (real topic, its transaction
//     id) and the check's commit or rollback ends it;
//   - a producer killed with SIGKILL between its half messages and their outcome
//     (sdk_transaction_member, a child process): another producer of the same group
//     answers the checks, and exactly what it commits is delivered;
//   - a check never answered is asked transactionCheckMax times, then the message is
//     dropped with a log line naming its group, topic and msgId;
//   - a broker killed with SIGKILL (SYNC_FLUSH) while half messages wait: after the restart
//     they are checked back and committed, and a message committed before the crash is
//     delivered exactly once.
#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sdk_test_harness.h"
#include "tern/client/push_consumer.h"
#include "tern/client/transaction_producer.h"

namespace tern::client {
namespace {

using namespace std::chrono_literals;
using test_harness::Broker;
using test_harness::Clock;
using tern::testing::ChildProcess;

const std::string kMember = TERN_TRANSACTION_MEMBER;
const std::string kFastChecks = "transactionTimeOut=400\ntransactionCheckInterval=150\n";

// Answers by body prefix: "commit-" commits, "rollback-" rolls back, anything else UNKNOW;
// the check answers `on_check`. Counts the checks per body.
class ScriptedListener : public TransactionListener {
 public:
  explicit ScriptedListener(LocalTransactionState on_check = LocalTransactionState::UNKNOW) : on_check_(on_check) {}
  LocalTransactionState execute_local_transaction(const Message& msg, const std::any&) override {
    if (msg.body.rfind("commit-", 0) == 0) return LocalTransactionState::COMMIT_MESSAGE;
    if (msg.body.rfind("rollback-", 0) == 0) return LocalTransactionState::ROLLBACK_MESSAGE;
    if (msg.body.rfind("throw-", 0) == 0) throw std::runtime_error("local transaction failed");
    return LocalTransactionState::UNKNOW;
  }
  LocalTransactionState check_local_transaction(const MessageExt& msg) override {
    std::lock_guard lock(mu_);
    ++checks_[msg.body];
    checked_.push_back(msg);
    if (msg.body.find("-odd") != std::string::npos) return LocalTransactionState::ROLLBACK_MESSAGE;
    return on_check_;
  }
  std::map<std::string, int> checks() {
    std::lock_guard lock(mu_);
    return checks_;
  }
  std::vector<MessageExt> checked() {
    std::lock_guard lock(mu_);
    return checked_;
  }

 private:
  const LocalTransactionState on_check_;
  std::mutex mu_;
  std::map<std::string, int> checks_;
  std::vector<MessageExt> checked_;
};

// What a push consumer received: each body and how often.
class Received {
 public:
  MessageListenerConcurrently listener() {
    return [this](const std::vector<MessageExt>& msgs) {
      std::lock_guard lock(mu_);
      for (const auto& m : msgs) ++bodies_[m.body];
      return ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
    };
  }
  std::map<std::string, int> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  bool wait_for(size_t distinct, std::chrono::milliseconds timeout) {
    auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      if (bodies().size() >= distinct) return true;
      std::this_thread::sleep_for(20ms);
    }
    return bodies().size() >= distinct;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> bodies_;
};

class SdkTransactionTest : public ::testing::Test {
 protected:
  void start_broker(const std::string& extra) {
    broker_ = std::make_unique<Broker>("sdk-tx", kFastChecks + extra);
    std::string error = broker_->start();
    ASSERT_TRUE(error.empty()) << error;
    raw_.create_topic(*broker_, topic_, 4);
  }
  std::unique_ptr<TransactionMQProducer> producer(const std::string& group, std::shared_ptr<TransactionListener> l,
                                                  const std::string& instance) {
    auto p = std::make_unique<TransactionMQProducer>(group);
    p->set_namesrv_addr(broker_->namesrv());
    p->set_instance_name(instance);
    p->set_transaction_listener(std::move(l));
    p->start();
    return p;
  }
  std::unique_ptr<DefaultMQPushConsumer> consumer(Received& received, const std::string& group) {
    auto c = std::make_unique<DefaultMQPushConsumer>(group);
    c->set_namesrv_addr(broker_->namesrv());
    c->set_instance_name(group);
    c->set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
    c->subscribe(topic_, "*");
    c->register_message_listener(received.listener());
    c->start();
    return c;
  }
  // Everything the broker logged so far.
  std::string broker_log() {
    std::string all;
    for (const auto& f : std::filesystem::directory_iterator(broker_->dir() + "/logs")) {
      all += tern::testing::read_file(f.path().string());
    }
    return all;
  }

  std::string topic_ = "TxTopic";
  std::unique_ptr<Broker> broker_;
  test_harness::Raw raw_;
};

TEST_F(SdkTransactionTest, CommittedDeliveredOnceRolledBackNever) {
  start_broker("");
  auto listener = std::make_shared<ScriptedListener>();
  auto p = producer("tx_commit", listener, "tx_commit");
  Received received;
  auto c = consumer(received, "tx_commit_consumer");
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    TransactionSendResult r = p->send_message_in_transaction(
        make_message(topic_, "TagTx", (i % 2 ? "rollback-" : "commit-") + std::to_string(i)), i);
    EXPECT_EQ(r.send_status, SendStatus::SEND_OK);
    EXPECT_EQ(r.local_transaction_state,
              i % 2 ? LocalTransactionState::ROLLBACK_MESSAGE : LocalTransactionState::COMMIT_MESSAGE);
    EXPECT_EQ(r.transaction_id, r.msg_id);
    ids.insert(r.transaction_id);
  }
  EXPECT_EQ(ids.size(), 20u);
  ASSERT_TRUE(received.wait_for(10, 10s));
  std::this_thread::sleep_for(1200ms);  // three check intervals past the timeout
  auto got = received.bodies();
  EXPECT_EQ(got.size(), 10u);
  for (int i = 0; i < 20; i += 2) EXPECT_EQ(got["commit-" + std::to_string(i)], 1) << i;
  EXPECT_TRUE(listener->checks().empty());
}

TEST_F(SdkTransactionTest, UnknownIsCheckedBackAndTheCheckDecides) {
  start_broker("");
  auto listener = std::make_shared<ScriptedListener>(LocalTransactionState::COMMIT_MESSAGE);
  auto p = producer("tx_check", listener, "tx_check");
  Received received;
  auto c = consumer(received, "tx_check_consumer");
  std::map<std::string, std::string> id_of;
  for (int i = 0; i < 6; ++i) {
    std::string body = (i == 5 ? "throw-" : "unknown-") + std::to_string(i) + (i % 2 ? "-odd" : "-even");
    TransactionSendResult r = p->send_message_in_transaction(make_message(topic_, "TagTx", body), i);
    EXPECT_EQ(r.local_transaction_state, LocalTransactionState::UNKNOW);
    id_of[body] = r.transaction_id;
  }
  // Even ones are committed by the check, odd ones rolled back by it.
  ASSERT_TRUE(received.wait_for(3, 10s)) << received.bodies().size();
  std::this_thread::sleep_for(1200ms);
  auto got = received.bodies();
  EXPECT_EQ(got, (std::map<std::string, int>{{"unknown-0-even", 1}, {"unknown-2-even", 1}, {"unknown-4-even", 1}}));
  auto checks = listener->checks();
  EXPECT_EQ(checks.size(), 6u);
  for (const auto& [body, n] : checks) EXPECT_EQ(n, 1) << body;  // answered: asked once
  for (const auto& m : listener->checked()) {
    EXPECT_EQ(m.topic, topic_);
    EXPECT_EQ(uniq_msg_id(m), id_of[m.body]);
    EXPECT_EQ(m.tags(), "TagTx");
  }
}

TEST_F(SdkTransactionTest, ProducerKilledBeforeItsOutcomeIsCoveredByAnotherOfItsGroup) {
  start_broker("");
  ChildProcess dying({kMember, broker_->namesrv(), "tx_killed", topic_, "tx_killed_child", "8"}, broker_->dir());
  ASSERT_TRUE(dying.wait_for_output("half 7 ", 30s)) << dying.output();
  auto status = dying.wait(10s);
  ASSERT_TRUE(status.has_value());
  // The survivor commits what the dead producer's messages say: even ones, not odd ones.
  class SurvivorListener : public TransactionListener {
   public:
    LocalTransactionState execute_local_transaction(const Message&, const std::any&) override {
      return LocalTransactionState::UNKNOW;
    }
    LocalTransactionState check_local_transaction(const MessageExt& msg) override {
      int i = std::stoi(msg.body.substr(std::string("tx-body-").size()));
      return i % 2 == 0 ? LocalTransactionState::COMMIT_MESSAGE : LocalTransactionState::ROLLBACK_MESSAGE;
    }
  };
  auto survivor = producer("tx_killed", std::make_shared<SurvivorListener>(), "tx_killed_survivor");
  Received received;
  auto c = consumer(received, "tx_killed_consumer");
  ASSERT_TRUE(received.wait_for(4, 15s)) << received.bodies().size();
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(received.bodies(), (std::map<std::string, int>{
                                   {"tx-body-0", 1}, {"tx-body-2", 1}, {"tx-body-4", 1}, {"tx-body-6", 1}}));
}

TEST_F(SdkTransactionTest, NeverAnsweredIsDroppedAfterTransactionCheckMax) {
  start_broker("transactionCheckMax=2\n");
  auto listener = std::make_shared<ScriptedListener>(LocalTransactionState::UNKNOW);
  auto p = producer("tx_dropped", listener, "tx_dropped");
  TransactionSendResult r = p->send_message_in_transaction(make_message(topic_, "TagTx", "unknown-forever"));
  ASSERT_EQ(r.send_status, SendStatus::SEND_OK);
  auto until = Clock::now() + 10s;
  while (Clock::now() < until && broker_log().find("dropping the half message") == std::string::npos) {
    std::this_thread::sleep_for(50ms);
  }
  std::string log = broker_log();
  EXPECT_NE(log.find("dropping the half message of group tx_dropped, topic " + topic_ + ", msgId " + r.msg_id),
            std::string::npos)
      << log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(listener->checks()["unknown-forever"], 2);
  EXPECT_EQ(raw_.max_offset(*broker_, topic_, 0) + raw_.max_offset(*broker_, topic_, 1) +
                raw_.max_offset(*broker_, topic_, 2) + raw_.max_offset(*broker_, topic_, 3),
            0);
}

TEST_F(SdkTransactionTest, HalfMessagesSurviveABrokerKilledWithSigkill) {
  start_broker("flushDiskType=SYNC_FLUSH\ntransactionTimeOut=1500\n");
  std::vector<std::string> sent;
  {
    auto p = producer("tx_crash", std::make_shared<ScriptedListener>(), "tx_crash_before");
    for (int i = 0; i < 10; ++i) {
      std::string body = (i < 3 ? "commit-" : "unknown-") + std::to_string(i) + "-even";
      ASSERT_EQ(p->send_message_in_transaction(make_message(topic_, "TagTx", body)).send_status, SendStatus::SEND_OK);
      sent.push_back(body);
    }
    p->shutdown();
  }
  broker_->kill_now();
  std::string error = broker_->start();
  ASSERT_TRUE(error.empty()) << error;
  auto listener = std::make_shared<ScriptedListener>(LocalTransactionState::COMMIT_MESSAGE);
  auto p = producer("tx_crash", listener, "tx_crash_after");
  Received received;
  auto c = consumer(received, "tx_crash_consumer");
  ASSERT_TRUE(received.wait_for(10, 20s)) << received.bodies().size();
  std::this_thread::sleep_for(1000ms);
  std::map<std::string, int> expected;
  for (const auto& b : sent) expected[b] = 1;
  EXPECT_EQ(received.bodies(), expected);
  for (const auto& [body, n] : listener->checks()) EXPECT_EQ(body.rfind("unknown-", 0), 0u) << body;
}

}  // namespace
}  // namespace tern::client
