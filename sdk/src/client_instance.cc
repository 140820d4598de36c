// See client_instance.h. Why some things are as they are:
//   - the instances live in a process-wide table of weak pointers, so producers and
//     consumers with one client id share connections and heartbeats (a broker sees one
//     client), and the last release stops everything;
//   - a newly seen broker gets a heartbeat at once (on the scheduler thread), so the
//     broker knows the producer group before the first 30 s tick;
//   - broker requests are served on their own thread: a consumer's rebalance on
//     NOTIFY_CONSUMER_IDS_CHANGED makes blocking calls, which the io thread must not.
#include "client_instance.h"

#include <cstdio>
#include <cstdlib>

#include "fastjson.h"
#include "message_decoder.h"
#include "message_util.h"

namespace tern::client::internal {
namespace {

using remoting::RemotingCommand;
namespace rc = remoting::request_code;

constexpr int32_t kClientVersion = 409;  // MQVersion V4_9_8: what the broker may tailor answers to
constexpr char kClientInnerProducerGroup[] = "CLIENT_INNER_PRODUCER";

class StderrLogger final : public Logger {
 public:
  explicit StderrLogger(LogLevel level) : level_(level) {}
  void log(LogLevel level, std::string_view message) override {
    static const char* kNames[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"};
    std::fprintf(stderr, "[tern-client %s] %.*s\n", kNames[static_cast<int>(level)], static_cast<int>(message.size()),
                 message.data());
  }
  bool should_log(LogLevel level) const override { return level >= level_; }

 private:
  LogLevel level_;
};

LogLevel level_from_env() {
  const char* v = std::getenv("TERN_CLIENT_LOG_LEVEL");
  std::string s = v != nullptr ? v : "WARN";
  if (s == "TRACE") return LogLevel::kTrace;
  if (s == "DEBUG") return LogLevel::kDebug;
  if (s == "INFO") return LogLevel::kInfo;
  if (s == "ERROR") return LogLevel::kError;
  return LogLevel::kWarn;
}

std::vector<std::string> split_addrs(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

std::mutex& table_mu() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, std::weak_ptr<MQClientInstance>>& table() {
  static auto* t = new std::map<std::string, std::weak_ptr<MQClientInstance>>;
  return *t;
}

}  // namespace

RemotingCommand MQClientInstance::make_request(int32_t code, std::map<std::string, std::string> ext,
                                               std::string body) {
  RemotingCommand cmd;
  cmd.code = code;
  cmd.language = remoting::LanguageCode::kCpp;
  cmd.version = kClientVersion;
  cmd.ext_fields = std::move(ext);
  cmd.body = std::move(body);
  return cmd;
}

std::shared_ptr<MQClientInstance> MQClientInstance::acquire(const ClientConfig& config) {
  std::string client_id = config.build_client_id();
  std::lock_guard lock(table_mu());
  if (auto existing = table()[client_id].lock()) return existing;
  std::shared_ptr<MQClientInstance> instance(
      new MQClientInstance(config, client_id, split_addrs(config.resolved_namesrv_addr())));
  instance->start();
  table()[client_id] = instance;
  return instance;
}

MQClientInstance::MQClientInstance(const ClientConfig& config, std::string client_id,
                                   std::vector<std::string> namesrv_addrs)
    : client_id_(std::move(client_id)),
      namesrv_addrs_(std::move(namesrv_addrs)),
      poll_interval_(config.poll_name_server_interval()),
      heartbeat_interval_(config.heartbeat_broker_interval()),
      logger_(config.logger() ? config.logger() : std::make_shared<StderrLogger>(level_from_env())) {
  remoting_ = std::make_unique<remoting::RemotingClient>(
      [this]() -> boost::asio::io_context& { return io_pool_.next(); }, *logger_, remoting::kDefaultMaxFrame,
      [this](const std::shared_ptr<remoting::RemotingConnection>& conn, RemotingCommand request) {
        on_broker_request(conn, std::move(request));
      });
  if (!config.client_ip().empty()) set_uniq_id_ip(config.client_ip());
}

void MQClientInstance::start() {
  handlers_[rc::kNotifyConsumerIdsChanged] = [this](const RemotingCommand& request,
                                                    const std::string&) -> std::optional<RemotingCommand> {
    auto it = request.ext_fields.find("consumerGroup");
    if (it != request.ext_fields.end()) notify_consumer_ids_changed(it->second);
    return std::nullopt;
  };
  handlers_[rc::kResetConsumerClientOffset] = [this](const RemotingCommand& request,
                                                     const std::string& peer) -> std::optional<RemotingCommand> {
    auto group = request.ext_fields.find("group");
    auto topic = request.ext_fields.find("topic");
    auto table = parse_offset_table(request.body);
    if (group == request.ext_fields.end() || topic == request.ext_fields.end() || !table.is_ok()) {
      logger_->warn("broker ", peer, " sent RESET_CONSUMER_CLIENT_OFFSET without group/topic or with a bad body: ",
                    table.is_ok() ? "no group or topic" : table.status().message());
      return std::nullopt;
    }
    std::lock_guard notify(notify_mu_);  // the member cannot leave while it is told
    ConsumerMember* member = nullptr;
    {
      std::lock_guard lock(mu_);
      auto it = consumers_.find(group->second);
      if (it != consumers_.end()) member = it->second;
    }
    if (member != nullptr) member->on_reset_offsets(topic->second, *table);
    return std::nullopt;
  };
  handlers_[rc::kCheckTransactionState] = [this](const RemotingCommand& request,
                                                 const std::string& peer) -> std::optional<RemotingCommand> {
    auto msgs = decode_messages(request.body);
    if (!msgs.is_ok() || msgs->size() != 1) {
      logger_->warn("broker ", peer, " sent CHECK_TRANSACTION_STATE with a bad body: ",
                    msgs.is_ok() ? std::to_string(msgs->size()) + " messages" : msgs.status().message());
      return std::nullopt;
    }
    MessageExt& message = msgs->front();
    const std::string group(message.property(property::kProducerGroup));
    std::lock_guard notify(notify_mu_);  // the member cannot leave while it is told
    ProducerMember* member = nullptr;
    {
      std::lock_guard lock(mu_);
      auto it = producers_.find(group);
      if (it != producers_.end()) member = it->second;
    }
    if (member == nullptr) {
      logger_->warn("broker ", peer, " asked about a transaction of producer group ", group,
                    ", which is not running in client ", client_id_);
      return std::nullopt;
    }
    member->on_check_transaction_state(peer, std::move(message), request.ext_fields);
    return std::nullopt;
  };
  io_pool_.start();
  scheduler_.schedule(std::chrono::milliseconds(10), poll_interval_, [this] { refresh_routes(); });
  scheduler_.schedule(std::chrono::milliseconds(1000), heartbeat_interval_, [this] { send_heartbeat_to_all_brokers(); });
  logger_->info("client instance ", client_id_, " started; name servers: ", namesrv_addrs_.size());
}

MQClientInstance::~MQClientInstance() {
  scheduler_.stop();
  request_executor_.stop();
  remoting_->close_all();
  io_pool_.stop();
  std::lock_guard lock(table_mu());
  auto it = table().find(client_id_);
  if (it != table().end() && it->second.expired()) table().erase(it);
}

Status MQClientInstance::register_producer(const std::string& group, ProducerMember* member) {
  std::lock_guard lock(mu_);
  if (!producers_.emplace(group, member).second) {
    return Status::already_exists("the producer group " + group + " is already started in client " + client_id_ +
                                  ": use another group or instance name");
  }
  return Status::ok();
}

Status MQClientInstance::register_consumer(const std::string& group, ConsumerMember* member) {
  std::lock_guard lock(mu_);
  if (!consumers_.emplace(group, member).second) {
    return Status::already_exists("the consumer group " + group + " is already started in client " + client_id_ +
                                  ": use another group or instance name");
  }
  return Status::ok();
}

void MQClientInstance::unregister_producer(const std::string& group, std::chrono::milliseconds timeout) {
  {
    std::lock_guard notify(notify_mu_);
    std::lock_guard lock(mu_);
    producers_.erase(group);
  }
  unregister_client(group, "", timeout);
}

void MQClientInstance::unregister_consumer(const std::string& group, std::chrono::milliseconds timeout) {
  {
    std::lock_guard notify(notify_mu_);
    std::lock_guard lock(mu_);
    consumers_.erase(group);
  }
  unregister_client("", group, timeout);
}

void MQClientInstance::unregister_client(const std::string& producer_group, const std::string& consumer_group,
                                         std::chrono::milliseconds timeout) {
  std::map<std::string, std::string> ext{{"clientID", client_id_}};
  if (!producer_group.empty()) ext["producerGroup"] = producer_group;
  if (!consumer_group.empty()) ext["consumerGroup"] = consumer_group;
  for (const std::string& addr : broker_addrs(true)) {
    auto r = remoting_->invoke_sync(addr, make_request(rc::kUnregisterClient, ext), timeout);
    if (!r.is_ok()) logger_->info("unregister of ", client_id_, " at broker ", addr, ": ", r.status().to_string());
  }
}

Result<std::shared_ptr<const TopicRouteData>> MQClientInstance::update_topic_route(const std::string& topic,
                                                                                   std::chrono::milliseconds timeout) {
  if (namesrv_addrs_.empty()) {
    return Status::unavailable("no name server address: set namesrvAddr or the NAMESRV_ADDR environment variable");
  }
  size_t first;
  {
    std::lock_guard lock(mu_);
    first = namesrv_index_;
  }
  std::string errors;
  for (size_t i = 0; i < namesrv_addrs_.size(); ++i) {
    size_t index = (first + i) % namesrv_addrs_.size();
    const std::string& addr = namesrv_addrs_[index];
    auto response = remoting_->invoke_sync(addr, make_request(rc::kGetRouteinfoByTopic, {{"topic", topic}}), timeout);
    if (!response.is_ok()) {
      errors += (errors.empty() ? "" : "; ") + addr + ": " + response.status().to_string();
      continue;
    }
    {
      std::lock_guard lock(mu_);
      namesrv_index_ = index;  // stick to the one that answers
    }
    if (response->code == remoting::response_code::kTopicNotExist) {
      return Status::not_found("no route info of topic " + topic + " at name server " + addr);
    }
    if (response->code != remoting::response_code::kSuccess) {
      errors += (errors.empty() ? "" : "; ") + addr + ": code " + std::to_string(response->code) + " " +
                response->remark.value_or("");
      continue;
    }
    auto parsed = parse_topic_route(response->body);
    if (!parsed.is_ok()) {
      errors += (errors.empty() ? "" : "; ") + addr + ": " + parsed.status().message();
      continue;
    }
    auto route = std::make_shared<const TopicRouteData>(std::move(*parsed));
    std::vector<std::string> new_brokers;
    {
      std::lock_guard lock(mu_);
      auto& slot = routes_[topic];
      if (slot && *slot == *route) return slot;  // unchanged: keep the pointer
      slot = route;
      rebuild_broker_table_locked();
      for (const auto& bd : route->broker_datas) {
        for (const auto& [id, a] : bd.broker_addrs) {
          if (heartbeat_sent_to_.insert(a).second) new_brokers.push_back(a);
        }
      }
    }
    if (!new_brokers.empty()) {
      scheduler_.schedule(std::chrono::milliseconds(0), std::chrono::milliseconds(0),
                          [this] { send_heartbeat_to_all_brokers(); });
    }
    return route;
  }
  return Status::unavailable("no name server answered the route query of topic " + topic + ": " + errors);
}

void MQClientInstance::rebuild_broker_table_locked() {
  brokers_.clear();
  for (const auto& [topic, route] : routes_) {
    for (const auto& bd : route->broker_datas) {
      auto& merged = brokers_[bd.broker_name];
      merged.broker_name = bd.broker_name;
      merged.cluster = bd.cluster;
      for (const auto& [id, addr] : bd.broker_addrs) merged.broker_addrs[id] = addr;
    }
  }
}

std::shared_ptr<const TopicRouteData> MQClientInstance::cached_route(const std::string& topic) const {
  std::lock_guard lock(mu_);
  auto it = routes_.find(topic);
  return it == routes_.end() ? nullptr : it->second;
}

std::string MQClientInstance::find_broker_master(const std::string& broker_name) const {
  std::lock_guard lock(mu_);
  auto it = brokers_.find(broker_name);
  return it == brokers_.end() ? std::string() : it->second.master_addr();
}

std::vector<std::string> MQClientInstance::broker_addrs(bool with_slaves) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, bd] : brokers_) {
    for (const auto& [id, addr] : bd.broker_addrs) {
      if (id == kMasterId || with_slaves) out.push_back(addr);
    }
  }
  return out;
}

