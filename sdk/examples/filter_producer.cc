// Seed 001 "SQL92 过滤" (producer side): three messages whose user properties `sequence` and
// `tag` a SQL92 selector can test; run filter_consumer to see only sequences 2 and 3.
//   NAMESRV_ADDR=127.0.0.1:9876 ./filter_producer [topic]
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
    std::vector<Message> batch;
    for (int i = 1; i <= 3; ++i) {
      Message m = make_message(topic, "SqlTest", "OrderID00" + std::to_string(i), "Hello RocketMQ-" + std::to_string(i));
      m.set_property("sequence", std::to_string(i));
      m.set_property("tag", "SqlTest");
      batch.push_back(std::move(m));
    }
    SendResult r = producer.send(batch);
    std::printf("%s\n", r.to_string().c_str());
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "send failed (code %d): %s\n", e.code(), e.what());
    return 1;
  }
  producer.shutdown();
  return 0;
}
