// Scheduler: one thread running periodic tasks of a client instance (route refresh,
// heartbeats; for consumers: rebalance, offset persistence). A task may block on the
// network (it is not an io thread); while it runs the others wait, as in RocketMQ's
// single scheduled executor. A task is never run twice at once.
//
// Thread-safety: schedule()/stop() from any thread except a task (stop joins).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tern::client::internal {

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;

  Scheduler() : thread_([this] { run(); }) {}
  ~Scheduler() { stop(); }
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs `task` after `initial_delay` and then every `interval` (measured from the end of
  // a run). An interval of 0 runs it once.
  void schedule(std::chrono::milliseconds initial_delay, std::chrono::milliseconds interval,
                std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(Task{Clock::now() + initial_delay, interval, std::move(task)});
    }
    cv_.notify_all();
  }

  // No task starts after stop(); a running one finishes. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

 private:
  struct Task {
    Clock::time_point due;
    std::chrono::milliseconds interval;
    std::function<void()> fn;
  };

  void run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      auto next = tasks_.end();
      for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
        if (next == tasks_.end() || it->due < next->due) next = it;
      }
      if (next == tasks_.end()) {
        cv_.wait(lock);
        continue;
      }
      if (next->due > Clock::now()) {
        const Clock::time_point due = next->due;  // tasks_ may grow (and move) while waiting
        cv_.wait_until(lock, due);
        continue;
      }
      Task task = std::move(*next);
      tasks_.erase(next);
      lock.unlock();
      task.fn();
      lock.lock();
      if (task.interval.count() > 0) {
        task.due = Clock::now() + task.interval;
        tasks_.push_back(std::move(task));
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Task> tasks_;  // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  std::thread thread_;       // last: starts after the members above exist
};

}  // namespace tern::client::internal
