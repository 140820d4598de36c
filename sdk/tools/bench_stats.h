// BenchStats: request counts and round-trip times of a benchmark's callers, reported as
// RocketMQ's benchmark tools do: every interval a line with requests/s and RT p50, p99,
// p99.9 and max, and a summary line over the whole run. Shared by echo_bench and the
// producer/consumer benchmarks.
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

class BenchStats {
 public:
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
    print(label, elapsed_s, samples, seconds, failures);
  }
  // The same line over the whole run (call report_interval() once more first).
  void report_summary(const char* label, double seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    print(label, seconds, all_, seconds, failures_);
  }
  uint64_t total() const { return all_.size(); }

 private:
  static double percentile_ms(const std::vector<uint32_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)] / 1000.0;
  }
  static void print(const char* label, double elapsed_s, std::vector<uint32_t> samples, double seconds,
                    uint64_t failures) {
    std::sort(samples.begin(), samples.end());
    double tps = seconds > 0 ? static_cast<double>(samples.size()) / seconds : 0;
    std::printf("%s %.1fs: %.0f req/s, RT(ms) p50 %.3f p99 %.3f p99.9 %.3f max %.3f, %llu failed\n", label, elapsed_s,
                tps, percentile_ms(samples, 0.50), percentile_ms(samples, 0.99), percentile_ms(samples, 0.999),
                samples.empty() ? 0.0 : samples.back() / 1000.0, static_cast<unsigned long long>(failures));
    std::fflush(stdout);
  }

  std::mutex mu_;
  std::vector<uint32_t> interval_;  // µs, guarded by mu_
  uint64_t failures_ = 0;           // guarded by mu_
  uint64_t reported_failures_ = 0;  // reporting thread only
  std::vector<uint32_t> all_;       // reporting thread only
};

}  // namespace tern::tools
