// NameServerProcessor (contract in name_server_processor.h).
#include "name_server_processor.h"

#include <boost/crc.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "codes.h"
#include "namesrv_bodies.h"

namespace tern::remoting {
namespace {

// Keys an UPDATE_NAMESRV_CONFIG may not touch (RocketMQ's configBlackList default plus
// the two it always adds).
constexpr std::string_view kConfigBlackList[] = {"configBlackList", "configStorePath", "kvConfigPath",
                                                 "rocketmqHome"};

// Reads request extFields the way RocketMQ's decodeCommandCustomHeader does: a missing
// required field or a bad number is remembered, and the handler answers SYSTEM_ERROR.
class Header {
 public:
  explicit Header(const RemotingCommand& request) : request_(request) {}

  std::string required(std::string_view name) {
    auto it = request_.ext_fields.find(std::string(name));
    if (it == request_.ext_fields.end()) {
      fail("the custom field <" + std::string(name) + "> is null");
      return {};
    }
    return it->second;
  }
  std::string optional(std::string_view name) const {
    auto it = request_.ext_fields.find(std::string(name));
    return it == request_.ext_fields.end() ? std::string() : it->second;
  }
  bool has(std::string_view name) const { return request_.ext_fields.count(std::string(name)) != 0; }
  int64_t required_long(std::string_view name) {
    if (!has(name)) {
      required(name);
      return 0;
    }
    return number(name);
  }
  int64_t optional_long(std::string_view name, int64_t fallback) { return has(name) ? number(name) : fallback; }
  // Java's Boolean.parseBoolean: "true" in any case is true, anything else false.
  bool optional_bool(std::string_view name) const {
    std::string v = optional(name);
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    return v == "true";
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  int64_t number(std::string_view name) {
    const std::string& text = request_.ext_fields.find(std::string(name))->second;
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
      fail("the custom field <" + std::string(name) + "> is not a number: '" + text + "'");
    }
    return n;
  }
  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }

  const RemotingCommand& request_;
  std::string error_;
};

RemotingCommand success(const RemotingCommand& request) {
  return make_response(request, response_code::kSuccess);
}

// java.util.zip.CRC32 of the bytes, masked to 31 bits (RocketMQ's UtilAll.crc32).
int64_t rocketmq_crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return static_cast<int64_t>(crc.checksum() & 0x7FFFFFFFu);
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// "key=value" lines (what mqadmin updateNamesrvConfig sends); '#' and '!' comments.
std::vector<std::pair<std::string, std::string>> parse_properties_text(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    size_t sep = line.find_first_of("=:");
    if (sep == std::string::npos) {
      out.emplace_back(line, "");
    } else {
      out.emplace_back(trim(std::string_view(line).substr(0, sep)), trim(std::string_view(line).substr(sep + 1)));
    }
  }
  return out;
}

}  // namespace

NameServerProcessor::NameServerProcessor(RouteInfoManager& routes, KvConfigManager& kv_config, Logger& logger,
                                         NameServerProcessorOptions options)
    : routes_(routes),
      kv_(kv_config),
      logger_(logger),
      order_message_enable_(options.order_message_enable),
      config_properties_(std::move(options.config_properties)) {}

RemotingCommand NameServerProcessor::process(const RemotingCommand& request, const void* connection,
                                             const std::string& peer) {
  logger_.debug("name server request ", request.code, " from ", peer.empty() ? "local" : peer);
  switch (request.code) {
    case request_code::kPutKvConfig: return put_kv_config(request);
    case request_code::kGetKvConfig: return get_kv_config(request);
    case request_code::kDeleteKvConfig: return delete_kv_config(request);
    case request_code::kGetKvlistByNamespace: return get_kv_list_by_namespace(request);
    case request_code::kQueryDataVersion: return query_data_version(request);
    case request_code::kRegisterBroker: return register_broker(request, connection, peer);
    case request_code::kUnregisterBroker: return unregister_broker(request);
    case request_code::kGetRouteinfoByTopic: return get_route_info_by_topic(request);
    case request_code::kGetBrokerClusterInfo: return get_broker_cluster_info(request);
    case request_code::kWipeWritePermOfBroker: return write_perm_of_broker(request, false, peer);
    case request_code::kAddWritePermOfBroker: return write_perm_of_broker(request, true, peer);
    case request_code::kGetAllTopicListFromNameserver: return get_all_topic_list(request);
    case request_code::kDeleteTopicInNamesrv: return delete_topic_in_namesrv(request);
    case request_code::kGetTopicsByCluster: return get_topics_by_cluster(request);
    case request_code::kUpdateNamesrvConfig: return update_namesrv_config(request, peer);
    case request_code::kGetNamesrvConfig: return get_namesrv_config(request);
    default: break;
  }
  return make_response(request, response_code::kRequestCodeNotSupported,
                       " request type " + std::to_string(request.code) + " not supported");
}

