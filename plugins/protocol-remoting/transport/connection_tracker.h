// ConnectionTracker: counts the connection objects (and pending accepts or connects) a
// server or client made, so that its stop can close the open ones and wait until none is
// left. Without it a handler of plugin code could still sit in an io_context when the
// plugin library is unloaded.
//
// Thread-safety: every method from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "remoting_connection.h"

namespace tern::remoting {

class ConnectionTracker {
 public:
  // One more object or operation to wait for; done() when it ends.
  void add() {
    std::lock_guard lock(mu_);
    ++outstanding_;
  }
  void done() {
    std::lock_guard lock(mu_);
    if (--outstanding_ == 0) cv_.notify_all();
  }

  // A connection whose destruction is counted: add() now, done() in its deleter.
  static std::shared_ptr<RemotingConnection> make_connection(const std::shared_ptr<ConnectionTracker>& tracker,
                                                             boost::asio::ip::tcp::socket socket, Logger& logger,
                                                             size_t max_frame) {
    tracker->add();
    std::shared_ptr<RemotingConnection> conn(new RemotingConnection(std::move(socket), logger, max_frame),
                                             [tracker](RemotingConnection* c) {
                                               delete c;
                                               tracker->done();
                                             });
    std::lock_guard lock(tracker->mu_);
    tracker->open_.emplace(conn.get(), conn);
    return conn;
  }
  // The connection closed: no longer closed by close_all().
  void closed(RemotingConnection* conn) {
    std::lock_guard lock(mu_);
    open_.erase(conn);
  }
  size_t open_count() const {
    std::lock_guard lock(mu_);
    return open_.size();
  }

  // Closes every open connection and waits until every counted object is gone. False
  // when some were still referenced at the timeout.
  bool close_all_and_wait(std::chrono::milliseconds timeout) {
    std::vector<std::shared_ptr<RemotingConnection>> open;
    {
      std::lock_guard lock(mu_);
      for (auto& [raw, weak] : open_) {
        if (auto c = weak.lock()) open.push_back(std::move(c));
      }
    }
    for (auto& c : open) c->close("shutting down");
    open.clear();
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return outstanding_ == 0; });
  }
  int outstanding() const {
    std::lock_guard lock(mu_);
    return outstanding_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<RemotingConnection*, std::weak_ptr<RemotingConnection>> open_;
  int outstanding_ = 0;
};

}  // namespace tern::remoting
