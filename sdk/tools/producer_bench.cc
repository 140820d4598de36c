// producer_bench: send throughput and latency of DefaultMQProducer against a running broker,
// beside the machine's request/response limit (echo_limit.h) measured in the same program
// and run, as a ratio. Modes:
//   sync   --threads callers each send one message and wait for its SendResult;
//   async  --threads callers keep --window sends in flight between them (send_async);
//   batch  --threads callers each send --batch messages per request and wait.
// With --half-load it runs again paced to half the rate it just reached, for the latency a
// broker shows when not saturated. Every --interval seconds a line with messages/s and
// send RT p50/p99/p99.9/max; a summary per run, then the comparison.
//
//   producer_bench --namesrv 127.0.0.1:9876 [--topic BenchTopic] [--mode sync|async|batch]
//                  [--threads 8] [--size 1024] [--batch 16] [--window 64] [--duration 10]
//                  [--interval 2] [--warmup 2] [--half-load] [--no-echo]
#include <getopt.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_runner.h"
#include "echo_limit.h"
#include "tern/client/producer.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace tern::client;
using tern::tools::BenchStats;
using tern::tools::BenchSummary;

struct Flags {
  std::string namesrv;
  std::string topic = "BenchTopic";
  std::string mode = "sync";
  int threads = 8;
  size_t size = 1024;
  int batch = 16;
  int window = 64;
  double duration = 10;
  double interval = 2;
  double warmup = 2;
  bool half_load = false;
  bool echo = true;
};

void usage() {
  std::printf(
      "usage: producer_bench --namesrv HOST:PORT [--topic BenchTopic] [--mode sync|async|batch] [--threads 8]\n"
      "                      [--size 1024] [--batch 16] [--window 64] [--duration 10] [--interval 2]\n"
      "                      [--warmup 2] [--half-load] [--no-echo]\n");
}

bool parse(int argc, char** argv, Flags* f) {
  static const option kLong[] = {{"namesrv", required_argument, nullptr, 'n'},
                                 {"topic", required_argument, nullptr, 't'},
                                 {"mode", required_argument, nullptr, 'm'},
                                 {"threads", required_argument, nullptr, 'c'},
                                 {"size", required_argument, nullptr, 's'},
                                 {"batch", required_argument, nullptr, 'b'},
                                 {"window", required_argument, nullptr, 'w'},
                                 {"duration", required_argument, nullptr, 'd'},
                                 {"interval", required_argument, nullptr, 'i'},
                                 {"warmup", required_argument, nullptr, 'W'},
                                 {"half-load", no_argument, nullptr, 'H'},
                                 {"no-echo", no_argument, nullptr, 'E'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, "n:t:m:c:s:b:w:d:i:W:HEh", kLong, nullptr)) != -1) {
    switch (opt) {
      case 'n': f->namesrv = optarg; break;
      case 't': f->topic = optarg; break;
      case 'm': f->mode = optarg; break;
      case 'c': f->threads = std::atoi(optarg); break;
      case 's': f->size = static_cast<size_t>(std::atoll(optarg)); break;
      case 'b': f->batch = std::atoi(optarg); break;
      case 'w': f->window = std::atoi(optarg); break;
      case 'd': f->duration = std::atof(optarg); break;
      case 'i': f->interval = std::atof(optarg); break;
      case 'W': f->warmup = std::atof(optarg); break;
      case 'H': f->half_load = true; break;
      case 'E': f->echo = false; break;
      default: return false;
    }
  }
  bool mode_ok = f->mode == "sync" || f->mode == "async" || f->mode == "batch";
  return mode_ok && f->threads > 0 && f->batch > 0 && f->window >= f->threads && f->duration > 0 &&
         f->interval > 0 && f->warmup >= 0;
}

// A counting semaphore for the async window (std::counting_semaphore needs a compile-time max).
class Window {
 public:
  explicit Window(int slots) : free_(slots) {}
  void acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }
  void drain(int slots) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return free_ == slots; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int free_;
};

