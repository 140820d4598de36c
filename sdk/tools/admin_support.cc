// mqadmin's shared plumbing (contract in admin_support.h).
#include "admin_support.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "message_decoder.h"  // the SDK's record decoder (sdk/src)

namespace tern::tools {
namespace {

using remoting::RemotingCommand;
using namespace std::chrono_literals;

constexpr auto kCallTimeout = 5s;

// The client library's warnings explain a failed call; the rest is noise for a CLI.
class StderrLogger : public Logger {
 public:
  void log(LogLevel, std::string_view message) override {
    std::fprintf(stderr, "mqadmin: %.*s\n", static_cast<int>(message.size()), message.data());
  }
  bool should_log(LogLevel level) const override { return level >= LogLevel::kError; }
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

BrokerEntry broker_entry(const JsonValue& data) {
  BrokerEntry b;
  b.cluster = json_str(data, "cluster");
  b.broker_name = json_str(data, "brokerName");
  if (const JsonValue* addrs = data.find("brokerAddrs"); addrs != nullptr && addrs->is_object()) {
    for (size_t i = 0; i < addrs->size(); ++i) {
      b.addrs[std::strtoll(addrs->keys()[i].c_str(), nullptr, 10)] = addrs->values()[i].text();
    }
  }
  return b;
}

void pretty(const JsonValue& v, int depth, std::string* out) {
  auto indent = [&](int d) { out->append(static_cast<size_t>(d), '\t'); };
  switch (v.type()) {
    case JsonValue::Type::kObject:
    case JsonValue::Type::kArray: {
      bool obj = v.is_object();
      if (v.size() == 0) {
        out->append(obj ? "{}" : "[]");
        return;
      }
      out->append(obj ? "{\n" : "[\n");
      for (size_t i = 0; i < v.size(); ++i) {
        indent(depth + 1);
        if (obj) {
          append_json_string(out, v.keys()[i]);
          out->append(":");
        }
        pretty(v.values()[i], depth + 1, out);
        if (i + 1 < v.size()) out->append(",");
        out->append("\n");
      }
      indent(depth);
      out->append(obj ? "}" : "]");
      return;
    }
    default: out->append(serialize_json(v)); return;
  }
}

}  // namespace

// --- Options ---------------------------------------------------------------------------

Result<Options> Options::parse(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) {
  std::vector<OptionSpec> all = specs;
  all.push_back({'h', "help", false, false, "Print help"});
  all.push_back({'n', "namesrvAddr", true, false, "Name server address list, eg: 192.168.0.1:9876;192.168.0.2:9876"});
  Options out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const OptionSpec* spec = nullptr;
    std::string inline_value;
    bool has_inline = false;
    if (a.size() >= 3 && a[0] == '-' && a[1] == '-') {
      std::string name = a.substr(2);
      if (size_t eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        has_inline = true;
        name.resize(eq);
      }
      for (const auto& s : all) {
        if (name == s.name) spec = &s;
      }
    } else if (a.size() >= 2 && a[0] == '-') {
      for (const auto& s : all) {
        if (a[1] == s.letter) spec = &s;
      }
      if (spec != nullptr && a.size() > 2) {
        inline_value = a.substr(2);
        has_inline = true;
      }
    }
    if (spec == nullptr) return Status::invalid_argument("Unrecognized option: " + a);
    if (!spec->has_arg) {
      out.values_[spec->letter] = "true";
      continue;
    }
    if (has_inline) {
      out.values_[spec->letter] = inline_value;
    } else if (i + 1 < args.size()) {
      out.values_[spec->letter] = args[++i];
    } else {
      return Status::invalid_argument(std::string("Missing argument for option: ") + spec->letter);
    }
  }
  if (!out.has('h')) {
    for (const auto& s : specs) {
      if (s.required && !out.has(s.letter)) {
        return Status::invalid_argument(std::string("Missing required option: ") + s.letter + " (--" + s.name + ")");
      }
    }
  }
  return out;
}

std::string Options::get(char letter, std::string fallback) const {
  auto it = values_.find(letter);
  return it == values_.end() ? fallback : it->second;
}

Result<int64_t> Options::get_int(char letter, int64_t fallback) const {
  auto it = values_.find(letter);
  if (it == values_.end()) return fallback;
  const std::string& v = it->second;
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0) {
    return Status::invalid_argument(std::string("option -") + letter + " wants a number, not '" + v + "'");
  }
  return static_cast<int64_t>(n);
}

Result<bool> Options::get_bool(char letter, bool fallback) const {
  auto it = values_.find(letter);
  if (it == values_.end()) return fallback;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  return Status::invalid_argument(std::string("option -") + letter + " wants true or false, not '" + it->second + "'");
}

