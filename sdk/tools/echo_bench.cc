// echo_bench: the machine's request/response limit over RocketMQ remoting framing, the
// figure Tern's send and pull benchmarks are compared against (docs/PERFORMANCE.md). One
// program, both sides: a RemotingServer on loopback answers every request at once with an
// empty response; N caller threads each send a request with a body of --size bytes and
// wait for its answer, in a loop, through one RemotingClient (one connection), as the
// producer benchmark's callers do with the SDK. Every --interval seconds it prints
// requests/s and RT p50/p99/p99.9/max, and a summary at the end.
//
//   echo_bench [--concurrency 8] [--size 1024] [--duration 10] [--interval 2]
//              [--server-threads 1] [--client-threads 1]
#include <getopt.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.h"
#include "remoting_client.h"
#include "remoting_server.h"
#include "runtime/io_context_pool.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using tern::remoting::RemotingCommand;

class QuietLogger : public tern::Logger {
 public:
  void log(tern::LogLevel, std::string_view message) override {
    std::fprintf(stderr, "echo_bench: %.*s\n", static_cast<int>(message.size()), message.data());
  }
  bool should_log(tern::LogLevel level) const override { return level >= tern::LogLevel::kError; }
};

struct Flags {
  int concurrency = 8;
  size_t size = 1024;
  double duration = 10;
  double interval = 2;
  int server_threads = 1;
  int client_threads = 1;
};

void usage() {
  std::printf(
      "usage: echo_bench [--concurrency N (8)] [--size BYTES (1024)] [--duration S (10)] [--interval S (2)]\n"
      "                  [--server-threads N (1)] [--client-threads N (1)]\n");
}

bool parse(int argc, char** argv, Flags* f) {
  static const option kLong[] = {{"concurrency", required_argument, nullptr, 'c'},
                                 {"size", required_argument, nullptr, 's'},
                                 {"duration", required_argument, nullptr, 'd'},
                                 {"interval", required_argument, nullptr, 'i'},
                                 {"server-threads", required_argument, nullptr, 'S'},
                                 {"client-threads", required_argument, nullptr, 'C'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, "c:s:d:i:S:C:h", kLong, nullptr)) != -1) {
    switch (opt) {
      case 'c': f->concurrency = std::atoi(optarg); break;
      case 's': f->size = static_cast<size_t>(std::atoll(optarg)); break;
      case 'd': f->duration = std::atof(optarg); break;
      case 'i': f->interval = std::atof(optarg); break;
      case 'S': f->server_threads = std::atoi(optarg); break;
      case 'C': f->client_threads = std::atoi(optarg); break;
      default: return false;
    }
  }
  return f->concurrency > 0 && f->duration > 0 && f->interval > 0 && f->server_threads > 0 && f->client_threads > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!parse(argc, argv, &flags)) {
    usage();
    return 1;
  }
  QuietLogger logger;
  tern::kernel::IoContextPool server_pool(static_cast<size_t>(flags.server_threads));
  tern::kernel::IoContextPool client_pool(static_cast<size_t>(flags.client_threads));
  server_pool.start();
  client_pool.start();

  tern::remoting::RemotingServerOptions options;
  options.bind_ip = "127.0.0.1";
  options.name = "echo";
  tern::remoting::RemotingServer server(
      options, [&]() -> boost::asio::io_context& { return server_pool.next(); }, logger,
      [](const std::shared_ptr<tern::remoting::RemotingConnection>& conn, RemotingCommand request) {
        RemotingCommand response;
        response.code = 0;
        conn->respond(request, std::move(response));
      });
  if (tern::Status s = server.start(); !s.is_ok()) {
    std::fprintf(stderr, "echo_bench: %s\n", s.message().c_str());
    return 1;
  }
  std::string address = "127.0.0.1:" + std::to_string(server.port());
  tern::remoting::RemotingClient client([&]() -> boost::asio::io_context& { return client_pool.next(); }, logger);
  std::printf("echo_bench: %d callers, %zu-byte bodies, %.0f s, server %s (%d io thread(s)), client %d io thread(s)\n",
              flags.concurrency, flags.size, flags.duration, address.c_str(), flags.server_threads,
              flags.client_threads);

  tern::tools::BenchStats stats;
  std::atomic<bool> stop{false};
  std::string body(flags.size, 'x');
  std::vector<std::thread> callers;
  for (int i = 0; i < flags.concurrency; ++i) {
    callers.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        RemotingCommand request;
        request.code = 310;  // as a send would be
        request.version = 409;
        request.ext_fields = {{"a", "bench_group"}, {"b", "BenchTopic"}, {"e", "0"}};
        request.body = body;
        auto start = Clock::now();
        auto r = client.invoke_sync(address, std::move(request), 3s);
        if (r.is_ok()) {
          stats.record(Clock::now() - start);
        } else {
          stats.record_failure();
        }
      }
    });
  }

  auto begin = Clock::now();
  auto last = begin;
  auto end = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(flags.duration));
  while (Clock::now() < end) {
    auto next = std::min(last + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(flags.interval)),
                         end);
    std::this_thread::sleep_until(next);
    auto now = Clock::now();
    stats.report_interval("echo", std::chrono::duration<double>(now - begin).count(),
                          std::chrono::duration<double>(now - last).count());
    last = now;
  }
  stop = true;
  for (auto& t : callers) t.join();
  double total_s = std::chrono::duration<double>(last - begin).count();
  stats.report_summary("echo summary", total_s);
  client.close_all();
  server.stop();
  client_pool.stop();
  server_pool.stop();
  return stats.total() > 0 ? 0 : 1;
}
