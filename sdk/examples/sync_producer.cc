// Seed 001 "同步发送消息": 100 messages sent synchronously, each SendResult printed.
//   NAMESRV_ADDR=127.0.0.1:9876 ./sync_producer [topic]
#include <cstdio>
#include <string>

#include "tern/client/producer.h"

using namespace tern::client;

int main(int argc, char** argv) {
  std::string topic = argc > 1 ? argv[1] : "TopicTest";
  DefaultMQProducer producer("daltao");
  // producer.set_namesrv_addr("127.0.0.1:9876");  // else NAMESRV_ADDR
  try {
    producer.start();
    for (int i = 0; i < 100; ++i) {
      SendResult result = producer.send(make_message(topic, "TagA", "Hello RocketMQ-" + std::to_string(i)));
      std::printf("%s\n", result.to_string().c_str());
    }
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "send failed (code %d): %s\n", e.code(), e.what());
    return 1;
  }
  producer.shutdown();
  return 0;
}
