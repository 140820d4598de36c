// The machine's request/response limit over RocketMQ remoting framing: a RemotingServer on
// loopback answers every request at once with an empty response, and caller threads send
// requests shaped like a send (code 310, a few header fields, a body of `size` bytes)
// through one RemotingClient and wait for each answer, as the producer benchmark's callers
// do through the SDK. echo_bench runs it alone; producer_bench runs it beside its own
// figure, in the same program and run, and prints the ratio.
#pragma once

#include <cstddef>

#include "bench_stats.h"
#include "tern/status.h"

namespace tern::tools {

struct EchoOptions {
  int concurrency = 8;
  size_t size = 1024;
  double duration = 10;  // seconds
  double interval = 2;   // seconds between report lines
  int server_threads = 1;
  int client_threads = 1;
  double rate = 0;  // requests/s over all callers; 0 = as fast as answers come
};

// Prints an interval line every options.interval seconds and a summary, which it returns;
// an error when the loopback server cannot listen.
Result<BenchSummary> run_echo_limit(const EchoOptions& options);

}  // namespace tern::tools
