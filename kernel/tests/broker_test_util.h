// Helpers for the broker-services tests: a temporary directory, a logger, a fake client
// connection that counts the notices it gets, and waiting for a condition.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "runtime/logging.h"
#include "tern/broker.h"

namespace tern::kernel::testing {

// A fresh directory under the system temp dir, removed with its content.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("tern-broker-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
                .string();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void spit(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

inline std::shared_ptr<Logger> test_logger() {
  static LogSinks sinks;
  sinks.set_level(LogLevel::kWarn);
  return sinks.make_logger("test");
}

// Polls `done` until it is true or `timeout` passes; returns its last value.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// A client connection that records the groups it was told about. `on_notify` runs inside
// the notification (to prove the registry calls channels outside its lock).
class FakeChannel final : public ClientChannel {
 public:
  explicit FakeChannel(std::string address) : address_(std::move(address)) {}
  std::string remote_address() const override { return address_; }
  void notify_consumer_ids_changed(const std::string& group) override {
    {
      std::lock_guard lock(mutex_);
      notices_.push_back(group);
    }
    if (on_notify) on_notify(group);
  }
  std::vector<std::string> notices() const {
    std::lock_guard lock(mutex_);
    return notices_;
  }
  size_t notice_count() const {
    std::lock_guard lock(mutex_);
    return notices_.size();
  }
  void forget() {
    std::lock_guard lock(mutex_);
    notices_.clear();
  }
  std::function<void(const std::string&)> on_notify;

  // Transaction check-backs received: the group and the message asked about.
  void check_transaction_state(const std::string& group, const MessageExt& message) override {
    std::lock_guard lock(mutex_);
    checks_.emplace_back(group, message);
  }
  std::vector<std::pair<std::string, MessageExt>> checks() const {
    std::lock_guard lock(mutex_);
    return checks_;
  }

 private:
  std::string address_;
  mutable std::mutex mutex_;
  std::vector<std::string> notices_;
  std::vector<std::pair<std::string, MessageExt>> checks_;
};

}  // namespace tern::kernel::testing
