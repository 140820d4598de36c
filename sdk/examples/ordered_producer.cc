// Seed 001's ordered messages: the steps of each order go to one queue, chosen by a
// MessageQueueSelector from the order id, so an orderly consumer sees them in order.
//   NAMESRV_ADDR=127.0.0.1:9876 ./ordered_producer [topic]
#include <cstdio>
#include <string>

#include "tern/client/producer.h"

using namespace tern::client;

int main(int argc, char** argv) {
  std::string topic = argc > 1 ? argv[1] : "TopicTest";
  const char* steps[] = {"create", "pay", "ship", "finish"};
  DefaultMQProducer producer("daltao");
  try {
    producer.start();
    // The selector Java users write by hand: order id modulo the queue count.
    MessageQueueSelector by_order = [](const std::vector<MessageQueue>& mqs, const Message&, const std::any& arg) {
      return mqs[static_cast<size_t>(std::any_cast<long>(arg)) % mqs.size()];
    };
    for (long order = 0; order < 10; ++order) {
      for (const char* step : steps) {
        Message msg = make_message(topic, "Order", "order-" + std::to_string(order),
                                   "order " + std::to_string(order) + " " + step);
        SendResult r = producer.send(msg, by_order, order);
        std::printf("%s\n", r.to_string().c_str());
      }
    }
    // Or RocketMQ's SelectMessageQueueByHash.
    producer.send(make_message(topic, "Order", "by hash"), select_message_queue_by_hash(), std::string("order-42"));
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "send failed (code %d): %s\n", e.code(), e.what());
    return 1;
  }
  producer.shutdown();
  return 0;
}
