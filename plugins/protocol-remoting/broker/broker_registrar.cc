// BrokerRegistrar (contract in broker_registrar.h).
#include "broker_registrar.h"

#include <libdeflate.h>

#include <algorithm>
#include <future>

#include "codes.h"
#include "json/json.h"
#include "topic_config_json.h"

namespace tern::remoting {

BrokerRegistrar::BrokerRegistrar(const BrokerContext& context, RegistrarOptions options, RemotingClient& client)
    : ctx_(context), options_(std::move(options)), client_(client) {}

BrokerRegistrar::~BrokerRegistrar() { stop(); }

RemotingCommand BrokerRegistrar::make_request(int32_t code) const {
  RemotingCommand request;
  request.code = code;
  request.language = LanguageCode::kCpp;
  request.ext_fields["brokerAddr"] = ctx_.advertised_address;
  request.ext_fields["brokerId"] = std::to_string(ctx_.broker_id);
  request.ext_fields["brokerName"] = ctx_.broker_name;
  request.ext_fields["clusterName"] = ctx_.cluster_name;
  return request;
}

size_t BrokerRegistrar::register_all() {
  RemotingCommand request = make_request(request_code::kRegisterBroker);
  TopicRegistry& topics = ctx_.broker().topics();
  JsonValue body = JsonValue::object();
  body.set("topicConfigSerializeWrapper", topic_config_wrapper_json(topics.all(), topics.data_version()));
  body.set("filterServerList", JsonValue::array());
  request.body = serialize_json(body);
  request.ext_fields["haServerAddr"] = options_.ha_server_address;
  request.ext_fields["compressed"] = "false";
  // RocketMQ's name server checks the body against this CRC-32 (masked to 31 bits).
  uint32_t crc = libdeflate_crc32(0, request.body.data(), request.body.size());
  request.ext_fields["bodyCrc32"] = std::to_string(static_cast<int32_t>(crc & 0x7FFFFFFF));

  std::vector<std::future<Result<RemotingCommand>>> answers;
  for (const auto& ns : options_.name_servers) {
    auto promise = std::make_shared<std::promise<Result<RemotingCommand>>>();
    answers.push_back(promise->get_future());
    client_.invoke(ns, request, options_.timeout,
                   [promise](Result<RemotingCommand> r) { promise->set_value(std::move(r)); });
  }
  size_t accepted = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    const std::string& ns = options_.name_servers[i];
    auto answer = answers[i].get();
    std::string problem;
    if (!answer.is_ok()) {
      problem = answer.status().message();
    } else if (answer->code != response_code::kSuccess) {
      problem = "code " + std::to_string(answer->code) + ": " + answer->remark.value_or("");
    }
    bool was_failing = std::find(failing_.begin(), failing_.end(), ns) != failing_.end();
    if (problem.empty()) {
      ++accepted;
      if (was_failing) {
        ctx_.logger.info("registered with name server ", ns, " again");
        failing_.erase(std::find(failing_.begin(), failing_.end(), ns));
      }
    } else if (!was_failing) {
      // Said once per outage, not every 30 s.
      ctx_.logger.warn("cannot register with name server ", ns, ": ", problem, " (retrying every ",
                       options_.period.count() / 1000, " s)");
      failing_.push_back(ns);
    }
  }
  return accepted;
}

void BrokerRegistrar::start() {
  if (options_.name_servers.empty()) {
    ctx_.logger.warn("namesrvAddr is empty: this broker registers with no name server, so clients cannot find it "
                     "(set namesrvAddr, NAMESRV_ADDR or -n)");
    return;
  }
  size_t ok = register_all();
  std::string list;
  for (const auto& ns : options_.name_servers) list += (list.empty() ? "" : ";") + ns;
  ctx_.logger.info("registered ", ctx_.broker_name, " (", ctx_.advertised_address, ") with ", ok, " of ",
                   options_.name_servers.size(), " name server(s): ", list);
  thread_ = std::thread([this] { loop(); });
}

void BrokerRegistrar::trigger() {
  std::lock_guard lock(mu_);
  triggered_ = true;
  cv_.notify_all();
}

void BrokerRegistrar::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.period, [this] { return stopping_ || triggered_; });
    if (stopping_) break;
    triggered_ = false;
    lock.unlock();
    register_all();
    lock.lock();
  }
}

void BrokerRegistrar::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  if (options_.name_servers.empty()) return;
  RemotingCommand request = make_request(request_code::kUnregisterBroker);
  std::vector<std::future<Result<RemotingCommand>>> answers;
  for (const auto& ns : options_.name_servers) {
    auto promise = std::make_shared<std::promise<Result<RemotingCommand>>>();
    answers.push_back(promise->get_future());
    client_.invoke(ns, request, std::chrono::milliseconds(3000),
                   [promise](Result<RemotingCommand> r) { promise->set_value(std::move(r)); });
  }
  for (auto& a : answers) (void)a.get();
}

}  // namespace tern::remoting
