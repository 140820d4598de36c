// ClientProcessor (contract in client_processor.h).
#include "client_processor.h"

#include "codes.h"
#include "header_reader.h"
#include "heartbeat_body.h"
#include "json/json.h"
#include "tern/filter.h"

namespace tern::remoting {

bool ClientProcessor::handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  switch (request.code) {
    case request_code::kHeartBeat: heartbeat(conn, request); return true;
    case request_code::kUnregisterClient: unregister(conn, request); return true;
    case request_code::kGetConsumerListByGroup: consumer_list(conn, request); return true;
    case request_code::kQueryConsumerOffset: query_offset(conn, request); return true;
    case request_code::kUpdateConsumerOffset: update_offset(conn, request); return true;
    case request_code::kGetMaxOffset:
    case request_code::kGetMinOffset:
    case request_code::kSearchOffsetByTimestamp:
    case request_code::kGetEarliestMsgStoretime: queue_lookup(conn, request); return true;
    case request_code::kCheckClientConfig: check_client_config(conn, request); return true;
    default: return false;
  }
}

void ClientProcessor::heartbeat(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  auto body = decode_heartbeat(request.body);
  if (!body.is_ok()) {
    conn->respond(request, make_response(request, response_code::kSystemError, body.status().message()));
    return;
  }
  auto channel = channels_.of(conn);
  std::string language(language_name(request.language));
  BrokerServices& broker = ctx_.broker();
  for (auto& consumer : body->consumers) {
    auto group = broker.subscription_groups().find_or_create(consumer.group);
    if (!group) {
      conn->respond(request, make_response(request, response_code::kSubscriptionGroupNotExist,
                                           "subscription group [" + consumer.group +
                                               "] does not exist; create it with mqadmin updateSubGroup"));
      return;
    }
    // Consumers pull their retry topic too; it must exist (and be routed) before they do.
    if (group->retry_queue_nums > 0 && consumer.message_model == MessageModel::kClustering) {
      auto retry = broker.topics().topic_for_send(topic_names::retry_topic(consumer.group), group->retry_queue_nums);
      if (!retry.is_ok()) ctx_.logger.warn("cannot create the retry topic of ", consumer.group, ": ", retry.status().message());
    }
    consumer.language = language;
    consumer.version = request.version;
    broker.clients().consumer_heartbeat(channel, std::move(consumer));
  }
  for (const auto& group : body->producer_groups) {
    broker.clients().producer_heartbeat(channel, group, body->client_id, language, request.version);
  }
  conn->respond(request, make_response(request, response_code::kSuccess));
}

// CHECK_CLIENT_CONFIG, as RocketMQ's ClientManageProcessor: a TAG subscription is fine; any
// other needs enablePropertyFilter (SYSTEM_ERROR otherwise) and must compile
// (SUBSCRIPTION_PARSE_FAILED naming the fault's position otherwise).
void ClientProcessor::check_client_config(const std::shared_ptr<RemotingConnection>& conn,
                                          const RemotingCommand& request) {
  auto reply = [&](int32_t code, std::string remark) {
    conn->respond(request, make_response(request, code, std::move(remark)));
  };
  auto parsed = parse_json(request.body);
  const JsonValue* sub = parsed.is_ok() ? parsed->find("subscriptionData") : nullptr;
  if (sub == nullptr || !sub->is_object()) {
    reply(response_code::kSystemError, "CHECK_CLIENT_CONFIG: the body carries no subscriptionData");
    return;
  }
  auto text = [&](const char* key) {
    const JsonValue* v = sub->find(key);
    return v != nullptr && v->is_string() ? v->text() : std::string();
  };
  std::string type = text("expressionType");
  if (type.empty() || type == "TAG") {
    reply(response_code::kSuccess, {});
    return;
  }
  if (!ctx_.enable_property_filter) {
    reply(response_code::kSystemError, "The broker does not support consumer to filter message by " + type);
    return;
  }
  const FilterFactory* factory = ctx_.kernel.filter_factory(type);
  if (factory == nullptr) {
    reply(response_code::kSystemError, "no filter plugin serves expression type " + type);
    return;
  }
  std::string expression = text("subString");
  auto compiled = factory->compile(expression);
  if (!compiled.is_ok()) {
    reply(response_code::kSubscriptionParseFailed,
          "parse the consumer's subscription[" + expression + "] failed: " + compiled.status().message());
    return;
  }
  reply(response_code::kSuccess, {});
}

