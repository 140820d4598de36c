// Helpers of the name-server unit tests: a logger that keeps its lines, a fake clock, and
// register-broker bodies and requests as a Java broker sends them.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "remoting_command.h"
#include "tern/logger.h"

namespace tern::remoting::testing {

class CapturingLogger : public Logger {
 public:
  void log(LogLevel, std::string_view message) override {
    std::lock_guard lock(mu_);
    lines_.emplace_back(message);
  }
  bool should_log(LogLevel level) const override { return level >= LogLevel::kInfo; }
  // The first line holding every one of `parts`, or "".
  std::string find(std::initializer_list<std::string_view> parts) const {
    std::lock_guard lock(mu_);
    for (const auto& l : lines_) {
      bool all = true;
      for (auto p : parts) all = all && l.find(p) != std::string::npos;
      if (all) return l;
    }
    return {};
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

struct FakeClock {
  std::atomic<int64_t> now{1000};
  auto fn() {
    return [this] { return now.load(); };
  }
};

struct TopicSpec {
  std::string name;
  int read = 4;
  int write = 4;
  int perm = 6;
};

// A RegisterBrokerBody as fastjson writes it (fields a Java 4.9 broker sends included).
inline std::string register_body(const std::vector<TopicSpec>& topics, int64_t timestamp, int64_t counter) {
  std::string table;
  for (const auto& t : topics) {
    if (!table.empty()) table += ",";
    table += "\"" + t.name + "\":{\"order\":false,\"perm\":" + std::to_string(t.perm) +
             ",\"readQueueNums\":" + std::to_string(t.read) + ",\"topicFilterType\":\"SINGLE_TAG\",\"topicName\":\"" +
             t.name + "\",\"topicSysFlag\":0,\"writeQueueNums\":" + std::to_string(t.write) + "}";
  }
  return "{\"filterServerList\":[],\"topicConfigSerializeWrapper\":{\"dataVersion\":{\"counter\":" +
         std::to_string(counter) + ",\"timestamp\":" + std::to_string(timestamp) + "},\"topicConfigTable\":{" + table +
         "}}}";
}

inline RemotingCommand register_request(const std::string& cluster, const std::string& broker_name,
                                        const std::string& addr, int64_t broker_id, std::string body) {
  RemotingCommand cmd;
  cmd.code = 103;
  cmd.version = 409;
  cmd.ext_fields = {{"brokerName", broker_name}, {"brokerAddr", addr},    {"clusterName", cluster},
                    {"haServerAddr", "ha-" + addr}, {"brokerId", std::to_string(broker_id)}, {"compressed", "false"},
                    {"bodyCrc32", "0"}};
  cmd.body = std::move(body);
  return cmd;
}

}  // namespace tern::remoting::testing
