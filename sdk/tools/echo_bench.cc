// echo_bench: the machine's request/response limit over RocketMQ remoting framing alone
// (echo_limit.h says what it measures; producer_bench prints it beside its own figures).
// Every --interval seconds it prints requests/s and RT p50/p99/p99.9/max, and a summary.
//
//   echo_bench [--concurrency 8] [--size 1024] [--duration 10] [--interval 2]
//              [--server-threads 1] [--client-threads 1] [--rate 0]
#include <getopt.h>

#include <cstdio>
#include <cstdlib>

#include "echo_limit.h"

namespace {

void usage() {
  std::printf(
      "usage: echo_bench [--concurrency N (8)] [--size BYTES (1024)] [--duration S (10)] [--interval S (2)]\n"
      "                  [--server-threads N (1)] [--client-threads N (1)] [--rate REQ_PER_S (0: no limit)]\n");
}

bool parse(int argc, char** argv, tern::tools::EchoOptions* f) {
  static const option kLong[] = {{"concurrency", required_argument, nullptr, 'c'},
                                 {"size", required_argument, nullptr, 's'},
                                 {"duration", required_argument, nullptr, 'd'},
                                 {"interval", required_argument, nullptr, 'i'},
                                 {"server-threads", required_argument, nullptr, 'S'},
                                 {"client-threads", required_argument, nullptr, 'C'},
                                 {"rate", required_argument, nullptr, 'r'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, "c:s:d:i:S:C:r:h", kLong, nullptr)) != -1) {
    switch (opt) {
      case 'c': f->concurrency = std::atoi(optarg); break;
      case 's': f->size = static_cast<size_t>(std::atoll(optarg)); break;
      case 'd': f->duration = std::atof(optarg); break;
      case 'i': f->interval = std::atof(optarg); break;
      case 'S': f->server_threads = std::atoi(optarg); break;
      case 'C': f->client_threads = std::atoi(optarg); break;
      case 'r': f->rate = std::atof(optarg); break;
      default: return false;
    }
  }
  return f->concurrency > 0 && f->duration > 0 && f->interval > 0 && f->server_threads > 0 && f->client_threads > 0 &&
         f->rate >= 0;
}

}  // namespace

int main(int argc, char** argv) {
  tern::tools::EchoOptions options;
  if (!parse(argc, argv, &options)) {
    usage();
    return 1;
  }
  auto summary = tern::tools::run_echo_limit(options);
  if (!summary.is_ok()) {
    std::fprintf(stderr, "echo_bench: %s\n", summary.status().message().c_str());
    return 1;
  }
  return summary->requests > 0 ? 0 : 1;
}
