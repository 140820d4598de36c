#include "mq_admin.h"

#include <algorithm>

#include "codes.h"
#include "message_decoder.h"
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

Result<MessageExt> view_message(MQClientInstance& instance, const std::string& offset_msg_id,
                                std::chrono::milliseconds timeout) {
  auto id = decode_offset_msg_id(offset_msg_id);
  if (!id.is_ok()) return id.status();
  const std::string addr = id->store_host.to_string();
  const std::string what = "VIEW_MESSAGE_BY_ID " + offset_msg_id + " (offset " +
                           std::to_string(id->commit_log_offset) + ") on broker " + addr;
  auto r = instance.remoting().invoke_sync(
      addr,
      MQClientInstance::make_request(rc::kViewMessageById, {{"offset", std::to_string(id->commit_log_offset)}}),
      timeout);
  if (!r.is_ok()) return r.status().with_context(what);
  if (r->code != rsp::kSuccess) return Status::not_found(what + ": " + r->remark.value_or("code " + std::to_string(r->code)));
  auto msgs = decode_messages(r->body);
  if (!msgs.is_ok()) return msgs.status().with_context(what);
  if (msgs->empty()) return Status::not_found(what + ": the broker answered no message");
  return std::move(msgs->front());
}

Result<QueryResult> query_message(MQClientInstance& instance, const std::string& topic, const std::string& key,
                                  int max_num, int64_t begin_ms, int64_t end_ms, bool unique,
                                  std::chrono::milliseconds timeout) {
  auto route = instance.update_topic_route(topic, timeout);
  if (!route.is_ok()) return route.status();
  QueryResult out;
  for (const auto& bd : (*route)->broker_datas) {
    std::map<std::string, std::string> ext{{"topic", topic},
                                           {"key", key},
                                           {"maxNum", std::to_string(max_num)},
                                           {"beginTimestamp", std::to_string(begin_ms)},
                                           {"endTimestamp", std::to_string(end_ms)}};
    if (unique) ext["_UNIQUE_KEY_QUERY"] = "true";
    std::string broker;
    auto r = invoke_broker_master(instance, bd.broker_name, MQClientInstance::make_request(rc::kQueryMessage, ext),
                                  timeout, &broker);
    const std::string what = "QUERY_MESSAGE " + topic + " key " + key;
    if (!r.is_ok()) return r.status().with_context(what);
    if (r->code == rsp::kQueryNotFound) continue;
    if (r->code != rsp::kSuccess) {
      return Status::unavailable(what + ": broker " + broker + " answered code " + std::to_string(r->code) + ": " +
                                 r->remark.value_or(""));
    }
    out.index_last_update_timestamp = std::max(out.index_last_update_timestamp,
                                               ext_int(*r, "indexLastUpdateTimestamp", 0));
    auto msgs = decode_messages(r->body);
    if (!msgs.is_ok()) return msgs.status().with_context(what + " from broker " + broker);
    for (auto& m : *msgs) {
      // The index finds by a hash of the key: keep only true matches.
      bool match = unique ? m.property(property::kUniqueClientMessageId) == key : false;
      if (!unique) {
        for (std::string_view k : split_keys(m.property(property::kKeys))) match = match || k == key;
      }
      if (match && m.topic == topic) out.messages.push_back(std::move(m));
    }
  }
  return out;
}

Result<MessageExt> view_message(MQClientInstance& instance, const std::string& topic, const std::string& msg_id,
                                std::chrono::milliseconds timeout) {
  auto route = instance.update_topic_route(topic, timeout);
  if (!route.is_ok()) return route.status();
  // A unique id has the length of an offset id and decodes to some address: only ask a
  // host that is one of the topic's brokers, not whatever address the id happens to name.
  Status by_offset = Status::not_found("");
  if (auto id = decode_offset_msg_id(msg_id); id.is_ok()) {
    const std::string addr = id->store_host.to_string();
    bool known = false;
    for (const auto& bd : (*route)->broker_datas) {
      for (const auto& [broker_id, a] : bd.broker_addrs) known = known || a == addr;
    }
    if (known) {
      auto m = view_message(instance, msg_id, timeout);
      if (m.is_ok() && m->topic == topic) return m;
      if (!m.is_ok()) by_offset = m.status();
    }
  }
  auto found = query_message(instance, topic, msg_id, 32, 0, INT64_MAX, true, timeout);
  if (!found.is_ok()) return found.status();
  if (found->messages.empty()) {
    return Status::not_found("message " + msg_id + " of topic " + topic + " not found by offset id or unique key" +
                             (by_offset.message().empty() ? "" : " (" + by_offset.message() + ")"));
  }
  auto earliest = std::min_element(found->messages.begin(), found->messages.end(),
                                   [](const MessageExt& a, const MessageExt& b) {
                                     return a.store_timestamp < b.store_timestamp;
                                   });
  return std::move(*earliest);
}

void throw_client_exception(const std::string& who, const std::string& what, const Status& status,
                            const std::string& topic, const std::string& broker, int not_found_code) {
  int code = client_error::kConnectBrokerException;
  if (status.is_timeout()) code = client_error::kAccessBrokerTimeout;
  if (status.is_not_found()) code = not_found_code;
  if (status.is_invalid_argument()) code = client_error::kMessageIllegal;
  throw MQClientException(code, who + ": " + what + ": " + status.message(), topic, broker);
}

MessageExt view_message_or_throw(MQClientInstance& instance, const std::string& who, const std::string& offset_msg_id) {
  auto m = view_message(instance, offset_msg_id, kLookupTimeout);
  if (!m.is_ok()) throw_client_exception(who, "view_message", m.status(), {}, {}, client_error::kNoMessage);
  return std::move(*m);
}

MessageExt view_message_or_throw(MQClientInstance& instance, const std::string& who, const std::string& topic,
                                 const std::string& msg_id) {
  auto m = view_message(instance, topic, msg_id, kLookupTimeout);
  if (!m.is_ok()) throw_client_exception(who, "view_message", m.status(), topic, {}, client_error::kNoMessage);
  return std::move(*m);
}

QueryResult query_message_or_throw(MQClientInstance& instance, const std::string& who, const std::string& topic,
                                   const std::string& key, int max_num, int64_t begin_ms, int64_t end_ms) {
  auto r = query_message(instance, topic, key, max_num, begin_ms, end_ms, false, kLookupTimeout);
  if (!r.is_ok()) {
    throw_client_exception(who, "query_message", r.status(), topic, {}, client_error::kNotFoundTopicException);
  }
  if (r->messages.empty()) {
    throw MQClientException(client_error::kNoMessage,
                            who + ": query_message: no message of topic " + topic + " with key " + key +
                                " stored between " + std::to_string(begin_ms) + " and " + std::to_string(end_ms),
                            topic);
  }
  return std::move(*r);
}

}  // namespace tern::client::internal
