// Seed 001 "事务消息": two messages sent in transactions whose local transaction answers
// UNKNOW; the broker checks back after its transactionTimeOut and the check commits them,
// so a consumer of "TopicTest" / tag "transaction" receives "1" and "2".
//   NAMESRV_ADDR=127.0.0.1:9876 ./transaction_producer [topic] [seconds to wait for the checks]
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "tern/client/transaction_producer.h"

using namespace tern::client;

class PrintingListener : public TransactionListener {
 public:
  LocalTransactionState execute_local_transaction(const Message&, const std::any&) override {
    std::printf("SUCCESS\n");
    return LocalTransactionState::UNKNOW;
  }
  LocalTransactionState check_local_transaction(const MessageExt& msg) override {
    std::printf("CHECK %s\n", msg.body.c_str());
    return LocalTransactionState::COMMIT_MESSAGE;
  }
};

int main(int argc, char** argv) {
  std::string topic = argc > 1 ? argv[1] : "TopicTest";
  int wait_s = argc > 2 ? std::stoi(argv[2]) : 30;
  TransactionMQProducer producer("daltao");
  // producer.set_namesrv_addr("127.0.0.1:9876");  // else NAMESRV_ADDR
  producer.set_transaction_listener(std::make_shared<PrintingListener>());
  producer.set_check_thread_nums(4);
  try {
    producer.start();
    for (const char* body : {"1", "2"}) {
      TransactionSendResult r = producer.send_message_in_transaction(make_message(topic, "transaction", body));
      std::printf("%s %s\n", r.to_string().c_str(), to_string(r.local_transaction_state));
    }
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "send failed (code %d): %s\n", e.code(), e.what());
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(wait_s));
  producer.shutdown();
  return 0;
}
