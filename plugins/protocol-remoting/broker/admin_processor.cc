// AdminProcessor (contract in admin_processor.h).
#include "admin_processor.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "codes.h"
#include "header_reader.h"
#include "json/json.h"
#include "tern/version.h"
#include "topic_config_json.h"

namespace tern::remoting {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RemotingCommand error(const RemotingCommand& request, int32_t code, std::string remark) {
  return make_response(request, code, std::move(remark));
}

// The queues of a topic a reader sees: as many as the larger of its read and write counts.
int32_t queue_count(const TopicConfig& config) { return std::max(config.read_queue_nums, config.write_queue_nums); }

const char* consume_type_name(ConsumeType t) {
  return t == ConsumeType::kActively ? "CONSUME_ACTIVELY" : "CONSUME_PASSIVELY";
}
const char* message_model_name(MessageModel m) {
  return m == MessageModel::kBroadcasting ? "BROADCASTING" : "CLUSTERING";
}
const char* consume_from_name(ConsumeFromWhere w) {
  switch (w) {
    case ConsumeFromWhere::kFirstOffset: return "CONSUME_FROM_FIRST_OFFSET";
    case ConsumeFromWhere::kTimestamp: return "CONSUME_FROM_TIMESTAMP";
    case ConsumeFromWhere::kLastOffset: break;
  }
  return "CONSUME_FROM_LAST_OFFSET";
}

// Big-endian reads from a stored record (PROTOCOL.md §4).
int64_t read_be(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return static_cast<int64_t>(v);
}

}  // namespace

bool AdminProcessor::handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  RemotingCommand response;
  switch (request.code) {
    case request_code::kUpdateAndCreateTopic: response = update_topic(request); break;
    case request_code::kDeleteTopicInBroker: response = delete_topic(request); break;
    case request_code::kGetAllTopicConfig: response = all_topics(request); break;
    case request_code::kUpdateAndCreateSubscriptionGroup: response = update_group(request); break;
    case request_code::kGetAllSubscriptionGroupConfig: response = all_groups(request); break;
    case request_code::kDeleteSubscriptionGroup: response = delete_group(request); break;
    case request_code::kGetBrokerRuntimeInfo: response = runtime_info(request); break;
    case request_code::kViewMessageById: view_message(conn, request); return true;
    case request_code::kQueryMessage: query_message(conn, request); return true;
    case request_code::kGetTopicStatsInfo: response = topic_stats(request); break;
    case request_code::kGetConsumeStats: response = consume_stats(request); break;
    case request_code::kQueryTopicConsumeByWho: response = consumed_by_who(request); break;
    case request_code::kGetConsumerConnectionList: response = consumer_connections(request); break;
    case request_code::kInvokeBrokerToResetOffset: response = reset_offset(request); break;
    default: return false;
  }
  conn->respond(request, std::move(response));
  return true;
}

RemotingCommand AdminProcessor::update_topic(const RemotingCommand& request) {
  HeaderReader h(request);
  TopicConfig c;
  c.topic_name = h.str("topic");
  c.read_queue_nums = h.i32("readQueueNums");
  c.write_queue_nums = h.i32("writeQueueNums");
  c.perm = h.i32("perm");
  c.topic_filter_type = h.str_or("topicFilterType", "SINGLE_TAG") == "MULTI_TAG" ? TopicFilterType::kMultiTag
                                                                               : TopicFilterType::kSingleTag;
  c.topic_sys_flag = h.i32_or("topicSysFlag", 0);
  c.order = h.bool_or("order", false);
  if (!h.ok()) return error(request, response_code::kSystemError, h.error());
  if (c.topic_name == ctx_.cluster_name) {
    return error(request, response_code::kSystemError,
                 "the topic[" + c.topic_name + "] is conflict with system reserved words (the cluster name)");
  }
  Status s = ctx_.broker().topics().create_or_update(c);
  if (!s.is_ok()) return error(request, response_code::kSystemError, s.message());
  ctx_.logger.info("topic ", c.topic_name, " created or updated: ", c.read_queue_nums, " read / ", c.write_queue_nums,
                   " write queues, perm ", c.perm);
  return make_response(request, response_code::kSuccess);
}

