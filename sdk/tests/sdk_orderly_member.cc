// One orderly push consumer as its own process, for the test of a member that dies
// (sdk_orderly_consumer_test.cc kills it with SIGKILL, so it never unlocks its queues).
//   sdk_orderly_member <namesrv> <group> <topic> <instanceName> <lockIntervalMs> <workMs>
// Prints "member started" once running, then one line per consume call:
//   consume <queueId> <firstOffset> <lastOffset> <startNs> <endNs>
// with steady-clock nanoseconds (CLOCK_MONOTONIC: comparable with the test process).
// Runs until killed.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "tern/client/push_consumer.h"

using namespace tern::client;

namespace {

long long steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s namesrv group topic instance lockIntervalMs workMs\n", argv[0]);
    return 2;
  }
  const std::chrono::milliseconds lock_interval(std::stol(argv[5]));
  const std::chrono::milliseconds work(std::stol(argv[6]));
  DefaultMQPushConsumer consumer(argv[2]);
  consumer.set_namesrv_addr(argv[1]);
  consumer.set_instance_name(argv[4]);
  consumer.set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
  consumer.set_consume_thread_max(4);
  consumer.set_rebalance_interval(std::chrono::milliseconds(1000));
  consumer.set_rebalance_lock_interval(lock_interval);
  consumer.subscribe(argv[3], "*");
  consumer.register_message_listener([work](const std::vector<MessageExt>& msgs) {
    long long start = steady_ns();
    std::this_thread::sleep_for(work);
    // One write per line: a kill never leaves half a line behind a complete one.
    char line[160];
    int n = std::snprintf(line, sizeof line, "consume %d %lld %lld %lld %lld\n", msgs.front().queue_id,
                          static_cast<long long>(msgs.front().queue_offset),
                          static_cast<long long>(msgs.back().queue_offset), start, steady_ns());
    if (n > 0) (void)::write(STDOUT_FILENO, line, static_cast<size_t>(n));
    return ConsumeOrderlyStatus::SUCCESS;
  });
  try {
    consumer.start();
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "start failed: %s\n", e.what());
    return 1;
  }
  std::printf("member started\n");
  std::fflush(stdout);
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}
