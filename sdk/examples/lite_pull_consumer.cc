// A lite pull consumer with the SDK, after RocketMQ's LitePullConsumerSubscribe and
// LitePullConsumerAssign examples: polls TopicTest and prints every message until Ctrl-C.
//   lite_pull_consumer [namesrv]            subscribe; offsets committed automatically
//   lite_pull_consumer [namesrv] --assign   every queue assigned; commit_sync after each batch
// Run with NAMESRV_ADDR set, or pass the name server address first.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

#include "tern/client/lite_pull_consumer.h"

using namespace tern::client;

namespace {
std::atomic<bool> stop{false};
}

int main(int argc, char** argv) {
  std::signal(SIGINT, [](int) { stop = true; });
  std::string namesrv;
  bool assign = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--assign") {
      assign = true;
    } else {
      namesrv = arg;
    }
  }
  DefaultLitePullConsumer consumer("lite_pull_consumer_test");
  if (!namesrv.empty()) consumer.set_namesrv_addr(namesrv);
  consumer.set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
  try {
    if (assign) {
      consumer.set_auto_commit(false);
      consumer.start();
      consumer.assign(consumer.fetch_message_queues("TopicTest"));
    } else {
      consumer.subscribe("TopicTest", "*");
      consumer.start();
    }
    std::printf("Consumer Started.\n");
    while (!stop) {
      std::vector<MessageExt> msgs = consumer.poll(std::chrono::milliseconds(1000));
      for (const auto& m : msgs) {
        std::printf("queue %d offset %lld tags %.*s body %s\n", m.queue_id, static_cast<long long>(m.queue_offset),
                    static_cast<int>(m.tags().size()), m.tags().data(), m.body.c_str());
      }
      if (assign && !msgs.empty()) consumer.commit_sync();
    }
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  consumer.shutdown();
  return 0;
}
