// PeriodicTimer: a steady_timer rearmed after each run. The state is shared with pending
// handlers so that a handler firing after the timer object is gone finds it cancelled.
#include "runtime/periodic_timer.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace tern::kernel {

struct PeriodicTimer::State : std::enable_shared_from_this<State> {
  State(boost::asio::io_context& io, std::chrono::milliseconds i, std::function<void()> t)
      : timer(io), interval(i), task(std::move(t)) {}

  void arm(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex);
    if (cancelled) return;
    timer.expires_after(delay);
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      {
        std::lock_guard guard(self->mutex);
        if (self->cancelled) return;
        self->running_on = std::this_thread::get_id();
      }
      self->task();
      {
        std::lock_guard guard(self->mutex);
        self->running_on = std::thread::id();
        self->idle.notify_all();
      }
      self->arm(self->interval);
    });
  }

  boost::asio::steady_timer timer;
  std::chrono::milliseconds interval;
  std::function<void()> task;
  std::mutex mutex;
  std::condition_variable idle;
  bool cancelled = false;
  std::thread::id running_on;  // the thread running the task; empty when idle
};

PeriodicTimer::PeriodicTimer(boost::asio::io_context& io, std::chrono::milliseconds interval,
                             std::function<void()> task)
    : state_(std::make_shared<State>(io, interval, std::move(task))) {}

PeriodicTimer::~PeriodicTimer() { cancel(); }

void PeriodicTimer::start(std::chrono::milliseconds initial_delay) { state_->arm(initial_delay); }

void PeriodicTimer::cancel() {
  std::unique_lock lock(state_->mutex);
  state_->cancelled = true;
  // Cancel on the timer's own thread would race with async_wait; post it there.
  boost::asio::post(state_->timer.get_executor(), [s = state_] { s->timer.cancel(); });
  // Wait for a run in progress, unless we are that run (cancel from inside the task).
  if (state_->running_on == std::this_thread::get_id()) return;
  state_->idle.wait(lock, [this] { return state_->running_on == std::thread::id(); });
}

}  // namespace tern::kernel
