// run_bench: the loop every benchmark here shares. It starts `callers` threads that each
// run `caller(index, stop)` until `stop` becomes true, prints an interval line every
// `interval` seconds for `duration` seconds, then the summary line, and returns the
// summary. Pacer spaces one caller's requests to a target rate (the "half load" runs).
//
// Thread-safety: run_bench from one thread; the callers record into `stats` concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.h"

namespace tern::tools {

inline BenchSummary run_bench(const std::string& label, BenchStats& stats, int callers, double duration,
                              double interval, const std::function<void(int, const std::atomic<bool>&)>& caller) {
  using Clock = std::chrono::steady_clock;
  auto seconds = [](double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); };
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < callers; ++i) threads.emplace_back([&, i] { caller(i, stop); });
  auto begin = Clock::now();
  auto last = begin;
  auto end = begin + seconds(duration);
  while (Clock::now() < end) {
    std::this_thread::sleep_until(std::min(last + seconds(interval), end));
    auto now = Clock::now();
    stats.report_interval(label.c_str(), std::chrono::duration<double>(now - begin).count(),
                          std::chrono::duration<double>(now - last).count());
    last = now;
  }
  stop = true;
  for (auto& t : threads) t.join();
  stats.absorb_interval();  // requests in flight at the last report
  return stats.report_summary((label + " summary").c_str(), std::chrono::duration<double>(last - begin).count());
}

// Spaces calls to `per_second` (0: no limit). Requests are timed from when they are sent,
// so a saturated system shows in the achieved rate, not in the RT percentiles.
class Pacer {
 public:
  explicit Pacer(double per_second)
      : period_(per_second > 0 ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(1.0 / per_second))
                               : std::chrono::steady_clock::duration::zero()),
        next_(std::chrono::steady_clock::now()) {}
  void wait() {
    if (period_ == std::chrono::steady_clock::duration::zero()) return;
    next_ += period_;
    auto now = std::chrono::steady_clock::now();
    if (next_ > now) {
      std::this_thread::sleep_until(next_);
    } else if (now - next_ > 100 * period_) {
      next_ = now;  // fell far behind: don't burst to catch up
    }
  }

 private:
  std::chrono::steady_clock::duration period_;
  std::chrono::steady_clock::time_point next_;
};

}  // namespace tern::tools
