// What every mqadmin subcommand needs: the command line (RocketMQ's flag letters and long
// names), a remoting client with name-server and broker calls whose failures name the
// server and the cause, route and cluster lookups, readers for fastjson's object-keyed
// maps (PROTOCOL.md §5), JSON pretty printing and message printing.
//
// Thread-safety: one AdminContext per process, used from the main thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codes.h"
#include "fastjson.h"  // sdk/src
#include "json/json.h"
#include "remoting_client.h"
#include "runtime/io_context_pool.h"
#include "tern/message.h"
#include "tern/status.h"

namespace tern::tools {

// One flag of a subcommand: `-t` / `--topic`.
struct OptionSpec {
  char letter;
  const char* name;
  bool has_arg;
  bool required;
  const char* description;
};

// The parsed flags of a subcommand.
class Options {
 public:
  // Parses `args` against `specs` (plus -h/--help and -n/--namesrvAddr, which every
  // subcommand takes). InvalidArgument naming the flag for an unknown flag, a missing
  // value or a missing required flag (unless -h was given).
  static Result<Options> parse(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

  bool has(char letter) const { return values_.count(letter) != 0; }
  std::string get(char letter, std::string fallback = {}) const;
  // The flag as a number; InvalidArgument naming it when it is not one.
  Result<int64_t> get_int(char letter, int64_t fallback) const;
  Result<bool> get_bool(char letter, bool fallback) const;

 private:
  std::map<char, std::string> values_;
};

// Prints a subcommand's usage: "usage: mqadmin <name> [-h] ..." and one line per flag.
void print_usage(const std::string& command, const std::vector<OptionSpec>& specs);

// A broker as the name server's cluster info describes it.
struct BrokerEntry {
  std::string cluster;
  std::string broker_name;
  std::map<int64_t, std::string> addrs;  // broker id -> "ip:port"; 0 = master
  std::string master() const {
    auto it = addrs.find(0);
    return it == addrs.end() ? std::string() : it->second;
  }
};

struct ClusterInfo {
  std::map<std::string, BrokerEntry> brokers;                // by broker name
  std::map<std::string, std::vector<std::string>> clusters;  // cluster -> broker names
};

struct QueueData {
  std::string broker_name;
  int32_t read_queue_nums = 0;
  int32_t write_queue_nums = 0;
  int32_t perm = 0;
};

struct TopicRoute {
  std::vector<QueueData> queues;
  std::vector<BrokerEntry> brokers;
  JsonValue raw;  // the body as the name server sent it
  const BrokerEntry* broker(const std::string& name) const;
};

// A fastjson map with MessageQueue keys, e.g. TopicStatsTable's offsetTable.
struct QueueKey {
  std::string topic;
  std::string broker_name;
  int32_t queue_id = 0;
  friend auto operator<=>(const QueueKey&, const QueueKey&) = default;
};

class AdminContext {
 public:
  // `namesrv` is "-n" ("host:port;host:port"), else NAMESRV_ADDR; may be empty when a
  // subcommand only talks to brokers named with -b.
  explicit AdminContext(std::string namesrv);
  ~AdminContext();

  // Sends to `addr`; Unavailable/Timeout naming the address when it cannot be reached.
  Result<remoting::RemotingCommand> call(const std::string& addr, remoting::RemotingCommand request);
  // Like call(), but also a failed Status when the answer's code is not `expected`:
  // "<role> <addr> answered <code> (<remark>) to <what>".
  Result<remoting::RemotingCommand> call_ok(const std::string& role, const std::string& addr,
                                            remoting::RemotingCommand request, const std::string& what,
                                            int32_t expected = remoting::response_code::kSuccess);
  // Sends to the name servers in turn until one answers; InvalidArgument when none is set.
  Result<remoting::RemotingCommand> call_namesrv(remoting::RemotingCommand request, const std::string& what,
                                                 int32_t expected = remoting::response_code::kSuccess);
  const std::vector<std::string>& namesrv_addrs() const { return namesrv_; }

  Result<ClusterInfo> cluster_info();
  // NotFound "no route info of topic X" when the name server answers TOPIC_NOT_EXIST.
  Result<TopicRoute> topic_route(const std::string& topic);
  // Master addresses of a cluster (every cluster when `cluster` is empty), sorted by broker name.
  Result<std::vector<std::pair<std::string, std::string>>> masters(const std::string& cluster);

 private:
  std::vector<std::string> namesrv_;
  std::unique_ptr<kernel::IoContextPool> pool_;
  std::unique_ptr<Logger> logger_;
  std::unique_ptr<remoting::RemotingClient> client_;
};

// A request as the tools send it (language CPP, version 4.9.8).
remoting::RemotingCommand make_request(int32_t code, std::map<std::string, std::string> ext = {},
                                       std::string body = {});

// fastjson maps with object keys: sdk/src/fastjson.h.
using client::internal::map_entries;
using client::internal::parse_fastjson;
QueueKey queue_key_of(const JsonValue& key);

// Field readers that tolerate absent members.
std::string json_str(const JsonValue& obj, std::string_view key);
int64_t json_int(const JsonValue& obj, std::string_view key, int64_t fallback = 0);
double json_double(const JsonValue& obj, std::string_view key);

// JSON with tab indentation, as fastjson's pretty format prints it.
std::string pretty_json(const JsonValue& value);

// "yyyy-MM-dd HH:mm:ss,SSS" local time (RocketMQ's timeMillisToHumanString2).
std::string human_time(int64_t ms);
// Parses "now", a number of ms, or "yyyy-MM-dd#HH:mm:ss:SSS" (local time).
Result<int64_t> parse_time(const std::string& text);

// The message records of a pull / view / query answer body.
Result<std::vector<MessageExt>> decode_records(std::string_view body);
// The message id mqadmin shows: UNIQ_KEY when set, else the offset message id.
std::string display_msg_id(const MessageExt& msg);
// queryMsgById's layout: "OffsetID:", "Topic:", ... one "%-20s %s" line each.
void print_message(const MessageExt& msg);

}  // namespace tern::tools