RemotingCommand AdminProcessor::delete_topic(const RemotingCommand& request) {
  HeaderReader h(request);
  std::string topic = h.str("topic");
  if (!h.ok()) return error(request, response_code::kSystemError, h.error());
  Status s = ctx_.broker().topics().remove(topic);
  if (!s.is_ok() && s.code() != Status::Code::kNotFound) return error(request, response_code::kSystemError, s.message());
  ctx_.broker().consumer_offsets().remove_topic(topic);
  if (MessageStore* store = ctx_.store()) {
    Status ds = store->delete_topic(topic);
    if (!ds.is_ok()) ctx_.logger.warn("deleting the queues of topic ", topic, ": ", ds.message());
  }
  ctx_.logger.info("topic ", topic, " deleted");
  return make_response(request, response_code::kSuccess);
}

RemotingCommand AdminProcessor::all_topics(const RemotingCommand& request) {
  auto response = make_response(request, response_code::kSuccess);
  TopicRegistry& topics = ctx_.broker().topics();
  response.body = serialize_json(topic_config_wrapper_json(topics.all(), topics.data_version()));
  return response;
}

RemotingCommand AdminProcessor::update_group(const RemotingCommand& request) {
  auto config = parse_subscription_group(request.body);
  if (!config.is_ok()) return error(request, response_code::kSystemError, config.status().message());
  Status s = ctx_.broker().subscription_groups().create_or_update(*config);
  if (!s.is_ok()) return error(request, response_code::kSystemError, s.message());
  return make_response(request, response_code::kSuccess);
}

RemotingCommand AdminProcessor::all_groups(const RemotingCommand& request) {
  SubscriptionGroups& groups = ctx_.broker().subscription_groups();
  JsonValue table = JsonValue::object();
  for (const auto& g : groups.all()) table.set(g.group_name, subscription_group_json(g));
  JsonValue root = JsonValue::object();
  root.set("subscriptionGroupTable", std::move(table));
  root.set("dataVersion", data_version_json(groups.data_version()));
  auto response = make_response(request, response_code::kSuccess);
  response.body = serialize_json(root);
  return response;
}

RemotingCommand AdminProcessor::delete_group(const RemotingCommand& request) {
  HeaderReader h(request);
  std::string group = h.str("groupName");
  bool remove_offset = h.bool_or("removeOffset", false);
  if (!h.ok()) return error(request, response_code::kSystemError, h.error());
  Status s = ctx_.broker().subscription_groups().remove(group);
  if (!s.is_ok() && s.code() != Status::Code::kNotFound) return error(request, response_code::kSystemError, s.message());
  if (remove_offset) ctx_.broker().consumer_offsets().remove_group(group);
  return make_response(request, response_code::kSuccess);
}

RemotingCommand AdminProcessor::runtime_info(const RemotingCommand& request) {
  JsonValue table = JsonValue::object();
  auto put = [&](const char* key, std::string value) { table.set(key, JsonValue::string(std::move(value))); };
  put("brokerVersionDesc", std::string("Tern ") + kTernVersion);
  put("brokerVersion", std::to_string(request.version));
  put("bootTimestamp", std::to_string(ctx_.start_time_ms));
  int64_t up = (now_ms() - ctx_.start_time_ms) / 1000;
  put("runtime", "[ " + std::to_string(up / 86400) + " days, " + std::to_string(up % 86400 / 3600) + " hours, " +
                     std::to_string(up % 3600 / 60) + " minutes, " + std::to_string(up % 60) + " seconds ]");
  if (MessageStore* store = ctx_.store()) {
    put("commitLogMinOffset", std::to_string(store->min_commit_log_offset()));
    put("commitLogMaxOffset", std::to_string(store->max_commit_log_offset()));
  }
  put("brokerName", ctx_.broker_name);
  put("brokerAddr", ctx_.advertised_address);
  put("topicCount", std::to_string(ctx_.broker().topics().all().size()));
  put("consumerGroupCount", std::to_string(ctx_.broker().clients().consumer_groups().size()));
  JsonValue root = JsonValue::object();
  root.set("table", std::move(table));
  auto response = make_response(request, response_code::kSuccess);
  response.body = serialize_json(root);
  return response;
}

