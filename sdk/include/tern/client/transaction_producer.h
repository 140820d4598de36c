// TransactionMQProducer: RocketMQ's transaction messages (seed 001, "事务消息").
//
//   class OrderListener : public tern::client::TransactionListener {
//     LocalTransactionState execute_local_transaction(const Message& msg, const std::any& arg) override {
//       return db.commit(order_of(msg)) ? LocalTransactionState::COMMIT_MESSAGE : LocalTransactionState::UNKNOW;
//     }
//     LocalTransactionState check_local_transaction(const MessageExt& msg) override {
//       return db.has(order_of(msg)) ? LocalTransactionState::COMMIT_MESSAGE : LocalTransactionState::ROLLBACK_MESSAGE;
//     }
//   };
//   tern::client::TransactionMQProducer producer("tx_group");
//   producer.set_namesrv_addr("127.0.0.1:9876");
//   producer.set_transaction_listener(std::make_shared<OrderListener>());
//   producer.start();
//   TransactionSendResult r = producer.send_message_in_transaction(msg, order);
//
// send_message_in_transaction sends `msg` as a prepared (half) message, which the broker
// keeps from consumers; once the broker stored it (SEND_OK), the listener's
// execute_local_transaction runs on the calling thread, and its answer goes to the broker
// (END_TRANSACTION, oneway): COMMIT_MESSAGE makes the message visible, ROLLBACK_MESSAGE
// drops it, UNKNOW (or an exception) leaves it to the check-back. A send not answered
// SEND_OK is rolled back at once. The broker asks any running producer of the group about
// a half message left without an outcome for its transactionTimeOut (6 s), every
// transactionCheckInterval (60 s), up to transactionCheckMax (15) times, then drops it:
// check_local_transaction runs on the producer's check threads and its answer ends the
// transaction the same way. So a producer that dies between its send and its answer is
// covered by another producer of the same group (or by itself, restarted).
//
// Messages sent in a transaction cannot be batches and lose a delay level (as RocketMQ's
// client does); a timer (set_deliver_time_ms & co.) applies from the commit.
//
// Threads: as DefaultMQProducer. The listener must be set before start() and be safe to
// call from the sending threads and the check threads at once.
#pragma once

#include <any>
#include <memory>
#include <string>

#include "tern/client/producer.h"

namespace tern::client {

// RocketMQ's LocalTransactionState (UNKNOW is RocketMQ's spelling).
enum class LocalTransactionState { COMMIT_MESSAGE, ROLLBACK_MESSAGE, UNKNOW };
const char* to_string(LocalTransactionState s);

// RocketMQ's TransactionListener.
class TransactionListener {
 public:
  virtual ~TransactionListener() = default;
  // After the half message is stored; `msg` carries its UNIQ_KEY (the transaction id).
  virtual LocalTransactionState execute_local_transaction(const Message& msg, const std::any& arg) = 0;
  // The broker asks again about a half message without an outcome; `msg` has its real
  // topic and its UNIQ_KEY.
  virtual LocalTransactionState check_local_transaction(const MessageExt& msg) = 0;
};

// RocketMQ's TransactionSendResult.
struct TransactionSendResult : SendResult {
  LocalTransactionState local_transaction_state = LocalTransactionState::UNKNOW;
};

class TransactionMQProducer : public DefaultMQProducer {
 public:
  explicit TransactionMQProducer(std::string producer_group) : DefaultMQProducer(std::move(producer_group)) {}

  // Required before start().
  void set_transaction_listener(std::shared_ptr<TransactionListener> listener) {
    transaction_listener_ = std::move(listener);
  }
  // Threads that run check_local_transaction (RocketMQ's checkThreadPoolMinSize: 1).
  void set_check_thread_nums(int n) { check_threads_ = n; }

  // As DefaultMQProducer::start(); kNotRunning without a listener.
  void start();

  // See the header comment. Throws like send() when the half message cannot be sent, and
  // kMessageIllegal for a batch-sized or otherwise illegal message.
  TransactionSendResult send_message_in_transaction(const Message& msg, const std::any& arg = {});
};

}  // namespace tern::client
