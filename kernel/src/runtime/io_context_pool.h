// IoContextPool: one boost::asio::io_context per thread, handed out round-robin, so that
// each connection lives on one io thread and no lock guards its state. Sized to the cores
// by default (DESIGN.md "Threads").
//
// Thread-safety: next() is safe from any thread; start/stop from one owner thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace tern::kernel {

class IoContextPool {
 public:
  // `threads` 0 means one per core.
  explicit IoContextPool(size_t threads);
  ~IoContextPool();
  IoContextPool(const IoContextPool&) = delete;
  IoContextPool& operator=(const IoContextPool&) = delete;

  size_t size() const { return contexts_.size(); }
  boost::asio::io_context& next();
  boost::asio::io_context& at(size_t i) { return *contexts_[i]; }

  // Starts the threads. Handlers posted before start run once it is called.
  void start();
  // Lets pending handlers finish, stops the contexts and joins the threads. Idempotent.
  void stop();

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<std::optional<WorkGuard>> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace tern::kernel
