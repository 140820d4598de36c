#include "mq_admin.h"

#include "codes.h"
#include "response_fields.h"

namespace tern::client::internal {

namespace rc = remoting::request_code;
namespace rsp = remoting::response_code;

Result<remoting::RemotingCommand> invoke_broker_master(MQClientInstance& instance, const std::string& broker_name,
                                                       remoting::RemotingCommand request,
                                                       std::chrono::milliseconds timeout, std::string* broker) {
  std::string addr = instance.find_broker_master(broker_name);
  if (broker != nullptr) *broker = addr.empty() ? broker_name : broker_name + "@" + addr;
  if (addr.empty()) return Status::not_found("broker " + broker_name + " has no master address in the route");
  auto r = instance.remoting().invoke_sync(addr, std::move(request), timeout);
  if (!r.is_ok()) return r.status().with_context("broker " + broker_name + "@" + addr);
  return r;
}

namespace {
std::string request_name(int32_t code) {
  switch (code) {
    case rc::kQueryConsumerOffset: return "QUERY_CONSUMER_OFFSET";
    case rc::kSearchOffsetByTimestamp: return "SEARCH_OFFSET_BY_TIMESTAMP";
    case rc::kGetMaxOffset: return "GET_MAX_OFFSET";
    case rc::kGetMinOffset: return "GET_MIN_OFFSET";
    default: return "request " + std::to_string(code);
  }
}

remoting::RemotingCommand queue_request(int32_t code, const MessageQueue& mq) {
  return MQClientInstance::make_request(code, {{"topic", mq.topic}, {"queueId", std::to_string(mq.queue_id)}});
}
}  // namespace

remoting::RemotingCommand max_offset_request(const MessageQueue& mq) { return queue_request(rc::kGetMaxOffset, mq); }
remoting::RemotingCommand min_offset_request(const MessageQueue& mq) { return queue_request(rc::kGetMinOffset, mq); }
remoting::RemotingCommand search_offset_request(const MessageQueue& mq, int64_t timestamp_ms) {
  auto r = queue_request(rc::kSearchOffsetByTimestamp, mq);
  r.ext_fields["timestamp"] = std::to_string(timestamp_ms);
  return r;
}

Result<int64_t> query_offset(MQClientInstance& instance, const MessageQueue& mq, remoting::RemotingCommand request,
                             std::chrono::milliseconds timeout) {
  const int32_t code = request.code;
  std::string broker;
  auto r = invoke_broker_master(instance, mq.broker_name, std::move(request), timeout, &broker);
  const std::string what = request_name(code) + " of " + mq.topic + "/" + mq.broker_name + "/" +
                           std::to_string(mq.queue_id);
  if (!r.is_ok()) return r.status().with_context(what);
  if (r->code != rsp::kSuccess) {
    return Status::unavailable(what + ": broker " + broker + " answered code " + std::to_string(r->code) + ": " +
                               r->remark.value_or(""));
  }
  int64_t offset = ext_int(*r, "offset", -1);
  if (offset < 0) return Status::unavailable(what + ": broker " + broker + " answered no offset");
  return offset;
}

Result<std::vector<MessageQueue>> fetch_subscribe_message_queues(MQClientInstance& instance, const std::string& topic,
                                                                 std::chrono::milliseconds timeout) {
  auto route = instance.update_topic_route(topic, timeout);
  if (!route.is_ok()) return route.status();
  auto queues = subscribe_message_queues(topic, **route);
  if (queues.empty()) return Status::not_found("topic " + topic + " has no readable queue in its route");
  return queues;
}

std::vector<std::string> find_consumer_id_list(MQClientInstance& instance, const std::string& topic,
                                               const std::string& group, std::chrono::milliseconds timeout) {
  auto route = instance.cached_route(topic);
  if (!route) return {};
  for (const auto& bd : route->broker_datas) {
    auto r = invoke_broker_master(instance, bd.broker_name,
                                  MQClientInstance::make_request(rc::kGetConsumerListByGroup, {{"consumerGroup", group}}),
                                  timeout);
    if (!r.is_ok() || r->code != rsp::kSuccess) continue;
    auto json = parse_json(r->body);
    if (!json.is_ok()) continue;
    const JsonValue* list = json->find("consumerIdList");
    if (list == nullptr || !list->is_array()) continue;
    std::vector<std::string> ids;
    for (const auto& v : list->values()) {
      if (v.is_string()) ids.push_back(v.text());
    }
    return ids;
  }
  return {};
}

}  // namespace tern::client::internal