void AdminProcessor::view_message(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  HeaderReader h(request);
  int64_t offset = h.i64("offset");
  if (!h.ok()) {
    conn->respond(request, error(request, response_code::kSystemError, h.error()));
    return;
  }
  MessageStore* store = ctx_.store();
  auto record = store != nullptr ? store->read_record(offset) : Result<StoredRecord>(Status::unavailable("no store"));
  if (!record.is_ok()) {
    conn->respond(request, error(request, response_code::kSystemError,
                                 "can not find message by the offset " + std::to_string(offset) + ": " +
                                     record.status().message()));
    return;
  }
  std::vector<StoredRecord> records;
  records.push_back(std::move(*record));
  conn->respond(request, make_response(request, response_code::kSuccess), std::move(records));
}

void AdminProcessor::query_message(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  HeaderReader h(request);
  std::string topic = h.str("topic");
  std::string key = h.str("key");
  int32_t max_num = h.i32("maxNum");
  int64_t begin = h.i64("beginTimestamp");
  int64_t end = h.i64("endTimestamp");
  if (!h.ok()) {
    conn->respond(request, error(request, response_code::kSystemError, h.error()));
    return;
  }
  MessageStore* store = ctx_.store();
  if (store == nullptr) {
    conn->respond(request, error(request, response_code::kServiceNotAvailable, "no store plugin loaded"));
    return;
  }
  auto found = store->query_by_key(topic, key, max_num, begin, end);
  if (!found.is_ok() || found->records.empty()) {
    conn->respond(request, error(request, response_code::kQueryNotFound,
                                 "can not find message, maybe time range not correct"));
    return;
  }
  auto response = make_response(request, response_code::kSuccess);
  response.ext_fields["indexLastUpdateTimestamp"] = std::to_string(found->index_last_update_timestamp);
  response.ext_fields["indexLastUpdatePhyoffset"] = std::to_string(found->index_last_update_phy_offset);
  conn->respond(request, std::move(response), std::move(found->records));
}

int64_t AdminProcessor::store_time_at(const std::string& topic, int32_t queue_id, int64_t offset) {
  MessageStore* store = ctx_.store();
  if (store == nullptr || offset < 0) return 0;
  GetRequest get;
  get.topic = topic;
  get.queue_id = queue_id;
  get.offset = offset;
  get.max_count = 1;
  GetResult got = store->get_messages(get);
  if (got.status != GetStatus::kFound || got.records.empty()) return 0;
  // Record layout (§4): SYSFLAG at 36, BORNHOST at 48 (8 bytes, 20 with BORNHOST_V6 0x10),
  // then STORETIMESTAMP.
  const StoredRecord& r = got.records.front();
  constexpr uint32_t kSysFlagAt = 36;
  if (r.size < 88) return 0;
  int32_t sys_flag = static_cast<int32_t>(read_be(r.data + kSysFlagAt, 4));
  uint32_t at = 48 + ((sys_flag & 0x10) != 0 ? 20 : 8);
  return read_be(r.data + at, 8);
}

