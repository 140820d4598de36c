// A transactional producer as its own process, killed between its half messages and their
// outcome (sdk_transaction_test.cc): it sends <count> messages in transactions; each local
// transaction answers UNKNOW, and the last one kills the process with SIGKILL before
// answering, so no END_TRANSACTION of it is ever sent.
//   sdk_transaction_member <namesrv> <group> <topic> <instanceName> <count>
// Prints "half <i> <transactionId>" for each message once it is stored as a half message.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "tern/client/transaction_producer.h"

using namespace tern::client;

namespace {

class DyingListener : public TransactionListener {
 public:
  explicit DyingListener(int count) : count_(count) {}
  LocalTransactionState execute_local_transaction(const Message& msg, const std::any& arg) override {
    int i = std::any_cast<int>(arg);
    std::printf("half %d %s\n", i, std::string(uniq_msg_id(msg)).c_str());
    std::fflush(stdout);
    if (i == count_ - 1) std::raise(SIGKILL);
    return LocalTransactionState::UNKNOW;
  }
  LocalTransactionState check_local_transaction(const MessageExt&) override { return LocalTransactionState::UNKNOW; }

 private:
  int count_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s namesrv group topic instance count\n", argv[0]);
    return 2;
  }
  const int count = std::stoi(argv[5]);
  TransactionMQProducer producer(argv[2]);
  producer.set_namesrv_addr(argv[1]);
  producer.set_instance_name(argv[4]);
  producer.set_transaction_listener(std::make_shared<DyingListener>(count));
  try {
    producer.start();
    for (int i = 0; i < count; ++i) {
      producer.send_message_in_transaction(make_message(argv[3], "TagTx", "tx-body-" + std::to_string(i)), i);
    }
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "failed: %s\n", e.what());
    return 1;
  }
  return 3;  // never reached: the last local transaction kills the process
}