void MQClientInstance::refresh_routes() {
  std::set<std::string> topics;
  std::vector<ClientMember*> members;
  {
    std::lock_guard lock(mu_);
    for (const auto& [g, m] : producers_) members.push_back(m);
    for (const auto& [g, m] : consumers_) members.push_back(m);
    for (ClientMember* m : members) {
      for (auto& t : m->topics_in_use()) topics.insert(std::move(t));
    }
  }
  for (const std::string& topic : topics) {
    auto before = cached_route(topic);
    auto after = update_topic_route(topic, std::chrono::milliseconds(3000));
    if (!after.is_ok()) {
      logger_->debug("route refresh of topic ", topic, ": ", after.status().to_string());
      continue;
    }
    if (before == *after) continue;
    // notify_mu_, not mu_: a member cannot leave while it is told, and may call back in.
    std::lock_guard notify(notify_mu_);
    std::vector<ClientMember*> now;
    {
      std::lock_guard lock(mu_);
      for (const auto& [g, m] : producers_) now.push_back(m);
      for (const auto& [g, m] : consumers_) now.push_back(m);
    }
    for (ClientMember* m : now) m->on_route_changed(topic, **after);
  }
}

void MQClientInstance::notify_consumer_ids_changed(const std::string& group) {
  // notify_mu_: the member cannot leave while it is told.
  std::lock_guard notify(notify_mu_);
  ConsumerMember* member = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = consumers_.find(group);
    if (it != consumers_.end()) member = it->second;
  }
  if (member != nullptr) member->on_consumer_ids_changed();
}