void ClientProcessor::unregister(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  HeaderReader h(request);
  std::string client_id = h.str("clientID");
  if (!h.ok()) {
    conn->respond(request, make_response(request, response_code::kSystemError, h.error()));
    return;
  }
  std::string producer_group = h.str_or("producerGroup", "");
  std::string consumer_group = h.str_or("consumerGroup", "");
  if (!producer_group.empty()) ctx_.broker().clients().unregister_producer(producer_group, client_id);
  if (!consumer_group.empty()) ctx_.broker().clients().unregister_consumer(consumer_group, client_id);
  conn->respond(request, make_response(request, response_code::kSuccess));
}

void ClientProcessor::consumer_list(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  HeaderReader h(request);
  std::string group = h.str("consumerGroup");
  if (!h.ok()) {
    conn->respond(request, make_response(request, response_code::kSystemError, h.error()));
    return;
  }
  auto ids = ctx_.broker().clients().consumer_ids(group);
  if (ids.empty()) {
    conn->respond(request, make_response(request, response_code::kSystemError,
                                         "no consumer for this group, " + group + " (from " + conn->peer() + ")"));
    return;
  }
  JsonValue list = JsonValue::array();
  for (auto& id : ids) list.push_back(JsonValue::string(std::move(id)));
  JsonValue root = JsonValue::object();
  root.set("consumerIdList", std::move(list));
  auto response = make_response(request, response_code::kSuccess);
  response.body = serialize_json(root);
  conn->respond(request, std::move(response));
}

void ClientProcessor::query_offset(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  HeaderReader h(request);
  std::string group = h.str("consumerGroup");
  std::string topic = h.str("topic");
  int32_t queue_id = h.i32("queueId");
  if (!h.ok()) {
    conn->respond(request, make_response(request, response_code::kSystemError, h.error()));
    return;
  }
  auto offset = ctx_.broker().consumer_offsets().query(group, topic, queue_id);
  if (!offset) {
    // As RocketMQ: a group new to a queue whose first message is still there starts at 0,
    // so nothing sent before the consumer's first start is skipped.
    MessageStore* store = ctx_.store();
    if (store != nullptr && store->min_offset(topic, queue_id) <= 0) {
      offset = 0;
    } else {
      conn->respond(request, make_response(request, response_code::kQueryNotFound,
                                           "Not found, maybe this group consumer boot first"));
      return;
    }
  }
  auto response = make_response(request, response_code::kSuccess);
  response.ext_fields["offset"] = std::to_string(*offset);
  conn->respond(request, std::move(response));
}

void ClientProcessor::update_offset(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  HeaderReader h(request);
  std::string group = h.str("consumerGroup");
  std::string topic = h.str("topic");
  int32_t queue_id = h.i32("queueId");
  int64_t offset = h.i64("commitOffset");
  if (!h.ok()) {
    conn->respond(request, make_response(request, response_code::kSystemError, h.error()));
    return;
  }
  ctx_.broker().consumer_offsets().commit(group, topic, queue_id, offset);
  conn->respond(request, make_response(request, response_code::kSuccess));
}

void ClientProcessor::queue_lookup(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  HeaderReader h(request);
  std::string topic = h.str("topic");
  int32_t queue_id = h.i32("queueId");
  int64_t timestamp = request.code == request_code::kSearchOffsetByTimestamp ? h.i64("timestamp") : 0;
  if (!h.ok()) {
    conn->respond(request, make_response(request, response_code::kSystemError, h.error()));
    return;
  }
  MessageStore* store = ctx_.store();
  if (store == nullptr) {
    conn->respond(request, make_response(request, response_code::kServiceNotAvailable, "no store plugin loaded"));
    return;
  }
  auto response = make_response(request, response_code::kSuccess);
  switch (request.code) {
    case request_code::kGetMaxOffset: response.ext_fields["offset"] = std::to_string(store->max_offset(topic, queue_id)); break;
    case request_code::kGetMinOffset: response.ext_fields["offset"] = std::to_string(store->min_offset(topic, queue_id)); break;
    case request_code::kSearchOffsetByTimestamp:
      response.ext_fields["offset"] = std::to_string(store->offset_by_time(topic, queue_id, timestamp));
      break;
    default: {
      auto t = store->earliest_store_time(topic, queue_id);
      if (!t.is_ok()) {
        response = make_response(request, response_code::kSystemError, t.status().message());
      } else {
        response.ext_fields["timestamp"] = std::to_string(*t);
      }
    }
  }
  conn->respond(request, std::move(response));
}

}  // namespace tern::remoting
