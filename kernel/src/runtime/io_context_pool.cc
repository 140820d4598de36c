// IoContextPool: one io_context per thread; see the header for why.
#include "runtime/io_context_pool.h"

namespace tern::kernel {

IoContextPool::IoContextPool(size_t threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

IoContextPool::~IoContextPool() { stop(); }

boost::asio::io_context& IoContextPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void IoContextPool::start() {
  for (auto& ctx : contexts_) {
    threads_.emplace_back([c = ctx.get()] { c->run(); });
  }
}

void IoContextPool::stop() {
  for (auto& guard : guards_) guard.reset();
  for (auto& ctx : contexts_) ctx->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace tern::kernel
