#include "echo_limit.h"

#include <cstdio>
#include <string>

#include "bench_runner.h"
#include "remoting_client.h"
#include "remoting_server.h"
#include "runtime/io_context_pool.h"

namespace tern::tools {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using tern::remoting::RemotingCommand;

class QuietLogger : public tern::Logger {
 public:
  void log(tern::LogLevel, std::string_view message) override {
    std::fprintf(stderr, "echo: %.*s\n", static_cast<int>(message.size()), message.data());
  }
  bool should_log(tern::LogLevel level) const override { return level >= tern::LogLevel::kError; }
};

}  // namespace

Result<BenchSummary> run_echo_limit(const EchoOptions& o) {
  QuietLogger logger;
  tern::kernel::IoContextPool server_pool(static_cast<size_t>(o.server_threads));
  tern::kernel::IoContextPool client_pool(static_cast<size_t>(o.client_threads));
  server_pool.start();
  client_pool.start();

  tern::remoting::RemotingServerOptions server_options;
  server_options.bind_ip = "127.0.0.1";
  server_options.name = "echo";
  tern::remoting::RemotingServer server(
      server_options, [&]() -> boost::asio::io_context& { return server_pool.next(); }, logger,
      [](const std::shared_ptr<tern::remoting::RemotingConnection>& conn, RemotingCommand request) {
        RemotingCommand response;
        response.code = 0;
        conn->respond(request, std::move(response));
      });
  if (Status s = server.start(); !s.is_ok()) {
    client_pool.stop();
    server_pool.stop();
    return Status::unavailable("echo server: " + s.message());
  }
  std::string address = "127.0.0.1:" + std::to_string(server.port());
  tern::remoting::RemotingClient client([&]() -> boost::asio::io_context& { return client_pool.next(); }, logger);
  std::printf("echo: %d callers, %zu-byte bodies, %.0f s, server %s (%d io thread(s)), client %d io thread(s)%s\n",
              o.concurrency, o.size, o.duration, address.c_str(), o.server_threads, o.client_threads,
              o.rate > 0 ? (", paced to " + std::to_string(static_cast<long>(o.rate)) + " req/s").c_str() : "");

  BenchStats stats(1, "req/s");
  std::string body(o.size, 'x');
  BenchSummary summary =
      run_bench("echo", stats, o.concurrency, o.duration, o.interval, [&](int, const std::atomic<bool>& stop) {
        Pacer pacer(o.rate / o.concurrency);
        while (!stop.load(std::memory_order_relaxed)) {
          pacer.wait();
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
  client.close_all();
  server.stop();
  client_pool.stop();
  server_pool.stop();
  return summary;
}

}  // namespace tern::tools
