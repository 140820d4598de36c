// Seed 001 "广播消息": every consumer of the group gets every message of TopicTest with tag
// TagF (BROADCASTING keeps each member's offsets in a local file, not on the broker). Start
// two of these, then send messages tagged TagF (e.g. `mqadmin sendMessage -t TopicTest -c TagF
// -p hello`): both print every message.
//   NAMESRV_ADDR=127.0.0.1:9876 ./broadcast_consumer [topic]
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "tern/client/push_consumer.h"

using namespace tern::client;

namespace {
std::atomic<bool> stop{false};
}

int main(int argc, char** argv) {
  std::signal(SIGINT, [](int) { stop = true; });
  std::string topic = argc > 1 ? argv[1] : "TopicTest";
  DefaultMQPushConsumer consumer("daltao");
  consumer.subscribe(topic, "TagF");
  consumer.set_message_model(MessageModel::BROADCASTING);
  consumer.set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_LAST_OFFSET);
  consumer.register_message_listener([](const std::vector<MessageExt>& msgs) {
    for (const auto& m : msgs) std::printf("received message - %s\n", m.body.c_str());
    return ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
  });
  try {
    consumer.start();
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  std::printf("Start consuming\n");
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  consumer.shutdown();
  return 0;
}
