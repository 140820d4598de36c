// consumer_bench: consume throughput and end-to-end latency of DefaultMQPushConsumer: every
// --interval seconds a line with messages/s and the time from a message's birth (its
// producer's send time) to its listener call, p50/p99/p99.9/max; a summary at the end. Run
// it beside producer_bench on the same topic (same machine: the clocks agree).
//
//   consumer_bench --namesrv 127.0.0.1:9876 [--topic BenchTopic] [--group bench_consumer]
//                  [--duration 10] [--interval 2] [--from-first]
#include <getopt.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_runner.h"
#include "tern/client/push_consumer.h"

namespace {

using namespace tern::client;

struct Flags {
  std::string namesrv;
  std::string topic = "BenchTopic";
  std::string group = "bench_consumer";
  double duration = 10;
  double interval = 2;
  bool from_first = false;
};

bool parse(int argc, char** argv, Flags* f) {
  static const option kLong[] = {{"namesrv", required_argument, nullptr, 'n'},
                                 {"topic", required_argument, nullptr, 't'},
                                 {"group", required_argument, nullptr, 'g'},
                                 {"duration", required_argument, nullptr, 'd'},
                                 {"interval", required_argument, nullptr, 'i'},
                                 {"from-first", no_argument, nullptr, 'F'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, "n:t:g:d:i:Fh", kLong, nullptr)) != -1) {
    switch (opt) {
      case 'n': f->namesrv = optarg; break;
      case 't': f->topic = optarg; break;
      case 'g': f->group = optarg; break;
      case 'd': f->duration = std::atof(optarg); break;
      case 'i': f->interval = std::atof(optarg); break;
      case 'F': f->from_first = true; break;
      default: return false;
    }
  }
  return !f->namesrv.empty() && f->duration > 0 && f->interval > 0;
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  if (!parse(argc, argv, &f)) {
    std::printf(
        "usage: consumer_bench --namesrv HOST:PORT [--topic BenchTopic] [--group bench_consumer] [--duration 10]\n"
        "                      [--interval 2] [--from-first]\n");
    return 1;
  }
  tern::tools::BenchStats stats;
  DefaultMQPushConsumer consumer(f.group);
  consumer.set_namesrv_addr(f.namesrv);
  consumer.set_instance_name("consumer_bench_" + std::to_string(::getpid()));
  consumer.set_consume_from_where(f.from_first ? ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET
                                               : ConsumeFromWhere::CONSUME_FROM_LAST_OFFSET);
  consumer.subscribe(f.topic, "*");
  consumer.register_message_listener([&](const std::vector<MessageExt>& msgs) {
    int64_t now = wall_ms();
    for (const auto& m : msgs) stats.record(std::chrono::milliseconds(std::max<int64_t>(0, now - m.born_timestamp)));
    return ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
  });
  try {
    consumer.start();
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "consumer_bench: cannot start (group %s, topic %s, name server %s): %s\n", f.group.c_str(),
                 f.topic.c_str(), f.namesrv.c_str(), e.what());
    return 1;
  }
  std::printf("consumer_bench: group %s, topic %s, %.0f s; RT = birth to listener\n", f.group.c_str(),
              f.topic.c_str(), f.duration);
  auto summary = tern::tools::run_bench("consume", stats, 0, f.duration, f.interval, {});
  consumer.shutdown();
  return summary.requests > 0 ? 0 : 1;
}
