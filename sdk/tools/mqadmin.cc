// mqadmin: RocketMQ's admin command line for Tern (and any RocketMQ 4.x name server and
// broker): `mqadmin <subcommand> [flags]`, with RocketMQ's subcommand names, flag letters
// and, roughly, its output columns, so scripts written against RocketMQ's mqadmin keep
// working. sdk/tools/README.md lists the subcommands; PROTOCOL.md §5-§6 the requests.
// Exit code 0 on success; 1 with a line on stderr naming the server and the cause.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "admin_support.h"
#include "message_decoder.h"  // the SDK's offset message ids (sdk/src)
#include "message_util.h"     // the SDK's UNIQ_KEY generator (sdk/src)
#include "tern/topic_config.h"

namespace tern::tools {
namespace {

namespace rc = remoting::request_code;
namespace code = remoting::response_code;
using remoting::RemotingCommand;

struct Command {
  const char* name;
  const char* description;
  std::vector<OptionSpec> specs;
  std::function<Status(AdminContext&, const Options&)> run;
};

std::string perm_name(int64_t perm) {
  return std::string((perm & 4) ? "R" : "-") + ((perm & 2) ? "W" : "-") + ((perm & 1) ? "X" : "-");
}

// The brokers a -b / -c pair names: -b alone, or every master of cluster -c.
Result<std::vector<std::string>> target_brokers(AdminContext& ctx, const Options& o, const std::string& what) {
  if (o.has('b')) return std::vector<std::string>{o.get('b')};
  if (!o.has('c')) return Status::invalid_argument(what + ": name a broker with -b or a cluster with -c");
  auto masters = ctx.masters(o.get('c'));
  if (!masters.is_ok()) return masters.status();
  std::vector<std::string> out;
  for (auto& [name, addr] : *masters) out.push_back(addr);
  if (out.empty()) return Status::not_found(what + ": cluster " + o.get('c') + " has no master broker");
  return out;
}

// Masters that serve `topic`, by broker name.
Result<std::vector<std::pair<std::string, std::string>>> topic_masters(AdminContext& ctx, const std::string& topic) {
  auto route = ctx.topic_route(topic);
  if (!route.is_ok()) return route.status();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& b : route->brokers) {
    if (!b.master().empty()) out.emplace_back(b.broker_name, b.master());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// --- topics ----------------------------------------------------------------------------

Status update_topic(AdminContext& ctx, const Options& o) {
  std::string topic = o.get('t');
  TERN_ASSIGN_OR_RETURN(r, o.get_int('r', 8));
  TERN_ASSIGN_OR_RETURN(w, o.get_int('w', 8));
  TERN_ASSIGN_OR_RETURN(p, o.get_int('p', 6));
  TERN_ASSIGN_OR_RETURN(order, o.get_bool('o', false));
  TERN_ASSIGN_OR_RETURN(brokers, target_brokers(ctx, o, "updateTopic"));
  for (const auto& addr : brokers) {
    auto req = make_request(rc::kUpdateAndCreateTopic, {{"topic", topic},
                                                        {"defaultTopic", "TBW102"},
                                                        {"readQueueNums", std::to_string(r)},
                                                        {"writeQueueNums", std::to_string(w)},
                                                        {"perm", std::to_string(p)},
                                                        {"topicFilterType", "SINGLE_TAG"},
                                                        {"topicSysFlag", "0"},
                                                        {"order", order ? "true" : "false"}});
    auto resp = ctx.call_ok("broker", addr, std::move(req), "create topic " + topic);
    if (!resp.is_ok()) return resp.status();
    std::printf("create topic to %s success.\n", addr.c_str());
  }
  std::printf("TopicConfig [topicName=%s, readQueueNums=%lld, writeQueueNums=%lld, perm=%s, topicFilterType=SINGLE_TAG, "
              "topicSysFlag=0, order=%s]\n",
              topic.c_str(), static_cast<long long>(r), static_cast<long long>(w), perm_name(p).c_str(),
              order ? "true" : "false");
  return Status::ok();
}

Status delete_topic(AdminContext& ctx, const Options& o) {
  std::string topic = o.get('t');
  std::string cluster = o.get('c');
  TERN_ASSIGN_OR_RETURN(masters, ctx.masters(cluster));
  for (const auto& [name, addr] : masters) {
    auto resp = ctx.call_ok("broker", addr, make_request(rc::kDeleteTopicInBroker, {{"topic", topic}}),
                            "delete topic " + topic);
    if (!resp.is_ok()) return resp.status();
  }
  std::printf("delete topic [%s] from cluster [%s] success.\n", topic.c_str(), cluster.c_str());
  for (const auto& addr : ctx.namesrv_addrs()) {
    auto resp = ctx.call_ok("name server", addr,
                            make_request(rc::kDeleteTopicInNamesrv, {{"topic", topic}, {"clusterName", cluster}}),
                            "delete topic " + topic);
    if (!resp.is_ok()) return resp.status();
  }
  std::printf("delete topic [%s] from NameServer success.\n", topic.c_str());
  return Status::ok();
}

Status topic_list(AdminContext& ctx, const Options& o) {
  TERN_ASSIGN_OR_RETURN(resp, ctx.call_namesrv(make_request(rc::kGetAllTopicListFromNameserver), "get topic list"));
  TERN_ASSIGN_OR_RETURN(json, parse_json(resp.body));
  std::vector<std::string> topics;
  if (const JsonValue* list = json.find("topicList")) {
    for (const auto& t : list->values()) topics.push_back(t.text());
  }
  std::sort(topics.begin(), topics.end());
  if (!o.has('c')) {
    for (const auto& t : topics) std::printf("%s\n", t.c_str());
    return Status::ok();
  }
  TERN_ASSIGN_OR_RETURN(info, ctx.cluster_info());
  std::printf("%-20s  %-48s  %-48s\n", "#Cluster Name", "#Topic", "#Consumer Group");
  for (const auto& t : topics) {
    if (t.rfind("%RETRY%", 0) == 0 || t.rfind("%DLQ%", 0) == 0) continue;
    auto route = ctx.topic_route(t);
    if (!route.is_ok() || route->brokers.empty()) continue;
    std::string cluster = route->brokers.front().cluster;
    if (cluster.empty()) {
      auto it = info.brokers.find(route->brokers.front().broker_name);
      if (it != info.brokers.end()) cluster = it->second.cluster;
    }
    std::set<std::string> groups;
    for (const auto& b : route->brokers) {
      if (b.master().empty()) continue;
      auto who = ctx.call(b.master(), make_request(rc::kQueryTopicConsumeByWho, {{"topic", t}}));
      if (!who.is_ok() || who->code != code::kSuccess) continue;
      auto body = parse_json(who->body);
      if (!body.is_ok()) continue;
      if (const JsonValue* list = body->find("groupList")) {
        for (const auto& g : list->values()) groups.insert(g.text());
      }
    }
    if (groups.empty()) groups.insert("");
    for (const auto& g : groups) std::printf("%-20s  %-48s  %-48s\n", cluster.c_str(), t.c_str(), g.c_str());
  }
  return Status::ok();
}

Status topic_route(AdminContext& ctx, const Options& o) {
  TERN_ASSIGN_OR_RETURN(route, ctx.topic_route(o.get('t')));
  std::printf("%s\n", pretty_json(route.raw).c_str());
  return Status::ok();
}

Status topic_status(AdminContext& ctx, const Options& o) {
  std::string topic = o.get('t');
  TERN_ASSIGN_OR_RETURN(masters, topic_masters(ctx, topic));
  struct Row {
    int64_t min, max, last;
  };
  std::map<QueueKey, Row> rows;
  for (const auto& [name, addr] : masters) {
    TERN_ASSIGN_OR_RETURN(resp, ctx.call_ok("broker", addr, make_request(rc::kGetTopicStatsInfo, {{"topic", topic}}),
                          "get stats of topic " + topic));
    auto json = parse_fastjson(resp.body);
    if (!json.is_ok()) return Status::corruption("topic stats from broker " + addr + ": " + json.status().message());
    if (const JsonValue* table = json->find("offsetTable")) {
      for (auto [k, v] : map_entries(*table)) {
        rows[queue_key_of(*k)] = {json_int(*v, "minOffset"), json_int(*v, "maxOffset"),
                                  json_int(*v, "lastUpdateTimestamp")};
      }
    }
  }
  std::printf("%-32s  %-4s  %-20s  %-20s    %s\n", "#Broker Name", "#QID", "#Min Offset", "#Max Offset",
              "#Last Updated");
  for (const auto& [k, r] : rows) {
    std::string last = r.last > 0 ? human_time(r.last) : "";
    std::printf("%-32s  %-4d  %-20lld  %-20lld    %s\n", k.broker_name.c_str(), k.queue_id,
                static_cast<long long>(r.min), static_cast<long long>(r.max), last.c_str());
  }
  return Status::ok();
}

// --- brokers ---------------------------------------------------------------------------

Result<std::map<std::string, std::string>> runtime_info(AdminContext& ctx, const std::string& addr) {
  auto resp = ctx.call_ok("broker", addr, make_request(rc::kGetBrokerRuntimeInfo), "get broker runtime info");
  if (!resp.is_ok()) return resp.status();
  auto json = parse_json(resp->body);
  if (!json.is_ok()) return Status::corruption("runtime info from broker " + addr + ": " + json.status().message());
  std::map<std::string, std::string> out;
  if (const JsonValue* table = json->find("table"); table != nullptr && table->is_object()) {
    for (size_t i = 0; i < table->size(); ++i) out[table->keys()[i]] = table->values()[i].text();
  }
  return out;
}

Status cluster_list(AdminContext& ctx, const Options& o) {
  TERN_ASSIGN_OR_RETURN(info, ctx.cluster_info());
  std::string only = o.get('c');
  std::printf("%-16s  %-22s  %-4s  %-22s %-16s %19s %19s %10s %5s %6s\n", "#Cluster Name", "#Broker Name", "#BID",
              "#Addr", "#Version", "#InTPS(LOAD)", "#OutTPS(LOAD)", "#PCWait(ms)", "#Hour", "#SPACE");
  for (const auto& [cluster, names] : info.clusters) {
    if (!only.empty() && cluster != only) continue;
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& name : sorted) {
      auto it = info.brokers.find(name);
      if (it == info.brokers.end()) continue;
      for (const auto& [id, addr] : it->second.addrs) {
        auto rt = runtime_info(ctx, addr);
        std::map<std::string, std::string> t = rt.is_ok() ? *rt : std::map<std::string, std::string>{};
        auto num = [&](const char* k) { return t.count(k) ? std::strtod(t[k].c_str(), nullptr) : 0.0; };
        std::string version = t.count("brokerVersionDesc") ? t["brokerVersionDesc"] : "";
        double hours = 0;
        if (t.count("bootTimestamp")) {
          int64_t boot = std::strtoll(t["bootTimestamp"].c_str(), nullptr, 10);
          hours = boot > 0 ? static_cast<double>(*parse_time("now") - boot) / 3600000.0 : 0;
        }
        char in[64], out[64];
        std::snprintf(in, sizeof in, "%9.2f(%s,%sms)", num("putTps"), "0.0", "0");
        std::snprintf(out, sizeof out, "%9.2f(%s,%sms)", num("getTransferedTps"), "0.0", "0");
        std::printf("%-16s  %-22s  %-4lld  %-22s %-16s %19s %19s %10s %5.2f %-6.4f\n", cluster.c_str(), name.c_str(),
                    static_cast<long long>(id), addr.c_str(), version.c_str(), in, out,
                    t.count("pageCacheLockTimeMills") ? t["pageCacheLockTimeMills"].c_str() : "0", hours,
                    num("commitLogDiskRatio"));
      }
    }
  }
  return Status::ok();
}

Status broker_status(AdminContext& ctx, const Options& o) {
  if (o.has('b')) {
    TERN_ASSIGN_OR_RETURN(t, runtime_info(ctx, o.get('b')));
    for (const auto& [k, v] : t) std::printf("%-32s: %s\n", k.c_str(), v.c_str());
    return Status::ok();
  }
  TERN_ASSIGN_OR_RETURN(brokers, target_brokers(ctx, o, "brokerStatus"));
  for (const auto& addr : brokers) {
    TERN_ASSIGN_OR_RETURN(t, runtime_info(ctx, addr));
    for (const auto& [k, v] : t) std::printf("%-24s %-32s: %s\n", addr.c_str(), k.c_str(), v.c_str());
  }
  return Status::ok();
}

Status update_sub_group(AdminContext& ctx, const Options& o) {
  std::string group = o.get('g');
  TERN_ASSIGN_OR_RETURN(consume_enable, o.get_bool('s', true));
  TERN_ASSIGN_OR_RETURN(from_min, o.get_bool('m', false));
  TERN_ASSIGN_OR_RETURN(broadcast, o.get_bool('d', false));
  TERN_ASSIGN_OR_RETURN(retry_queues, o.get_int('q', 1));
  TERN_ASSIGN_OR_RETURN(retry_max, o.get_int('r', 16));
  TERN_ASSIGN_OR_RETURN(broker_id, o.get_int('i', 0));
  TERN_ASSIGN_OR_RETURN(slowly, o.get_int('w', 1));
  TERN_ASSIGN_OR_RETURN(notify, o.get_bool('a', true));
  JsonValue c = JsonValue::object();
  c.set("brokerId", JsonValue::number(broker_id));
  c.set("consumeBroadcastEnable", JsonValue::boolean(broadcast));
  c.set("consumeEnable", JsonValue::boolean(consume_enable));
  c.set("consumeFromMinEnable", JsonValue::boolean(from_min));
  c.set("groupName", JsonValue::string(group));
  c.set("notifyConsumerIdsChangedEnable", JsonValue::boolean(notify));
  c.set("retryMaxTimes", JsonValue::number(retry_max));
  c.set("retryQueueNums", JsonValue::number(retry_queues));
  c.set("whichBrokerWhenConsumeSlowly", JsonValue::number(slowly));
  std::string body = serialize_json(c);
  TERN_ASSIGN_OR_RETURN(brokers, target_brokers(ctx, o, "updateSubGroup"));
  for (const auto& addr : brokers) {
    auto resp = ctx.call_ok("broker", addr, make_request(rc::kUpdateAndCreateSubscriptionGroup, {}, body),
                            "create subscription group " + group);
    if (!resp.is_ok()) return resp.status();
    std::printf("create subscription group to %s success.\n", addr.c_str());
  }
  std::printf("%s\n", body.c_str());
  return Status::ok();
}

// --- consumers -------------------------------------------------------------------------

struct Progress {
  int64_t broker_offset = 0, consumer_offset = 0, last = 0;
};

// GET_CONSUME_STATS from every master, merged; *tps gets the summed consume TPS.
Result<std::map<QueueKey, Progress>> consume_stats(AdminContext& ctx, const std::string& group, double* tps) {
  TERN_ASSIGN_OR_RETURN(masters, ctx.masters(""));
  std::map<QueueKey, Progress> rows;
  for (const auto& [name, addr] : masters) {
    TERN_ASSIGN_OR_RETURN(resp, ctx.call_ok("broker", addr, make_request(rc::kGetConsumeStats, {{"consumerGroup", group}}),
                          "get consume stats of group " + group));
    auto json = parse_fastjson(resp.body);
    if (!json.is_ok()) return Status::corruption("consume stats from broker " + addr + ": " + json.status().message());
    *tps += json_double(*json, "consumeTps");
    if (const JsonValue* table = json->find("offsetTable")) {
      for (auto [k, v] : map_entries(*table)) {
        rows[queue_key_of(*k)] = {json_int(*v, "brokerOffset"), json_int(*v, "consumerOffset"),
                                  json_int(*v, "lastTimestamp")};
      }
    }
  }
  return rows;
}

Status consumer_progress(AdminContext& ctx, const Options& o) {
  if (o.has('g')) {
    std::string group = o.get('g');
    bool show_ip = o.has('s') && o.get('s') != "false";
    double tps = 0;
    TERN_ASSIGN_OR_RETURN(rows, consume_stats(ctx, group, &tps));
    if (show_ip) {
      std::printf("%-32s  %-32s  %-4s  %-20s  %-20s  %-20s  %-20s  %s\n", "#Topic", "#Broker Name", "#QID",
                  "#Broker Offset", "#Consumer Offset", "#Client IP", "#Diff", "#LastTime");
    } else {
      std::printf("%-32s  %-32s  %-4s  %-20s  %-20s  %-20s  %s\n", "#Topic", "#Broker Name", "#QID", "#Broker Offset",
                  "#Consumer Offset", "#Diff", "#LastTime");
    }
    int64_t total = 0;
    for (const auto& [k, p] : rows) {
      int64_t diff = p.broker_offset - p.consumer_offset;
      total += diff;
      std::string last = p.last > 0 ? human_time(p.last) : "N/A";
      if (show_ip) {
        std::printf("%-32s  %-32s  %-4d  %-20lld  %-20lld  %-20s  %-20lld  %s\n", k.topic.c_str(),
                    k.broker_name.c_str(), k.queue_id, static_cast<long long>(p.broker_offset),
                    static_cast<long long>(p.consumer_offset), "N/A", static_cast<long long>(diff), last.c_str());
      } else {
        std::printf("%-32s  %-32s  %-4d  %-20lld  %-20lld  %-20lld  %s\n", k.topic.c_str(), k.broker_name.c_str(),
                    k.queue_id, static_cast<long long>(p.broker_offset), static_cast<long long>(p.consumer_offset),
                    static_cast<long long>(diff), last.c_str());
      }
    }
    std::printf("\nConsume TPS: %.2f\n", tps);
    std::printf("Consume Diff Total: %lld\n", static_cast<long long>(total));
    return Status::ok();
  }
  // Every group: the groups are those with a %RETRY% topic.
  TERN_ASSIGN_OR_RETURN(resp, ctx.call_namesrv(make_request(rc::kGetAllTopicListFromNameserver), "get topic list"));
  TERN_ASSIGN_OR_RETURN(json, parse_json(resp.body));
  std::printf("%-32s  %-6s  %-24s %-5s  %-14s  %-7s  %s\n", "#Group", "#Count", "#Version", "#Type", "#Model", "#TPS",
              "#Diff Total");
  std::vector<std::string> groups;
  if (const JsonValue* list = json.find("topicList")) {
    for (const auto& t : list->values()) {
      if (t.text().rfind("%RETRY%", 0) == 0) groups.push_back(t.text().substr(7));
    }
  }
  std::sort(groups.begin(), groups.end());
  for (const auto& g : groups) {
    double tps = 0;
    auto rows = consume_stats(ctx, g, &tps);
    int64_t total = 0;
    if (rows.is_ok()) {
      for (const auto& [k, p] : *rows) total += p.broker_offset - p.consumer_offset;
    }
    std::printf("%-32s  %-6d  %-24s %-5s  %-14s  %-7.0f  %lld\n", g.c_str(), 0, "OFFLINE", "", "", tps,
                static_cast<long long>(total));
  }
  return Status::ok();
}

Status reset_offset_by_time(AdminContext& ctx, const Options& o) {
  std::string group = o.get('g');
  std::string topic = o.get('t');
  std::string when = o.get('s');
  TERN_ASSIGN_OR_RETURN(timestamp, parse_time(when));
  TERN_ASSIGN_OR_RETURN(force, o.get_bool('f', true));
  TERN_ASSIGN_OR_RETURN(masters, topic_masters(ctx, topic));
  std::map<QueueKey, int64_t> rows;
  for (const auto& [name, addr] : masters) {
    auto req = make_request(rc::kInvokeBrokerToResetOffset, {{"topic", topic},
                                                             {"group", group},
                                                             {"timestamp", std::to_string(timestamp)},
                                                             {"isForce", force ? "true" : "false"}});
    TERN_ASSIGN_OR_RETURN(resp, ctx.call_ok("broker", addr, std::move(req), "reset offsets of group " + group));
    auto json = parse_fastjson(resp.body);
    if (!json.is_ok()) return Status::corruption("reset offsets from broker " + addr + ": " + json.status().message());
    if (const JsonValue* table = json->find("offsetTable")) {
      for (auto [k, v] : map_entries(*table)) rows[queue_key_of(*k)] = v->as_int64().is_ok() ? *v->as_int64() : 0;
    }
  }
  std::printf("rollback consumer offset by specified group[%s], topic[%s], force[%s], timestamp(string)[%s], "
              "timestamp(long)[%lld]\n",
              group.c_str(), topic.c_str(), force ? "true" : "false", when.c_str(), static_cast<long long>(timestamp));
  std::printf("%-40s  %-40s  %-40s\n", "#brokerName", "#queueId", "#offset");
  for (const auto& [k, off] : rows) {
    std::printf("%-40s  %-40d  %-40lld\n", k.broker_name.c_str(), k.queue_id, static_cast<long long>(off));
  }
  return Status::ok();
}

// --- messages --------------------------------------------------------------------------

Result<std::vector<MessageExt>> query_by_key(AdminContext& ctx, const std::string& topic, const std::string& key,
                                             int64_t max, int64_t begin, int64_t end, bool unique) {
  auto masters = topic_masters(ctx, topic);
  if (!masters.is_ok()) return masters.status();
  std::vector<MessageExt> found;
  for (const auto& [name, addr] : *masters) {
    std::map<std::string, std::string> ext{{"topic", topic},
                                           {"key", key},
                                           {"maxNum", std::to_string(max)},
                                           {"beginTimestamp", std::to_string(begin)},
                                           {"endTimestamp", std::to_string(end)}};
    if (unique) ext["_UNIQUE_KEY_QUERY"] = "true";
    auto resp = ctx.call(addr, make_request(rc::kQueryMessage, std::move(ext)));
    if (!resp.is_ok()) return Status::unavailable("query message by key " + key + ": broker " + addr + ": " +
                                                  resp.status().message());
    if (resp->code == code::kQueryNotFound) continue;
    if (resp->code != code::kSuccess) {
      return Status::unavailable("query message by key " + key + ": broker " + addr + " answered code " +
                                 std::to_string(resp->code) + " (" + resp->remark.value_or("") + ")");
    }
    auto msgs = decode_records(resp->body);
    if (!msgs.is_ok()) return Status::corruption("messages from broker " + addr + ": " + msgs.status().message());
    for (auto& m : *msgs) found.push_back(std::move(m));
  }
  return found;
}

Status query_msg_by_key(AdminContext& ctx, const Options& o) {
  TERN_ASSIGN_OR_RETURN(max, o.get_int('c', 64));
  TERN_ASSIGN_OR_RETURN(begin, o.get_int('b', 0));
  TERN_ASSIGN_OR_RETURN(end, o.get_int('e', INT64_MAX));
  TERN_ASSIGN_OR_RETURN(msgs, query_by_key(ctx, o.get('t'), o.get('k'), max, begin, end, false));
  std::printf("%-50s %4s %40s\n", "#Message ID", "#QID", "#Offset");
  for (const auto& m : msgs) {
    std::printf("%-50s %4d %40lld\n", display_msg_id(m).c_str(), m.queue_id, static_cast<long long>(m.queue_offset));
  }
  return Status::ok();
}

Status query_msg_by_id(AdminContext& ctx, const Options& o) {
  std::string ids = o.get('i');
  size_t start = 0;
  while (start <= ids.size()) {
    size_t comma = ids.find(',', start);
    std::string id = ids.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? ids.size() + 1 : comma + 1;
    if (id.empty()) continue;
    auto decoded = client::internal::decode_offset_msg_id(id);
    std::vector<MessageExt> msgs;
    Status by_offset = decoded.status();
    if (decoded.is_ok()) {
      const std::string addr = decoded->store_host.to_string();
      const int64_t offset = decoded->commit_log_offset;
      auto resp = ctx.call_ok("broker", addr, make_request(rc::kViewMessageById, {{"offset", std::to_string(offset)}}),
                              "view message " + id);
      if (resp.is_ok()) {
        auto m = decode_records(resp->body);
        if (!m.is_ok()) return Status::corruption("message from broker " + addr + ": " + m.status().message());
        msgs = std::move(*m);
      } else {
        by_offset = resp.status();
      }
    }
    if (msgs.empty() && o.has('t')) {
      // Not an offset id (or not found by it): a client unique id (UNIQ_KEY).
      auto m = query_by_key(ctx, o.get('t'), id, 32, 0, INT64_MAX, true);
      if (m.is_ok()) msgs = std::move(*m);
    }
    if (msgs.empty()) {
      return Status::not_found("message " + id + " not found: " + by_offset.message() +
                               (o.has('t') ? "" : " (for a unique key, also give the topic with -t)"));
    }
    for (const auto& m : msgs) print_message(m);
  }
  return Status::ok();
}

// Pulls up to `max` messages of one queue from `offset`; `next` gets nextBeginOffset.
Result<std::vector<MessageExt>> pull(AdminContext& ctx, const std::string& addr, const std::string& group,
                                     const std::string& topic, int32_t queue, int64_t offset, int32_t max,
                                     int64_t* next) {
  auto req = make_request(rc::kPullMessage, {{"consumerGroup", group},
                                              {"topic", topic},
                                              {"queueId", std::to_string(queue)},
                                              {"queueOffset", std::to_string(offset)},
                                              {"maxMsgNums", std::to_string(max)},
                                              {"sysFlag", "4"},  // SUBSCRIPTION: the "*" below, no heartbeat needed
                                              {"commitOffset", "0"},
                                              {"suspendTimeoutMillis", "0"},
                                              {"subscription", "*"},
                                              {"subVersion", "0"},
                                              {"expressionType", "TAG"}});
  auto resp = ctx.call(addr, std::move(req));
  if (!resp.is_ok()) return Status::unavailable("pull " + topic + ": broker " + addr + ": " + resp.status().message());
  *next = offset;
  if (auto it = resp->ext_fields.find("nextBeginOffset"); it != resp->ext_fields.end()) {
    *next = std::strtoll(it->second.c_str(), nullptr, 10);
  }
  if (resp->code == code::kPullNotFound || resp->code == code::kPullOffsetMoved ||
      resp->code == code::kPullRetryImmediately) {
    return std::vector<MessageExt>{};
  }
  if (resp->code != code::kSuccess) {
    return Status::unavailable("pull " + topic + ": broker " + addr + " answered code " + std::to_string(resp->code) +
                               " (" + resp->remark.value_or("") + ")");
  }
  auto msgs = decode_records(resp->body);
  if (!msgs.is_ok()) return Status::corruption("messages from broker " + addr + ": " + msgs.status().message());
  return msgs;
}

Result<int64_t> broker_offset(AdminContext& ctx, const std::string& addr, int32_t code_, const std::string& topic,
                              int32_t queue, std::map<std::string, std::string> extra = {}) {
  extra["topic"] = topic;
  extra["queueId"] = std::to_string(queue);
  auto resp = ctx.call_ok("broker", addr, make_request(code_, std::move(extra)), "offset lookup on " + topic);
  if (!resp.is_ok()) return resp.status();
  return static_cast<int64_t>(std::strtoll(resp->ext_fields["offset"].c_str(), nullptr, 10));
}

Status query_msg_by_offset(AdminContext& ctx, const Options& o) {
  std::string topic = o.get('t');
  TERN_ASSIGN_OR_RETURN(queue, o.get_int('i', 0));
  TERN_ASSIGN_OR_RETURN(offset, o.get_int('o', 0));
  TERN_ASSIGN_OR_RETURN(route, ctx.topic_route(topic));
  const BrokerEntry* b = route.broker(o.get('b'));
  if (b == nullptr || b->master().empty()) {
    return Status::not_found("broker " + o.get('b') + " does not serve topic " + topic);
  }
  int64_t next = 0;
  TERN_ASSIGN_OR_RETURN(msgs, pull(ctx, b->master(), "TOOLS_CONSUMER", topic, static_cast<int32_t>(queue), offset, 1, &next));
  if (msgs.empty()) {
    return Status::not_found("no message at offset " + std::to_string(offset) + " of queue " + std::to_string(queue) +
                             " of topic " + topic + " on broker " + b->master());
  }
  print_message(msgs.front());
  return Status::ok();
}

// Where a send lands and what the broker answered.
struct Sent {
  std::string broker_name;
  std::string queue_id;
  std::string offset_msg_id;
};

// Sends one message (SEND_MESSAGE_V2) to a writable queue of `topic`, optionally only
// broker `broker_name` / queue `queue_id`; `seq` picks among the candidates. `props`
// should carry a UNIQ_KEY.
Result<Sent> send_to_topic(AdminContext& ctx, const std::string& topic, const PropertyMap& props,
                           const std::string& body, const std::string& broker_name,
                           std::optional<int64_t> queue_id, uint64_t seq) {
  TERN_ASSIGN_OR_RETURN(route, ctx.topic_route(topic));
  std::vector<std::pair<std::string, int32_t>> queues;  // broker name, queue id
  for (const auto& q : route.queues) {
    if (!broker_name.empty() && q.broker_name != broker_name) continue;
    if ((q.perm & 2) == 0) continue;
    for (int32_t i = 0; i < q.write_queue_nums; ++i) {
      if (!queue_id || *queue_id == i) queues.emplace_back(q.broker_name, i);
    }
  }
  if (queues.empty()) return Status::not_found("no writable queue of topic " + topic + " matches -b/-i");
  auto [name, queue] = queues[seq % queues.size()];
  const BrokerEntry* b = route.broker(name);
  if (b == nullptr || b->master().empty()) return Status::not_found("broker " + name + " has no master");
  auto req = make_request(rc::kSendMessageV2, {{"a", "TOOLS_PRODUCER"},
                                               {"b", topic},
                                               {"c", "TBW102"},
                                               {"d", "4"},
                                               {"e", std::to_string(queue)},
                                               {"f", "0"},
                                               {"g", std::to_string(*parse_time("now"))},
                                               {"h", "0"},
                                               {"i", encode_properties(props)},
                                               {"j", "0"},
                                               {"k", "false"}},
                          body);
  TERN_ASSIGN_OR_RETURN(resp, ctx.call_ok("broker", b->master(), std::move(req), "send message to " + topic));
  return Sent{name, resp.ext_fields["queueId"], resp.ext_fields["msgId"]};
}

Status send_message(AdminContext& ctx, const Options& o) {
  std::optional<int64_t> qid;
  if (o.has('i')) {
    TERN_ASSIGN_OR_RETURN(q, o.get_int('i', 0));
    qid = q;
  }
  PropertyMap props;
  std::string uniq = client::internal::create_uniq_id();
  props.insert_or_assign(std::string(property::kUniqueClientMessageId), uniq);
  if (o.has('c')) props.insert_or_assign(std::string(property::kTags), o.get('c'));
  if (o.has('k')) props.insert_or_assign(std::string(property::kKeys), o.get('k'));
  props.insert_or_assign(std::string(property::kWaitStoreMsgOk), "true");
  TERN_ASSIGN_OR_RETURN(sent, send_to_topic(ctx, o.get('t'), props, o.get('p'), o.get('b'), qid,
                          static_cast<uint64_t>(*parse_time("now"))));
  std::printf("%-32s  %-4s  %-20s    %-32s  %s\n", "#Broker Name", "#QID", "#Send Result", "#MsgId", "#OffsetMsgId");
  std::printf("%-32s  %-4s  %-20s    %-32s  %s\n", sent.broker_name.c_str(), sent.queue_id.c_str(), "SEND_OK",
              uniq.c_str(), sent.offset_msg_id.c_str());
  return Status::ok();
}

// Every message of `topic` on every master serving it (min to max offset of each queue).
Result<std::vector<MessageExt>> read_topic(AdminContext& ctx, const std::string& topic) {
  TERN_ASSIGN_OR_RETURN(route, ctx.topic_route(topic));
  std::vector<MessageExt> out;
  for (const auto& q : route.queues) {
    const BrokerEntry* b = route.broker(q.broker_name);
    if (b == nullptr || b->master().empty()) continue;
    for (int32_t i = 0; i < q.read_queue_nums; ++i) {
      TERN_ASSIGN_OR_RETURN(offset, broker_offset(ctx, b->master(), rc::kGetMinOffset, topic, i));
      TERN_ASSIGN_OR_RETURN(max, broker_offset(ctx, b->master(), rc::kGetMaxOffset, topic, i));
      int64_t at = offset;
      while (at < max) {
        int64_t next = at;
        TERN_ASSIGN_OR_RETURN(msgs, pull(ctx, b->master(), "TOOLS_CONSUMER", topic, i, at, 32, &next));
        for (auto& m : msgs) out.push_back(std::move(m));
        if (next <= at) break;
        at = next;
      }
    }
  }
  return out;
}

// The dead letters of a group; NotFound naming the group when it has none.
Result<std::vector<MessageExt>> dead_letters(AdminContext& ctx, const std::string& group) {
  const std::string dlq = std::string(topic_names::dlq_topic(group));
  auto msgs = read_topic(ctx, dlq);
  if (!msgs.is_ok() && msgs.status().is_not_found()) {
    return Status::not_found("consumer group " + group + " has no dead letters (" + msgs.status().message() + ")");
  }
  return msgs;
}

// The topic a dead letter was consumed from: RETRY_TOPIC (set by every send-back).
std::string origin_topic(const MessageExt& m) { return std::string(m.property(property::kRetryTopic)); }

Status query_dlq_msg(AdminContext& ctx, const Options& o) {
  const std::string group = o.get('g');
  TERN_ASSIGN_OR_RETURN(max, o.get_int('c', 128));
  TERN_ASSIGN_OR_RETURN(msgs, dead_letters(ctx, group));
  std::printf("%-34s %-24s %-10s %-25s %-20s %s\n", "#MsgId", "#OriginTopic", "#Reconsume", "#StoreTime", "#Tags",
              "#Keys");
  int64_t printed = 0;
  for (const auto& m : msgs) {
    if (printed++ >= max) break;
    std::printf("%-34s %-24s %-10d %-25s %-20s %s\n", display_msg_id(m).c_str(), origin_topic(m).c_str(),
                m.reconsume_times, human_time(m.store_timestamp).c_str(), std::string(m.tags()).c_str(),
                std::string(m.property(property::kKeys)).c_str());
  }
  std::printf("%zu dead letter(s) of consumer group %s\n", msgs.size(), group.c_str());
  return Status::ok();
}

Status resend_dlq_msg(AdminContext& ctx, const Options& o) {
  const std::string group = o.get('g');
  std::set<std::string> wanted;  // -i: UNIQ_KEYs or offset ids, comma-separated; empty: all
  for (size_t start = 0; o.has('i') && start <= o.get('i').size();) {
    const std::string ids = o.get('i');
    size_t comma = ids.find(',', start);
    std::string id = ids.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!id.empty()) wanted.insert(id);
    start = comma == std::string::npos ? ids.size() + 1 : comma + 1;
  }
  TERN_ASSIGN_OR_RETURN(msgs, dead_letters(ctx, group));
  std::printf("%-34s %-24s %-12s %s\n", "#MsgId", "#Topic", "#Result", "#NewOffsetMsgId");
  std::set<std::string> found;
  int failures = 0;
  uint64_t seq = static_cast<uint64_t>(*parse_time("now"));
  for (const auto& m : msgs) {
    const std::string id = display_msg_id(m);
    if (!wanted.empty() && !wanted.count(id) && !wanted.count(m.msg_id)) continue;
    found.insert(wanted.count(id) ? id : m.msg_id);
    std::string topic = o.has('t') ? o.get('t') : origin_topic(m);
    if (topic.empty()) {
      std::printf("%-34s %-24s %-12s %s\n", id.c_str(), "?", "FAILED", "no RETRY_TOPIC: give the topic with -t");
      ++failures;
      continue;
    }
    // A fresh message to the original topic: same msgId, keys, tags and user properties;
    // the retry bookkeeping is dropped so the group gets a full set of tries again.
    PropertyMap props = m.properties;
    for (std::string_view name : {property::kDelayTimeLevel, property::kRealTopic, property::kRealQueueId,
                                  property::kRetryTopic, property::kWaitStoreMsgOk, property::kReconsumeTime,
                                  property::kMaxReconsumeTimes}) {
      auto it = props.find(name);
      if (it != props.end()) props.erase(it);
    }
    if (props.find(property::kUniqueClientMessageId) == props.end()) {
      props.insert_or_assign(std::string(property::kUniqueClientMessageId), id);
    }
    auto sent = send_to_topic(ctx, topic, props, m.body, "", std::nullopt, seq++);
    if (!sent.is_ok()) {
      std::printf("%-34s %-24s %-12s %s\n", id.c_str(), topic.c_str(), "FAILED", sent.status().message().c_str());
      ++failures;
      continue;
    }
    std::printf("%-34s %-24s %-12s %s\n", id.c_str(), topic.c_str(), "SEND_OK", sent->offset_msg_id.c_str());
  }
  for (const auto& id : wanted) {
    if (!found.count(id)) {
      std::printf("%-34s %-24s %-12s %s\n", id.c_str(), "?", "NOT_FOUND", ("not a dead letter of " + group).c_str());
      ++failures;
    }
  }
  if (failures > 0) return Status::internal(std::to_string(failures) + " dead letter(s) of " + group + " not resent");
  return Status::ok();
}

Status consume_message(AdminContext& ctx, const Options& o) {
  std::string topic = o.get('t');
  std::string group = o.get('g', "TOOLS_CONSUMER");
  TERN_ASSIGN_OR_RETURN(count, o.get_int('c', 128));
  TERN_ASSIGN_OR_RETURN(route, ctx.topic_route(topic));
  int64_t begin = 0, end = INT64_MAX;
  if (o.has('s')) {
    TERN_ASSIGN_OR_RETURN(t, parse_time(o.get('s')));
    begin = t;
  }
  if (o.has('e')) {
    TERN_ASSIGN_OR_RETURN(t, parse_time(o.get('e')));
    end = t;
  }
  int64_t printed = 0;
  for (const auto& q : route.queues) {
    if (o.has('b') && q.broker_name != o.get('b')) continue;
    const BrokerEntry* b = route.broker(q.broker_name);
    if (b == nullptr || b->master().empty()) continue;
    for (int32_t i = 0; i < q.read_queue_nums && printed < count; ++i) {
      if (o.has('i') && std::to_string(i) != o.get('i')) continue;
      int64_t offset = 0;
      if (o.has('o')) {
        TERN_ASSIGN_OR_RETURN(off, o.get_int('o', 0));
        offset = off;
      } else if (o.has('s')) {
        TERN_ASSIGN_OR_RETURN(off, broker_offset(ctx, b->master(), rc::kSearchOffsetByTimestamp, topic, i,
                               {{"timestamp", std::to_string(begin)}}));
        offset = off;
      } else {
        TERN_ASSIGN_OR_RETURN(off, broker_offset(ctx, b->master(), rc::kGetMinOffset, topic, i));
        offset = off;
      }
      TERN_ASSIGN_OR_RETURN(max, broker_offset(ctx, b->master(), rc::kGetMaxOffset, topic, i));
      while (offset < max && printed < count) {
        int64_t next = offset;
        TERN_ASSIGN_OR_RETURN(msgs, pull(ctx, b->master(), group, topic, i, offset,
                       static_cast<int32_t>(std::min<int64_t>(32, count - printed)), &next));
        for (const auto& m : msgs) {
          if (m.store_timestamp < begin || m.store_timestamp > end || printed >= count) continue;
          std::printf("MSGID: %s MessageExt [brokerName=%s, queueId=%d, queueOffset=%lld, storeTimestamp=%s, "
                      "tags=%s, keys=%s] BODY: %s\n",
                      display_msg_id(m).c_str(), q.broker_name.c_str(), m.queue_id,
                      static_cast<long long>(m.queue_offset), human_time(m.store_timestamp).c_str(),
                      std::string(m.tags()).c_str(), std::string(m.property(property::kKeys)).c_str(),
                      m.body.c_str());
          ++printed;
        }
        if (next <= offset) break;
        offset = next;
      }
    }
  }
  std::printf("Consume ok, %lld message(s)\n", static_cast<long long>(printed));
  return Status::ok();
}

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"updateTopic", "Update or create topic",
       {{'b', "brokerAddr", true, false, "create topic to which broker"},
        {'c', "clusterName", true, false, "create topic to which cluster"},
        {'t', "topic", true, true, "topic name"},
        {'r', "readQueueNums", true, false, "set read queue nums (8)"},
        {'w', "writeQueueNums", true, false, "set write queue nums (8)"},
        {'p', "perm", true, false, "set topic's permission(2|4|6), intro[2:W 4:R; 6:RW] (6)"},
        {'o', "order", true, false, "set topic's order(true|false)"}},
       update_topic},
      {"deleteTopic", "Delete topic from broker and NameServer.",
       {{'t', "topic", true, true, "topic name"}, {'c', "clusterName", true, true, "delete topic from which cluster"}},
       delete_topic},
      {"topicList", "Fetch all topic list from name server",
       {{'c', "clusterModel", false, false, "clusterModel: also print cluster and consumer groups"}}, topic_list},
      {"topicRoute", "Examine topic route info", {{'t', "topic", true, true, "topic name"}}, topic_route},
      {"topicStatus", "Examine topic Status info", {{'t', "topic", true, true, "topic name"}}, topic_status},
      {"clusterList", "List all of clusters",
       {{'m', "moreStats", false, false, "Print more stats"},
        {'i', "interval", true, false, "specify intervals numbers, it is in seconds"},
        {'c', "clusterName", true, false, "which cluster"}},
       cluster_list},
      {"brokerStatus", "Fetch broker runtime status data",
       {{'b', "brokerAddr", true, false, "Broker address"}, {'c', "clusterName", true, false, "which cluster"}},
       broker_status},
      {"updateSubGroup", "Update or create subscription group",
       {{'b', "brokerAddr", true, false, "create subscription group to which broker"},
        {'c', "clusterName", true, false, "create subscription group to which cluster"},
        {'g', "groupName", true, true, "consumer group name"},
        {'s', "consumeEnable", true, false, "consume enable"},
        {'m', "consumeFromMinEnable", true, false, "from min offset"},
        {'d', "consumeBroadcastEnable", true, false, "broadcast"},
        {'q', "retryQueueNums", true, false, "retry queue nums"},
        {'r', "retryMaxTimes", true, false, "retry max times"},
        {'i', "brokerId", true, false, "consumer from which broker id"},
        {'w', "whichBrokerWhenConsumeSlowly", true, false, "which broker id when consume slowly"},
        {'a', "notifyConsumerIdsChanged", true, false, "notify consumerId changed"}},
       update_sub_group},
      {"consumerProgress", "Query consumers's progress, speed",
       {{'g', "groupName", true, false, "consumer group name"},
        {'s', "showClientIP", true, false, "Show Client IP per Queue"}},
       consumer_progress},
      {"queryMsgById", "Query Message by Id",
       {{'i', "msgId", true, true, "Message Id (offset message id, or a unique key with -t)"},
        {'t', "topic", true, false, "topic name (to look up a unique key)"}},
       query_msg_by_id},
      {"queryMsgByKey", "Query Message by Key",
       {{'t', "topic", true, true, "topic name"},
        {'k', "msgKey", true, true, "Message Key"},
        {'b', "beginTimestamp", true, false, "Begin timestamp(ms). default:0"},
        {'e', "endTimestamp", true, false, "End timestamp(ms). default:Long.MAX_VALUE"},
        {'c', "maxNum", true, false, "The maximum number of messages returned by the query, default:64"}},
       query_msg_by_key},
      {"queryMsgByOffset", "Query Message by offset",
       {{'t', "topic", true, true, "topic name"},
        {'b', "brokerName", true, true, "Broker Name"},
        {'i', "queueId", true, true, "Queue Id"},
        {'o', "offset", true, true, "Queue Offset"}},
       query_msg_by_offset},
      {"resetOffsetByTime", "Reset consumer offset by timestamp(without client restart).",
       {{'g', "group", true, true, "set the consumer group"},
        {'t', "topic", true, true, "set the topic"},
        {'s', "timestamp", true, true,
         "set the timestamp[now|currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
        {'f', "force", true, false, "set the force rollback by timestamp switch[true|false] (true)"},
        {'c', "cplus", false, false, "reset c++ client offset"}},
       reset_offset_by_time},
      {"sendMessage", "Send a message",
       {{'t', "topic", true, true, "Topic name"},
        {'p', "body", true, true, "UTF-8 string format of the message body"},
        {'k', "key", true, false, "Message keys"},
        {'c', "tags", true, false, "Message tags"},
        {'b', "broker", true, false, "Send message to target broker"},
        {'i', "qid", true, false, "Send message to target queue"}},
       send_message},
      {"queryDlqMsg", "List the dead letters (%DLQ%<group>) of a consumer group",
       {{'g', "consumerGroup", true, true, "consumer group name"},
        {'c', "maxNum", true, false, "most messages listed (128)"}},
       query_dlq_msg},
      {"resendDlqMsg", "Resend dead letters of a consumer group to their original topic",
       {{'g', "consumerGroup", true, true, "consumer group name"},
        {'i', "msgId", true, false, "only these messages (msgId or offset id, comma-separated); default: all"},
        {'t', "topic", true, false, "send to this topic instead of the original one"}},
       resend_dlq_msg},
      {"consumeMessage", "Consume message",
       {{'t', "topic", true, true, "Topic name"},
        {'b', "brokerName", true, false, "Broker name"},
        {'i', "queueId", true, false, "Queue Id"},
        {'o', "offset", true, false, "Queue Offset"},
        {'g', "consumerGroup", true, false, "Consumer group name"},
        {'s', "beginTimestamp", true, false, "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
        {'e', "endTimestamp", true, false, "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
        {'c', "MessageNumber", true, false, "Number of message to be consumed (128)"}},
       consume_message},
  };
  return kCommands;
}

void print_help() {
  std::printf("The most commonly used mqadmin commands are:\n");
  for (const auto& c : commands()) std::printf("   %-20s %s\n", c.name, c.description);
  std::printf("\nSee 'mqadmin help <command>' for more information on a specific command.\n");
}

int run(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
    print_help();
    return argc < 2 ? 1 : 0;
  }
  std::string name = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (name == "help") {
    if (args.empty()) {
      print_help();
      return 0;
    }
    name = args.front();
    args = {"-h"};
  }
  const Command* cmd = nullptr;
  for (const auto& c : commands()) {
    if (name == c.name) cmd = &c;
  }
  if (cmd == nullptr) {
    std::fprintf(stderr, "mqadmin: the sub command %s not exist.\n", name.c_str());
    print_help();
    return 1;
  }
  auto options = Options::parse(args, cmd->specs);
  if (!options.is_ok()) {
    std::fprintf(stderr, "mqadmin %s: %s\n", cmd->name, options.status().message().c_str());
    print_usage(cmd->name, cmd->specs);
    return 1;
  }
  if (options->has('h')) {
    print_usage(cmd->name, cmd->specs);
    return 0;
  }
  AdminContext ctx(options->get('n'));
  Status s = cmd->run(ctx, *options);
  std::fflush(stdout);
  if (!s.is_ok()) {
    std::fprintf(stderr, "mqadmin %s: %s\n", cmd->name, s.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace tern::tools

int main(int argc, char** argv) { return tern::tools::run(argc, argv); }
