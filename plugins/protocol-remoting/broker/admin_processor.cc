// AdminProcessor (contract in admin_processor.h).
#include "admin_processor.h"

#include <chrono>

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

}  // namespace tern::remoting
