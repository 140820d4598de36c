// Gate: how callbacks that may outlive a consumer (io-thread completions of its pulls,
// tasks on the client instance's scheduler, broker requests) reach it safely. They hold
// a shared or weak pointer to the consumer's Gate, never the consumer; post() hands a task
// to one of the consumer's executors only while the gate is open, and shutdown() closes
// it (under the gate's lock) before the executors stop, so no task is posted afterwards.
//
// Thread-safety: every method from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

#include "executor.h"
#include "scheduler.h"

namespace tern::client::internal {

template <class T>
class Gate {
 public:
  void open(T* self) {
    std::lock_guard lock(mu_);
    self_ = self;
  }
  void close() {
    std::lock_guard lock(mu_);
    self_ = nullptr;
  }

  // Posts task(self) to the executor pick(self) chose; false once closed.
  bool post(const std::function<Executor&(T&)>& pick, std::function<void(T&)> task) {
    std::lock_guard lock(mu_);
    if (self_ == nullptr) return false;
    T* self = self_;
    return pick(*self).post([self, task = std::move(task)] { task(*self); });
  }

  // After `delay` on `scheduler`, posts as above (nothing once the gate is gone or closed).
  static void post_later(Scheduler& scheduler, const std::weak_ptr<Gate>& gate, std::chrono::milliseconds delay,
                         std::function<Executor&(T&)> pick, std::function<void(T&)> task) {
    scheduler.schedule(delay, std::chrono::milliseconds(0), [gate, pick = std::move(pick), task = std::move(task)] {
      if (auto g = gate.lock()) g->post(pick, task);
    });
  }

 private:
  std::mutex mu_;
  T* self_ = nullptr;  // guarded by mu_; null while closed
};

}  // namespace tern::client::internal