// One run of the chosen mode; `rate` messages/s over all callers (0: no limit).
BenchSummary run_producer(DefaultMQProducer& producer, const Flags& f, const std::string& label, double rate,
                          double duration) {
  std::string body(f.size, 'x');
  if (f.mode == "batch") {
    BenchStats stats(static_cast<uint32_t>(f.batch));
    std::vector<Message> batch(static_cast<size_t>(f.batch), make_message(f.topic, "bench", body));
    return tern::tools::run_bench(label, stats, f.threads, duration, f.interval, [&](int, const std::atomic<bool>& stop) {
      tern::tools::Pacer pacer(rate / f.threads / f.batch);
      while (!stop.load(std::memory_order_relaxed)) {
        pacer.wait();
        auto start = Clock::now();
        try {
          producer.send(batch);
          stats.record(Clock::now() - start);
        } catch (const MQClientException&) {
          stats.record_failure();
        }
      }
    });
  }
  BenchStats stats;
  Message message = make_message(f.topic, "bench", body);
  if (f.mode == "sync") {
    return tern::tools::run_bench(label, stats, f.threads, duration, f.interval, [&](int, const std::atomic<bool>& stop) {
      tern::tools::Pacer pacer(rate / f.threads);
      while (!stop.load(std::memory_order_relaxed)) {
        pacer.wait();
        auto start = Clock::now();
        try {
          producer.send(message);
          stats.record(Clock::now() - start);
        } catch (const MQClientException&) {
          stats.record_failure();
        }
      }
    });
  }
  Window window(f.window);
  BenchSummary s = tern::tools::run_bench(label, stats, f.threads, duration, f.interval,
                                          [&](int, const std::atomic<bool>& stop) {
    tern::tools::Pacer pacer(rate / f.threads);
    while (!stop.load(std::memory_order_relaxed)) {
      pacer.wait();
      window.acquire();
      auto start = Clock::now();
      SendCallback callback;
      callback.on_success = [&, start](const SendResult&) {
        stats.record(Clock::now() - start);
        window.release();
      };
      callback.on_exception = [&](const MQClientException&) {
        stats.record_failure();
        window.release();
      };
      producer.send_async(message, std::move(callback));
    }
  });
  window.drain(f.window);  // callbacks reference this frame
  return s;
}

void print_ratio(const char* what, const BenchSummary& ours, const BenchSummary& echo) {
  double ratio = echo.tps > 0 ? 100.0 * ours.tps / echo.tps : 0;
  std::printf("%-28s %10.0f msg/s  p99 %7.3f ms   echo limit %10.0f req/s  p99 %7.3f ms   ratio %5.1f%%\n", what,
              ours.tps, ours.p99_ms, echo.tps, echo.p99_ms, ratio);
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  if (!parse(argc, argv, &f) || f.namesrv.empty()) {
    usage();
    return 1;
  }
  DefaultMQProducer producer("producer_bench");
  producer.set_namesrv_addr(f.namesrv);
  producer.set_instance_name("producer_bench_" + std::to_string(::getpid()));
  producer.set_async_send_threads(2);
  try {
    producer.start();
    producer.send(make_message(f.topic, "warmup", "x"));  // route fetched, topic created
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "producer_bench: cannot start or send to %s via %s: %s\n", f.topic.c_str(),
                 f.namesrv.c_str(), e.what());
    return 1;
  }
  std::printf("producer_bench: mode %s, %d threads, %zu-byte bodies%s, topic %s, %.0f s per run\n", f.mode.c_str(),
              f.threads, f.size,
              f.mode == "batch" ? (", " + std::to_string(f.batch) + " per batch").c_str()
              : f.mode == "async" ? (", window " + std::to_string(f.window)).c_str()
                                  : "",
              f.topic.c_str(), f.duration);
  if (f.warmup > 0) {
    std::printf("warm-up %.0f s (not counted)\n", f.warmup);
    run_producer(producer, f, "warmup", 0, f.warmup);
  }

  BenchSummary echo;
  if (f.echo) {
    tern::tools::EchoOptions eo;
    eo.concurrency = f.threads;
    eo.size = f.size;
    eo.duration = f.duration;
    eo.interval = f.interval;
    auto r = tern::tools::run_echo_limit(eo);
    if (!r.is_ok()) {
      std::fprintf(stderr, "producer_bench: %s\n", r.status().message().c_str());
      return 1;
    }
    echo = *r;
  }
  BenchSummary full = run_producer(producer, f, f.mode, 0, f.duration);
  BenchSummary half;
  if (f.half_load) {
    std::printf("half load: paced to %.0f msg/s\n", full.tps / 2);
    half = run_producer(producer, f, f.mode + "@50%", full.tps / 2, f.duration);
  }
  producer.shutdown();

  std::printf("\n=== producer_bench %s, %d threads, %zu B\n", f.mode.c_str(), f.threads, f.size);
  if (f.echo) {
    print_ratio((f.mode + " (max)").c_str(), full, echo);
    if (f.half_load) print_ratio((f.mode + " (half load)").c_str(), half, echo);
  } else {
    std::printf("%s: %.0f msg/s p99 %.3f ms\n", f.mode.c_str(), full.tps, full.p99_ms);
  }
  return full.requests > 0 && full.failures == 0 ? 0 : 1;
}
