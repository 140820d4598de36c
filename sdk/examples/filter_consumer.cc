// Seed 001 "SQL92 过滤" (consumer side): a SQL92 selector evaluated on the broker, so only
// messages whose properties match are delivered. The broker needs enablePropertyFilter=true
// (off by default, as in RocketMQ: `mqbroker --standalone -p enablePropertyFilter=true`),
// otherwise start() reports that the broker does not support filtering by SQL92.
//   NAMESRV_ADDR=127.0.0.1:9876 ./filter_consumer [topic]
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
  DefaultMQPushConsumer consumer("daltao_sql");
  consumer.set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
  consumer.subscribe(topic, MessageSelector::by_sql("sequence between 2 and 3 and tag='SqlTest'"));
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