void print_usage(const std::string& command, const std::vector<OptionSpec>& specs) {
  std::vector<OptionSpec> all = specs;
  all.push_back({'h', "help", false, false, "Print help"});
  all.push_back({'n', "namesrvAddr", true, false, "Name server address list, eg: 192.168.0.1:9876;192.168.0.2:9876"});
  std::string line = "usage: mqadmin " + command;
  for (const auto& s : all) {
    std::string flag = std::string("-") + s.letter + (s.has_arg ? std::string(" <arg>") : std::string());
    line += s.required ? " " + flag : " [" + flag + "]";
  }
  std::printf("%s\n", line.c_str());
  for (const auto& s : all) {
    std::string left = std::string(" -") + s.letter + ",--" + s.name + (s.has_arg ? " <arg>" : "");
    std::printf("%-32s %s\n", left.c_str(), s.description);
  }
}

// --- AdminContext ----------------------------------------------------------------------

AdminContext::AdminContext(std::string namesrv) {
  if (namesrv.empty()) {
    if (const char* env = std::getenv("NAMESRV_ADDR")) namesrv = env;
  }
  namesrv_ = split(namesrv, ';');
  pool_ = std::make_unique<kernel::IoContextPool>(1);
  pool_->start();
  logger_ = std::make_unique<StderrLogger>();
  client_ = std::make_unique<remoting::RemotingClient>([this]() -> boost::asio::io_context& { return pool_->next(); },
                                                       *logger_);
}

AdminContext::~AdminContext() {
  client_->close_all();
  client_.reset();
  pool_->stop();
}

Result<RemotingCommand> AdminContext::call(const std::string& addr, RemotingCommand request) {
  return client_->invoke_sync(addr, std::move(request), kCallTimeout);
}

Result<RemotingCommand> AdminContext::call_ok(const std::string& role, const std::string& addr, RemotingCommand request,
                                              const std::string& what, int32_t expected) {
  auto r = call(addr, std::move(request));
  if (!r.is_ok()) return Status::unavailable(what + ": " + role + " " + addr + ": " + r.status().message());
  if (r->code != expected) {
    return Status::unavailable(what + ": " + role + " " + addr + " answered code " + std::to_string(r->code) + " (" +
                               r->remark.value_or("") + ")");
  }
  return r;
}

Result<RemotingCommand> AdminContext::call_namesrv(RemotingCommand request, const std::string& what, int32_t expected) {
  if (namesrv_.empty()) {
    return Status::invalid_argument(what + ": no name server address: use -n host:9876 or set NAMESRV_ADDR");
  }
  Status last = Status::unavailable("no name server answered");
  for (const auto& addr : namesrv_) {
    auto r = call(addr, request);
    if (!r.is_ok()) {
      last = Status::unavailable(what + ": name server " + addr + ": " + r.status().message());
      continue;
    }
    if (r->code != expected) {
      return Status::unavailable(what + ": name server " + addr + " answered code " + std::to_string(r->code) + " (" +
                                 r->remark.value_or("") + ")");
    }
    return r;
  }
  return last;
}

Result<ClusterInfo> AdminContext::cluster_info() {
  auto r = call_namesrv(make_request(remoting::request_code::kGetBrokerClusterInfo), "get cluster info");
  if (!r.is_ok()) return r.status();
  auto json = parse_json(r->body);
  if (!json.is_ok()) return Status::corruption("cluster info from the name server: " + json.status().message());
  ClusterInfo info;
  if (const JsonValue* table = json->find("brokerAddrTable"); table != nullptr && table->is_object()) {
    for (size_t i = 0; i < table->size(); ++i) info.brokers[table->keys()[i]] = broker_entry(table->values()[i]);
  }
  if (const JsonValue* table = json->find("clusterAddrTable"); table != nullptr && table->is_object()) {
    for (size_t i = 0; i < table->size(); ++i) {
      auto& names = info.clusters[table->keys()[i]];
      for (const auto& n : table->values()[i].values()) names.push_back(n.text());
    }
  }
  return info;
}

const BrokerEntry* TopicRoute::broker(const std::string& name) const {
  for (const auto& b : brokers) {
    if (b.broker_name == name) return &b;
  }
  return nullptr;
}

Result<TopicRoute> AdminContext::topic_route(const std::string& topic) {
  if (namesrv_.empty()) {
    return Status::invalid_argument("get route of topic " + topic +
                                    ": no name server address: use -n host:9876 or set NAMESRV_ADDR");
  }
  Status last = Status::unavailable("no name server answered");
  for (const auto& addr : namesrv_) {
    auto a = call(addr, make_request(remoting::request_code::kGetRouteinfoByTopic, {{"topic", topic}}));
    if (!a.is_ok()) {
      last = Status::unavailable("get route of topic " + topic + ": name server " + addr + ": " +
                                           a.status().message());
      continue;
    }
    if (a->code == remoting::response_code::kTopicNotExist) {
      return Status::not_found("no route info of topic " + topic + " (name server " + addr + ": " +
                               a->remark.value_or("topic not exist") + ")");
    }
    if (a->code != remoting::response_code::kSuccess) {
      return Status::unavailable("get route of topic " + topic + ": name server " + addr + " answered code " +
                                 std::to_string(a->code) + " (" + a->remark.value_or("") + ")");
    }
    auto json = parse_json(a->body);
    if (!json.is_ok()) return Status::corruption("route of topic " + topic + ": " + json.status().message());
    TopicRoute route;
    if (const JsonValue* qs = json->find("queueDatas"); qs != nullptr) {
      for (const auto& q : qs->values()) {
        route.queues.push_back({json_str(q, "brokerName"), static_cast<int32_t>(json_int(q, "readQueueNums")),
                                static_cast<int32_t>(json_int(q, "writeQueueNums")),
                                static_cast<int32_t>(json_int(q, "perm"))});
      }
    }
    if (const JsonValue* bs = json->find("brokerDatas"); bs != nullptr) {
      for (const auto& b : bs->values()) route.brokers.push_back(broker_entry(b));
    }
    route.raw = std::move(*json);
    return route;
  }
  return last;
}