RemotingCommand AdminProcessor::topic_stats(const RemotingCommand& request) {
  HeaderReader h(request);
  std::string topic = h.str("topic");
  if (!h.ok()) return error(request, response_code::kSystemError, h.error());
  auto config = ctx_.broker().topics().find(topic);
  if (!config) return error(request, response_code::kTopicNotExist, "topic[" + topic + "] not exist");
  MessageStore* store = ctx_.store();
  std::string body = "{\"offsetTable\":{";
  for (int32_t q = 0; q < queue_count(*config); ++q) {
    int64_t min = store != nullptr ? store->min_offset(topic, q) : 0;
    int64_t max = store != nullptr ? store->max_offset(topic, q) : 0;
    int64_t last = max > 0 ? store_time_at(topic, q, max - 1) : 0;
    if (q > 0) body += ",";
    body += message_queue_json(topic, ctx_.broker_name, q) + ":{\"lastUpdateTimestamp\":" + std::to_string(last) +
            ",\"maxOffset\":" + std::to_string(max) + ",\"minOffset\":" + std::to_string(min) + "}";
  }
  body += "}}";
  auto response = make_response(request, response_code::kSuccess);
  response.body = std::move(body);
  return response;
}

RemotingCommand AdminProcessor::consume_stats(const RemotingCommand& request) {
  HeaderReader h(request);
  std::string group = h.str("consumerGroup");
  std::string only_topic = h.str_or("topic", "");
  if (!h.ok()) return error(request, response_code::kSystemError, h.error());
  ConsumerOffsets& offsets = ctx_.broker().consumer_offsets();
  std::vector<std::string> topics;
  if (!only_topic.empty()) {
    topics.push_back(only_topic);
  } else {
    topics = offsets.topics_of_group(group);
  }
  MessageStore* store = ctx_.store();
  std::string table;
  for (const auto& topic : topics) {
    auto config = ctx_.broker().topics().find(topic);
    if (!config) continue;
    std::map<int32_t, int64_t> committed = offsets.offsets(group, topic);
    for (int32_t q = 0; q < queue_count(*config); ++q) {
      int64_t broker_offset = store != nullptr ? store->max_offset(topic, q) : 0;
      auto it = committed.find(q);
      int64_t consumer_offset = it != committed.end() && it->second > 0 ? it->second : 0;
      int64_t last = consumer_offset > 0 ? store_time_at(topic, q, consumer_offset - 1) : 0;
      if (!table.empty()) table += ",";
      table += message_queue_json(topic, ctx_.broker_name, q) + ":{\"brokerOffset\":" +
               std::to_string(broker_offset) + ",\"consumerOffset\":" + std::to_string(consumer_offset) +
               ",\"lastTimestamp\":" + std::to_string(last) + "}";
    }
  }
  auto response = make_response(request, response_code::kSuccess);
  response.body = "{\"consumeTps\":0.0,\"offsetTable\":{" + table + "}}";
  return response;
}

RemotingCommand AdminProcessor::consumed_by_who(const RemotingCommand& request) {
  HeaderReader h(request);
  std::string topic = h.str("topic");
  if (!h.ok()) return error(request, response_code::kSystemError, h.error());
  // Groups with committed offsets on the topic, and online groups subscribing to it.
  std::vector<std::string> groups = ctx_.broker().consumer_offsets().groups_of_topic(topic);
  ClientRegistry& clients = ctx_.broker().clients();
  for (const auto& g : clients.consumer_groups()) {
    if (clients.subscription(g, topic)) groups.push_back(g);
  }
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  JsonValue list = JsonValue::array();
  for (auto& g : groups) list.push_back(JsonValue::string(std::move(g)));
  JsonValue root = JsonValue::object();
  root.set("groupList", std::move(list));
  auto response = make_response(request, response_code::kSuccess);
  response.body = serialize_json(root);
  return response;
}

