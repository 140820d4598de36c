// TransactionMQProducer (contract in transaction_producer.h) and the transaction half of
// ProducerImpl: RocketMQ's DefaultMQProducerImpl.sendMessageInTransaction, endTransaction
// and checkTransactionState.
#include "tern/client/transaction_producer.h"

#include "codes.h"
#include "message_decoder.h"
#include "message_util.h"
#include "producer_impl.h"

namespace tern::client {

const char* to_string(LocalTransactionState s) {
  switch (s) {
    case LocalTransactionState::COMMIT_MESSAGE: return "COMMIT_MESSAGE";
    case LocalTransactionState::ROLLBACK_MESSAGE: return "ROLLBACK_MESSAGE";
    case LocalTransactionState::UNKNOW: return "UNKNOW";
  }
  return "UNKNOW";
}

void TransactionMQProducer::start() {
  if (!transaction_listener_) {
    throw MQClientException(client_error::kNotRunning,
                            "transaction producer " + producer_group() + ": set_transaction_listener before start()");
  }
  DefaultMQProducer::start();
}

TransactionSendResult TransactionMQProducer::send_message_in_transaction(const Message& msg, const std::any& arg) {
  return running("send_message_in_transaction").send_message_in_transaction(msg, arg);
}

namespace internal {
namespace {

namespace rc = remoting::request_code;

// commitOrRollback of END_TRANSACTION: the sys-flag transaction types.
int32_t outcome_code(LocalTransactionState s) {
  switch (s) {
    case LocalTransactionState::COMMIT_MESSAGE: return sys_flag::kTransactionCommitType;
    case LocalTransactionState::ROLLBACK_MESSAGE: return sys_flag::kTransactionRollbackType;
    case LocalTransactionState::UNKNOW: return sys_flag::kTransactionNotType;
  }
  return sys_flag::kTransactionNotType;
}

}  // namespace

TransactionSendResult ProducerImpl::send_message_in_transaction(const Message& msg, const std::any& arg) {
  check_running("send_message_in_transaction");
  TransactionListener* listener = settings_.transaction_listener.get();
  if (listener == nullptr) {
    throw MQClientException(client_error::kNotRunning,
                            "producer " + settings_.group + ": send_message_in_transaction needs a TransactionMQProducer "
                                                            "with a transaction listener",
                            msg.topic);
  }
  Message half = msg;
  half.clear_property(property::kDelayTimeLevel);  // as RocketMQ's client: no delay in a transaction
  half.set_property(property::kTransactionPrepared, "true");
  half.set_property(property::kProducerGroup, settings_.group);
  if (uniq_msg_id(half).empty()) half.set_property(property::kUniqueClientMessageId, create_uniq_id());
  SendResult sent = send(half, settings_.send_msg_timeout);

  TransactionSendResult out;
  static_cast<SendResult&>(out) = sent;
  out.transaction_id = std::string(uniq_msg_id(half));
  LocalTransactionState state = LocalTransactionState::ROLLBACK_MESSAGE;  // not stored as asked: roll back
  if (sent.send_status == SendStatus::SEND_OK) {
    try {
      state = listener->execute_local_transaction(half, arg);
    } catch (const std::exception& e) {
      instance_->logger().warn("producer ", settings_.group, ": execute_local_transaction of ", out.transaction_id,
                               " threw: ", e.what(), "; the broker will check back");
      state = LocalTransactionState::UNKNOW;
    } catch (...) {
      state = LocalTransactionState::UNKNOW;
    }
  }
  out.local_transaction_state = state;

  auto id = decode_offset_msg_id(sent.offset_msg_id);
  std::string addr = instance_->find_broker_master(sent.message_queue.broker_name);
  if (!id.is_ok() || addr.empty()) {
    instance_->logger().warn("producer ", settings_.group, ": cannot end transaction ", out.transaction_id, " (",
                             id.is_ok() ? "broker " + sent.message_queue.broker_name + " has no master address"
                                        : id.status().message(),
                             "); the broker will check back");
    return out;
  }
  end_transaction(addr,
                  {{"producerGroup", settings_.group},
                   {"tranStateTableOffset", std::to_string(sent.queue_offset)},
                   {"commitLogOffset", std::to_string(id->commit_log_offset)},
                   {"fromTransactionCheck", "false"},
                   {"msgId", out.transaction_id},
                   {"transactionId", out.transaction_id}},
                  state);
  return out;
}

void ProducerImpl::on_check_transaction_state(const std::string& broker_addr, MessageExt message,
                                              std::map<std::string, std::string> header) {
  if (!settings_.transaction_listener || !check_executor_) {
    instance_->logger().warn("producer ", settings_.group, " is not transactional; broker ", broker_addr,
                             " asked about transaction ", header["transactionId"]);
    return;
  }
  bool posted = check_executor_->post([this, broker_addr, message = std::move(message), header = std::move(header)] {
    LocalTransactionState state = LocalTransactionState::UNKNOW;
    try {
      state = settings_.transaction_listener->check_local_transaction(message);
    } catch (const std::exception& e) {
      instance_->logger().warn("producer ", settings_.group, ": check_local_transaction of ",
                               uniq_msg_id(message), " threw: ", e.what());
    } catch (...) {
    }
    std::string uniq(uniq_msg_id(message));
    auto get = [&](const char* name) {
      auto it = header.find(name);
      return it == header.end() ? std::string() : it->second;
    };
    end_transaction(broker_addr,
                    {{"producerGroup", settings_.group},
                     {"tranStateTableOffset", get("tranStateTableOffset")},
                     {"commitLogOffset", get("commitLogOffset")},
                     {"fromTransactionCheck", "true"},
                     {"msgId", uniq},
                     {"transactionId", get("transactionId").empty() ? uniq : get("transactionId")}},
                    state);
  });
  if (!posted) instance_->logger().info("producer ", settings_.group, " is shutting down; check-back ignored");
}

void ProducerImpl::end_transaction(const std::string& broker_addr, std::map<std::string, std::string> header,
                                   LocalTransactionState state) {
  header["commitOrRollback"] = std::to_string(outcome_code(state));
  instance_->logger().debug("producer ", settings_.group, ": END_TRANSACTION ", to_string(state), " of ",
                            header["msgId"], " to ", broker_addr);
  instance_->remoting().invoke_oneway(broker_addr, MQClientInstance::make_request(rc::kEndTransaction, std::move(header)),
                                      settings_.send_msg_timeout);
}

}  // namespace internal
}  // namespace tern::client
