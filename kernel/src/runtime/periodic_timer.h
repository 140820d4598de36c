// PeriodicTimer: runs a task every interval on an io_context (name-server registration
// every 30 s, offset persistence every 5 s, broker expiry scans). The next run is
// scheduled after the task returns, so runs never overlap.
//
// Thread-safety: start/cancel from any thread; the task runs on the io_context's thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

namespace tern::kernel {

class PeriodicTimer {
 public:
  PeriodicTimer(boost::asio::io_context& io, std::chrono::milliseconds interval, std::function<void()> task);
  ~PeriodicTimer();  // cancels
  PeriodicTimer(const PeriodicTimer&) = delete;
  PeriodicTimer& operator=(const PeriodicTimer&) = delete;

  // First run after `initial_delay`, then every interval.
  void start(std::chrono::milliseconds initial_delay = std::chrono::milliseconds(0));
  // No run starts after cancel() returns (one in progress finishes).
  void cancel();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tern::kernel
