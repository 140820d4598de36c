// BenchStats: request counts and round-trip times of a benchmark's callers, reported as
// RocketMQ's benchmark tools do: every interval a line with messages/s and RT p50, p99,
// p99.9 and max, and a summary line over the whole run. Shared by echo_bench and the
// producer/consumer benchmarks (run_bench in bench_runner.h drives the intervals).
//
// Thread-safety: record() from any number of threads; take_interval()/summary() from one
// reporting thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace tern::tools {

// A run's figures: throughput in units (messages) per second, RT percentiles in ms.
struct BenchSummary {
  double tps = 0;
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  uint64_t requests = 0;
  uint64_t failures = 0;
};

class BenchStats {
 public:
  // `units_per_request`: messages a request carries (a batch benchmark counts messages per
  // second, RT per request).
  // `unit` names the rate in the printed lines ("msg/s", "req/s").
  explicit BenchStats(uint32_t units_per_request = 1, const char* unit = "msg/s")
      : units_(units_per_request), unit_(unit) {}

  // One finished request that took `rt` (failed ones count apart).
  void record(std::chrono::nanoseconds rt) {
    uint32_t us = static_cast<uint32_t>(std::min<int64_t>(rt.count() / 1000, UINT32_MAX));
    std::lock_guard<std::mutex> lock(mu_);
    interval_.push_back(us);
  }
  void record_failure() {
    std::lock_guard<std::mutex> lock(mu_);
    ++failures_;
  }

  // Prints "<label> <elapsed>s: N req/s, RT p50 .. p99 .. p99.9 .. max .. ms, F failed"
  // for the samples since the last call, over `seconds`.
  void report_interval(const char* label, double elapsed_s, double seconds) {
    std::vector<uint32_t> samples;
    uint64_t failures = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      samples.swap(interval_);
      failures = failures_ - reported_failures_;
      reported_failures_ = failures_;
    }
    all_.insert(all_.end(), samples.begin(), samples.end());
    print(label, elapsed_s, summarize(std::move(samples), seconds, failures));
  }
  // Keeps the samples since the last report for the summary without printing a line (the
  // requests that finished after the last interval).
  void absorb_interval() {
    std::lock_guard<std::mutex> lock(mu_);
    all_.insert(all_.end(), interval_.begin(), interval_.end());
    interval_.clear();
    reported_failures_ = failures_;
  }
  // The same line over the whole run (call report_interval() once more first); returns it.
  BenchSummary report_summary(const char* label, double seconds) {
    uint64_t failures;
    {
      std::lock_guard<std::mutex> lock(mu_);
      failures = failures_;
    }
    BenchSummary s = summarize(all_, seconds, failures);
    print(label, seconds, s);
    return s;
  }
  uint64_t total() const { return all_.size(); }

 private:
  static double percentile_ms(const std::vector<uint32_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)] / 1000.0;
  }
  BenchSummary summarize(std::vector<uint32_t> samples, double seconds, uint64_t failures) const {
    std::sort(samples.begin(), samples.end());
    BenchSummary s;
    s.requests = samples.size();
    s.failures = failures;
    s.tps = seconds > 0 ? static_cast<double>(samples.size()) * units_ / seconds : 0;
    s.p50_ms = percentile_ms(samples, 0.50);
    s.p99_ms = percentile_ms(samples, 0.99);
    s.p999_ms = percentile_ms(samples, 0.999);
    s.max_ms = samples.empty() ? 0.0 : samples.back() / 1000.0;
    return s;
  }
  void print(const char* label, double elapsed_s, const BenchSummary& s) const {
    std::printf("%s %.1fs: %.0f %s, RT(ms) p50 %.3f p99 %.3f p99.9 %.3f max %.3f, %llu failed\n", label, elapsed_s,
                s.tps, unit_, s.p50_ms, s.p99_ms, s.p999_ms, s.max_ms, static_cast<unsigned long long>(s.failures));
    std::fflush(stdout);
  }

  const uint32_t units_;
  const char* const unit_;
  std::mutex mu_;
  std::vector<uint32_t> interval_;  // µs, guarded by mu_
  uint64_t failures_ = 0;           // guarded by mu_
  uint64_t reported_failures_ = 0;  // reporting thread only
  std::vector<uint32_t> all_;       // reporting thread only
};

}  // namespace tern::tools