RemotingCommand AdminProcessor::consumer_connections(const RemotingCommand& request) {
  HeaderReader h(request);
  std::string group = h.str("consumerGroup");
  if (!h.ok()) return error(request, response_code::kSystemError, h.error());
  auto info = ctx_.broker().clients().consumer_group(group);
  if (!info || info->members.empty()) {
    return error(request, response_code::kConsumerNotOnline, "the consumer group[" + group + "] not online");
  }
  JsonValue connections = JsonValue::array();
  for (const auto& m : info->members) {
    JsonValue c = JsonValue::object();
    c.set("clientAddr", JsonValue::string(m.remote_address));
    c.set("clientId", JsonValue::string(m.client_id));
    c.set("language", JsonValue::string(m.language));
    c.set("version", JsonValue::number(m.version));
    connections.push_back(std::move(c));
  }
  JsonValue subscriptions = JsonValue::object();
  for (const auto& [topic, sub] : info->subscriptions) {
    JsonValue s = JsonValue::object();
    s.set("classFilterMode", JsonValue::boolean(sub.class_filter_mode));
    JsonValue codes = JsonValue::array();
    for (int32_t c : sub.codes) codes.push_back(JsonValue::number(c));
    s.set("codeSet", std::move(codes));
    s.set("expressionType", JsonValue::string(sub.expression_type));
    s.set("subString", JsonValue::string(sub.expression));
    s.set("subVersion", JsonValue::number(sub.version));
    JsonValue tags = JsonValue::array();
    for (const auto& t : sub.tags) tags.push_back(JsonValue::string(t));
    s.set("tagsSet", std::move(tags));
    s.set("topic", JsonValue::string(topic));
    subscriptions.set(topic, std::move(s));
  }
  JsonValue root = JsonValue::object();
  root.set("connectionSet", std::move(connections));
  root.set("consumeFromWhere", JsonValue::string(consume_from_name(info->consume_from_where)));
  root.set("consumeType", JsonValue::string(consume_type_name(info->consume_type)));
  root.set("messageModel", JsonValue::string(message_model_name(info->message_model)));
  root.set("subscriptionTable", std::move(subscriptions));
  auto response = make_response(request, response_code::kSuccess);
  response.body = serialize_json(root);
  return response;
}

RemotingCommand AdminProcessor::reset_offset(const RemotingCommand& request) {
  HeaderReader h(request);
  std::string topic = h.str("topic");
  std::string group = h.str("group");
  int64_t timestamp = h.i64("timestamp");
  bool force = h.bool_or("isForce", true);
  if (!h.ok()) return error(request, response_code::kSystemError, h.error());
  auto config = ctx_.broker().topics().find(topic);
  if (!config) return error(request, response_code::kTopicNotExist, "topic[" + topic + "] not exist");
  MessageStore* store = ctx_.store();
  if (store == nullptr) return error(request, response_code::kServiceNotAvailable, "no store plugin loaded");
  // RocketMQ's Broker2Client.resetOffset: the offset of the first message stored at or
  // after the time (-1: the queue's end); without isForce an offset only moves back. The
  // broker commits the offsets itself, so the reset also holds for clients that are not
  // online, and pushes them to every online member of the group (220), which drops what
  // it buffered and continues from there instead of committing its own offsets over them.
  ConsumerOffsets& offsets = ctx_.broker().consumer_offsets();
  std::map<MessageQueue, int64_t> reset;
  std::string table;
  for (int32_t q = 0; q < queue_count(*config); ++q) {
    int64_t target = timestamp == -1 ? store->max_offset(topic, q) : store->offset_by_time(topic, q, timestamp);
    auto current = offsets.query(group, topic, q);
    int64_t offset = target;
    if (!force && current && *current <= target) offset = *current;
    if (!current || offset != *current) offsets.commit(group, topic, q, offset);
    reset[MessageQueue{topic, ctx_.broker_name, q}] = offset;
    if (!table.empty()) table += ",";
    table += message_queue_json(topic, ctx_.broker_name, q) + ":" + std::to_string(offset);
  }
  auto members = ctx_.broker().clients().consumer_channels(group);
  for (const auto& channel : members) channel->reset_consumer_offsets(group, topic, timestamp, reset);
  ctx_.logger.info("offsets of group ", group, " on topic ", topic, " reset to time ", timestamp,
                   force ? " (forced)" : "", "; ", members.size(), " online member connection(s) told");
  auto response = make_response(request, response_code::kSuccess);
  response.body = "{\"offsetTable\":{" + table + "}}";
  return response;
}

}  // namespace tern::remoting