Result<std::vector<std::pair<std::string, std::string>>> AdminContext::masters(const std::string& cluster) {
  auto info = cluster_info();
  if (!info.is_ok()) return info.status();
  std::vector<std::pair<std::string, std::string>> out;
  if (!cluster.empty() && info->clusters.count(cluster) == 0) {
    return Status::not_found("cluster " + cluster + " is not known to the name server");
  }
  for (const auto& [name, b] : info->brokers) {
    if (!cluster.empty() && b.cluster != cluster) continue;
    if (!b.master().empty()) out.emplace_back(name, b.master());
  }
  return out;
}

RemotingCommand make_request(int32_t code, std::map<std::string, std::string> ext, std::string body) {
  RemotingCommand cmd;
  cmd.code = code;
  cmd.language = remoting::LanguageCode::kCpp;
  cmd.version = 409;  // V4_9_8
  cmd.ext_fields = std::move(ext);
  cmd.body = std::move(body);
  return cmd;
}

// --- fastjson maps ---------------------------------------------------------------------

QueueKey queue_key_of(const JsonValue& key) {
  return {json_str(key, "topic"), json_str(key, "brokerName"), static_cast<int32_t>(json_int(key, "queueId"))};
}

std::string json_str(const JsonValue& obj, std::string_view key) {
  const JsonValue* v = obj.is_object() ? obj.find(key) : nullptr;
  return v == nullptr || v->is_null() ? std::string() : v->text();
}

int64_t json_int(const JsonValue& obj, std::string_view key, int64_t fallback) {
  const JsonValue* v = obj.is_object() ? obj.find(key) : nullptr;
  if (v == nullptr) return fallback;
  if (v->is_string()) return std::strtoll(v->text().c_str(), nullptr, 10);
  auto n = v->as_int64();
  return n.is_ok() ? *n : fallback;
}

double json_double(const JsonValue& obj, std::string_view key) {
  const JsonValue* v = obj.is_object() ? obj.find(key) : nullptr;
  return v == nullptr ? 0.0 : std::strtod(v->text().c_str(), nullptr);
}

std::string pretty_json(const JsonValue& value) {
  std::string out;
  pretty(value, 0, &out);
  return out;
}

// --- time and messages -----------------------------------------------------------------

std::string human_time(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d,%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

Result<int64_t> parse_time(const std::string& text) {
  if (text == "now") {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  char* end = nullptr;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && *end == '\0') return static_cast<int64_t>(n);
  std::tm tm{};
  int msec = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%d#%d:%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &msec) == 7) {
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm)) * 1000 + msec;
  }
  return Status::invalid_argument("'" + text + "' is not a time: use now, ms since the epoch or yyyy-MM-dd#HH:mm:ss:SSS");
}

Result<std::vector<MessageExt>> decode_records(std::string_view body) {
  return client::internal::decode_messages(body, true);
}

std::string display_msg_id(const MessageExt& msg) {
  std::string_view uniq = msg.property(property::kUniqueClientMessageId);
  return uniq.empty() ? msg.msg_id : std::string(uniq);
}

void print_message(const MessageExt& msg) {
  auto line = [](const char* k, const std::string& v) { std::printf("%-20s %s\n", k, v.c_str()); };
  line("OffsetID:", msg.msg_id);
  line("Topic:", msg.topic);
  line("Tags:", "[" + std::string(msg.tags()) + "]");
  line("Keys:", "[" + std::string(msg.property(property::kKeys)) + "]");
  line("Queue ID:", std::to_string(msg.queue_id));
  line("Queue Offset:", std::to_string(msg.queue_offset));
  line("CommitLog Offset:", std::to_string(msg.commit_log_offset));
  line("Reconsume Times:", std::to_string(msg.reconsume_times));
  line("Born Timestamp:", human_time(msg.born_timestamp));
  line("Store Timestamp:", human_time(msg.store_timestamp));
  line("Born Host:", msg.born_host.to_string());
  line("Store Host:", msg.store_host.to_string());
  line("System Flag:", std::to_string(msg.sys_flag));
  std::string props = "{";
  for (const auto& [k, v] : msg.properties) {
    if (props.size() > 1) props += ", ";
    props += k + "=" + v;
  }
  line("Properties:", props + "}");
  line("Message Body:", msg.body);
}

}  // namespace tern::tools