RemotingCommand NameServerProcessor::put_kv_config(const RemotingCommand& request) {
  Header h(request);
  std::string ns = h.required("namespace");
  std::string key = h.required("key");
  std::string value = h.required("value");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  kv_.put(ns, key, value);
  return success(request);
}

RemotingCommand NameServerProcessor::get_kv_config(const RemotingCommand& request) {
  Header h(request);
  std::string ns = h.required("namespace");
  std::string key = h.required("key");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  auto value = kv_.get(ns, key);
  if (!value) {
    return make_response(request, response_code::kQueryNotFound, "No config item, Namespace: " + ns + " Key: " + key);
  }
  RemotingCommand response = success(request);
  response.ext_fields["value"] = std::move(*value);
  return response;
}

RemotingCommand NameServerProcessor::delete_kv_config(const RemotingCommand& request) {
  Header h(request);
  std::string ns = h.required("namespace");
  std::string key = h.required("key");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  kv_.remove(ns, key);
  return success(request);
}

RemotingCommand NameServerProcessor::get_kv_list_by_namespace(const RemotingCommand& request) {
  Header h(request);
  std::string ns = h.required("namespace");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  auto table = kv_.list(ns);
  if (!table) return make_response(request, response_code::kQueryNotFound, "No config item, Namespace: " + ns);
  RemotingCommand response = success(request);
  response.body = encode_kv_table(*table);
  return response;
}

RemotingCommand NameServerProcessor::register_broker(const RemotingCommand& request, const void* connection,
                                                     const std::string& peer) {
  Header h(request);
  RouteInfoManager::Registration reg;
  reg.broker_name = h.required("brokerName");
  reg.broker_addr = h.required("brokerAddr");
  reg.cluster_name = h.required("clusterName");
  reg.ha_server_addr = h.required("haServerAddr");
  reg.broker_id = h.required_long("brokerId");
  int64_t body_crc32 = h.optional_long("bodyCrc32", 0);
  bool compressed = h.optional_bool("compressed");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  reg.connection = connection;

  if (body_crc32 != 0 && rocketmq_crc32(request.body) != body_crc32) {
    logger_.warn("register-broker request from ", peer, " (broker ", reg.broker_name, " at ", reg.broker_addr,
                 "): crc32 not match");
    return make_response(request, response_code::kSystemError, "crc32 not match");
  }
  if (compressed) {
    return make_response(request, response_code::kSystemError,
                         "compressed register-broker bodies are not supported by Tern's name server; "
                         "set compressedRegister=false on broker " + reg.broker_name);
  }
  auto body = parse_register_broker_body(request.body);
  if (!body) {
    logger_.warn("register-broker request from ", peer, " (broker ", reg.broker_name, " at ", reg.broker_addr,
                 ") refused: ", body.status().message());
    return make_response(request, response_code::kSystemError, "Failed to decode RegisterBrokerBody: " +
                                                                   body.status().message());
  }
  auto result = routes_.register_broker(reg, *body);

  RemotingCommand response = success(request);
  // Java leaves null header fields out; a slave without a live master gets none.
  if (!result.ha_server_addr.empty()) response.ext_fields["haServerAddr"] = result.ha_server_addr;
  if (!result.master_addr.empty()) response.ext_fields["masterAddr"] = result.master_addr;
  if (auto order = kv_.list(kNamespaceOrderTopicConfig)) response.body = encode_kv_table(*order);
  return response;
}

RemotingCommand NameServerProcessor::unregister_broker(const RemotingCommand& request) {
  Header h(request);
  std::string broker_name = h.required("brokerName");
  std::string broker_addr = h.required("brokerAddr");
  std::string cluster_name = h.required("clusterName");
  int64_t broker_id = h.required_long("brokerId");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  routes_.unregister_broker(cluster_name, broker_addr, broker_name, broker_id);
  return success(request);
}

RemotingCommand NameServerProcessor::get_route_info_by_topic(const RemotingCommand& request) {
  Header h(request);
  std::string topic = h.required("topic");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  auto route = routes_.pickup_topic_route(topic);
  if (!route) {
    return make_response(request, response_code::kTopicNotExist,
                         "No topic route info in name server for the topic: " + topic);
  }
  if (order_message_enable_.load(std::memory_order_relaxed)) {
    route->order_topic_conf = kv_.get(kNamespaceOrderTopicConfig, topic);
  }
  RemotingCommand response = success(request);
  response.body = encode_topic_route_data(*route);
  return response;
}

