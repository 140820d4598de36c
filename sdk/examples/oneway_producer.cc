// Seed 001's one-way send ("单路"): no answer, for logs and metrics where loss is tolerable.
//   NAMESRV_ADDR=127.0.0.1:9876 ./oneway_producer [topic]
#include <cstdio>
#include <string>

#include "tern/client/producer.h"

using namespace tern::client;

int main(int argc, char** argv) {
  std::string topic = argc > 1 ? argv[1] : "TopicTest";
  DefaultMQProducer producer("daltao");
  try {
    producer.start();
    for (int i = 0; i < 100; ++i) producer.send_oneway(make_message(topic, "TagC", "Hello RocketMQ-" + std::to_string(i)));
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "send failed (code %d): %s\n", e.code(), e.what());
    return 1;
  }
  producer.shutdown();
  return 0;
}
