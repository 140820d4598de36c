// Seed 001 "批量消息": several small messages of one topic in one request (the batch must
// stay within maxMessageSize, and hold no delayed message).
//   NAMESRV_ADDR=127.0.0.1:9876 ./batch_producer [topic]
#include <cstdio>
#include <string>
#include <vector>

#include "tern/client/producer.h"

using namespace tern::client;

int main(int argc, char** argv) {
  std::string topic = argc > 1 ? argv[1] : "TopicTest";
  DefaultMQProducer producer("daltao");
  producer.set_retry_times_when_send_failed(0);
  try {
    producer.start();
    std::vector<Message> batch{
        make_message(topic, "BatchTest", "OrderID001", "Hello RocketMQ-1"),
        make_message(topic, "BatchTest", "OrderID002", "Hello RocketMQ-2"),
        make_message(topic, "BatchTest", "OrderID003", "Hello RocketMQ-3"),
    };
    SendResult r = producer.send(batch);
    std::printf("%s\n", r.to_string().c_str());
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "send failed (code %d): %s\n", e.code(), e.what());
    return 1;
  }
  producer.shutdown();
  return 0;
}