RemotingCommand NameServerProcessor::get_broker_cluster_info(const RemotingCommand& request) {
  RemotingCommand response = success(request);
  response.body = routes_.cluster_info_json();
  return response;
}

RemotingCommand NameServerProcessor::write_perm_of_broker(const RemotingCommand& request, bool add,
                                                          const std::string& peer) {
  Header h(request);
  std::string broker_name = h.required("brokerName");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  int count = add ? routes_.add_write_perm_of_broker(broker_name) : routes_.wipe_write_perm_of_broker(broker_name);
  logger_.info(add ? "add" : "wipe", " write perm of broker ", broker_name, " (asked by ",
               peer.empty() ? "local" : peer, "): ", count, " topic(s)");
  RemotingCommand response = success(request);
  response.ext_fields[add ? "addTopicCount" : "wipeTopicCount"] = std::to_string(count);
  return response;
}

RemotingCommand NameServerProcessor::get_all_topic_list(const RemotingCommand& request) {
  RemotingCommand response = success(request);
  response.body = encode_topic_list(routes_.all_topics());
  return response;
}

RemotingCommand NameServerProcessor::delete_topic_in_namesrv(const RemotingCommand& request) {
  Header h(request);
  std::string topic = h.required("topic");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  routes_.delete_topic(topic, h.optional("clusterName"));
  return success(request);
}

RemotingCommand NameServerProcessor::get_topics_by_cluster(const RemotingCommand& request) {
  Header h(request);
  std::string cluster = h.required("cluster");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  RemotingCommand response = success(request);
  response.body = encode_topic_list(routes_.topics_by_cluster(cluster));
  return response;
}

RemotingCommand NameServerProcessor::query_data_version(const RemotingCommand& request) {
  Header h(request);
  h.required("brokerName");
  std::string broker_addr = h.required("brokerAddr");
  h.required("clusterName");
  h.required_long("brokerId");
  if (!h.ok()) return make_response(request, response_code::kSystemError, h.error());
  auto version = parse_data_version(request.body);
  if (!version) return make_response(request, response_code::kSystemError, version.status().message());
  std::optional<DataVersion> stored;
  bool changed = routes_.query_data_version(broker_addr, *version, &stored);
  RemotingCommand response = success(request);
  response.ext_fields["changed"] = changed ? "true" : "false";
  if (stored) response.body = encode_data_version(*stored);
  return response;
}

RemotingCommand NameServerProcessor::update_namesrv_config(const RemotingCommand& request, const std::string& peer) {
  auto updates = parse_properties_text(request.body);
  for (const auto& [key, value] : updates) {
    if (std::find(std::begin(kConfigBlackList), std::end(kConfigBlackList), key) != std::end(kConfigBlackList)) {
      return make_response(request, response_code::kNoPermission, "Can not update config in black list.");
    }
  }
  // Only what can change while running is accepted, all or nothing.
  for (const auto& [key, value] : updates) {
    if (key != "orderMessageEnable") {
      return make_response(request, response_code::kSystemError,
                           "Tern's name server cannot change '" + key +
                               "' at run time (only orderMessageEnable); set it in the config file and restart");
    }
    if (value != "true" && value != "false") {
      return make_response(request, response_code::kSystemError,
                           "bad value '" + value + "' for orderMessageEnable: expected true or false");
    }
  }
  for (const auto& update : updates) {
    const std::string& key = update.first;
    const std::string& value = update.second;
    order_message_enable_.store(value == "true", std::memory_order_relaxed);
    std::lock_guard lock(config_mu_);
    auto it = std::find_if(config_properties_.begin(), config_properties_.end(),
                           [&key](const auto& kv) { return kv.first == key; });
    if (it == config_properties_.end()) {
      config_properties_.emplace_back(key, value);
    } else {
      it->second = value;
    }
    logger_.info("config ", key, " set to ", value, " by ", peer.empty() ? "local" : peer);
  }
  return success(request);
}

RemotingCommand NameServerProcessor::get_namesrv_config(const RemotingCommand& request) {
  RemotingCommand response = success(request);
  std::lock_guard lock(config_mu_);
  for (const auto& [key, value] : config_properties_) response.body += key + "=" + value + "\n";
  return response;
}

}  // namespace tern::remoting
