// Seed 001 "异步发送消息": 100 messages sent asynchronously with callbacks; a latch
// (std::latch for Java's CountDownLatch) waits for every answer. One more with a future.
//   NAMESRV_ADDR=127.0.0.1:9876 ./async_producer [topic]
#include <cstdio>
#include <latch>
#include <string>

#include "tern/client/producer.h"

using namespace tern::client;

int main(int argc, char** argv) {
  std::string topic = argc > 1 ? argv[1] : "TopicTest";
  DefaultMQProducer producer("daltao");
  try {
    producer.start();
    std::latch done(100);
    for (int i = 0; i < 100; ++i) {
      producer.send_async(make_message(topic, "TagB", "Order-" + std::to_string(i), "Hello RocketMQ-" + std::to_string(i)),
                          SendCallback{
                              [&](const SendResult& r) {
                                std::printf("%s\n", r.to_string().c_str());
                                done.count_down();
                              },
                              [&](const MQClientException& e) {
                                std::fprintf(stderr, "%s\n", e.what());
                                done.count_down();
                              },
                          });
    }
    done.wait();
    std::future<SendResult> f = producer.send_async(make_message(topic, "TagB", "with a future"));
    std::printf("%s\n", f.get().to_string().c_str());
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "send failed (code %d): %s\n", e.code(), e.what());
    return 1;
  }
  producer.shutdown();
  return 0;
}
