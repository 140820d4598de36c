// Seed 001's push consumer with the SDK: prints every message of TopicTest until Ctrl-C.
// Run with NAMESRV_ADDR set (or pass the name server address as the first argument).
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "tern/client/push_consumer.h"

using namespace tern::client;

namespace {
std::atomic<bool> stop{false};
}

int main(int argc, char** argv) {
  std::signal(SIGINT, [](int) { stop = true; });
  DefaultMQPushConsumer consumer("please_rename_unique_group_name_4");
  if (argc > 1) consumer.set_namesrv_addr(argv[1]);
  consumer.set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
  consumer.subscribe("TopicTest", "*");
  consumer.register_message_listener([](const std::vector<MessageExt>& msgs) {
    for (const auto& m : msgs) {
      std::printf("Receive New Messages: queue %d offset %lld tags %.*s body %s\n", m.queue_id,
                  static_cast<long long>(m.queue_offset), static_cast<int>(m.tags().size()), m.tags().data(),
                  m.body.c_str());
    }
    return ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
  });
  try {
    consumer.start();
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  std::printf("Consumer Started.\n");
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  consumer.shutdown();
  return 0;
}