std::string MQClientInstance::heartbeat_body() const {
  JsonValue body = JsonValue::object();
  body.set("clientID", JsonValue::string(client_id_));
  JsonValue producers = JsonValue::array();
  JsonValue consumers = JsonValue::array();
  {
    std::lock_guard lock(mu_);
    for (const auto& [group, m] : producers_) {
      JsonValue p = JsonValue::object();
      p.set("groupName", JsonValue::string(group));
      producers.push_back(std::move(p));
    }
    if (!producers_.empty()) {
      JsonValue p = JsonValue::object();
      p.set("groupName", JsonValue::string(kClientInnerProducerGroup));
      producers.push_back(std::move(p));
    }
    for (const auto& [group, m] : consumers_) consumers.push_back(m->consumer_data());
  }
  body.set("producerDataSet", std::move(producers));
  body.set("consumerDataSet", std::move(consumers));
  return serialize_json(body);
}

void MQClientInstance::send_heartbeat_to_all_brokers() {
  bool with_slaves;
  {
    std::lock_guard lock(mu_);
    if (producers_.empty() && consumers_.empty()) return;
    with_slaves = !consumers_.empty();
  }
  std::string body = heartbeat_body();
  for (const std::string& addr : broker_addrs(with_slaves)) {
    auto r = remoting_->invoke_sync(addr, make_request(rc::kHeartBeat, {}, body), std::chrono::milliseconds(3000));
    if (!r.is_ok()) {
      logger_->warn("heartbeat of ", client_id_, " to broker ", addr, " failed: ", r.status().to_string());
    } else if (r->code != remoting::response_code::kSuccess) {
      logger_->warn("heartbeat of ", client_id_, " to broker ", addr, " refused: code ", r->code, " ",
                    r->remark.value_or(""));
    }
  }
}

void MQClientInstance::set_request_handler(int32_t code, BrokerRequestHandler handler) {
  std::lock_guard lock(mu_);
  handlers_[code] = std::move(handler);
}

void MQClientInstance::on_broker_request(const std::shared_ptr<remoting::RemotingConnection>& conn,
                                         RemotingCommand request) {
  std::weak_ptr<remoting::RemotingConnection> weak = conn;
  const int32_t code = request.code;
  bool posted = request_executor_.post([this, weak, request = std::move(request)] {
    auto c = weak.lock();
    if (!c) return;
    BrokerRequestHandler handler;
    {
      std::lock_guard lock(mu_);
      auto it = handlers_.find(request.code);
      if (it != handlers_.end()) handler = it->second;
    }
    if (!handler) {
      logger_->debug("broker ", c->peer(), " sent request code ", request.code, ", which this client does not serve");
      c->respond(request, remoting::make_response(request, remoting::response_code::kRequestCodeNotSupported,
                                                  " request type " + std::to_string(request.code) + " not supported"));
      return;
    }
    auto response = handler(request, c->peer());
    if (response) c->respond(request, std::move(*response));
  });
  if (!posted) logger_->debug("broker request code ", code, " dropped: the client is stopping");
}

}  // namespace tern::client::internal
