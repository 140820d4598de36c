// SendProcessor (contract in send_processor.h). Response codes and remarks follow
// RocketMQ's SendMessageProcessor so that clients retry (or not) as they would there.
#include "send_processor.h"

#include <chrono>
#include <optional>
#include <random>

#include "codes.h"
#include "header_reader.h"
#include "message_batch.h"

namespace tern::remoting {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// SEND_MESSAGE_V2 names its fields a..n (RocketMQ's SendMessageRequestHeaderV2).
constexpr HeaderReader::Alias kV2Names[] = {
    {"a", "producerGroup"}, {"b", "topic"},          {"c", "defaultTopic"}, {"d", "defaultTopicQueueNums"},
    {"e", "queueId"},       {"f", "sysFlag"},        {"g", "bornTimestamp"}, {"h", "flag"},
    {"i", "properties"},    {"j", "reconsumeTimes"}, {"k", "unitMode"},     {"l", "maxReconsumeTimes"},
    {"m", "batch"},         {"n", "brokerName"}};

// Maps a failed put to RocketMQ's response code.
int32_t code_of_failed_put(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument: return response_code::kMessageIllegal;
    case Status::Code::kResourceExhausted:  // disk full
    case Status::Code::kUnavailable: return response_code::kServiceNotAvailable;
    case Status::Code::kPermissionDenied: return response_code::kNoPermission;
    default: return response_code::kSystemError;
  }
}

int32_t code_of_durability(PutResult::Durability d) {
  switch (d) {
    case PutResult::Durability::kStored: return response_code::kSuccess;
    case PutResult::Durability::kFlushDiskTimeout: return response_code::kFlushDiskTimeout;
    case PutResult::Durability::kFlushSlaveTimeout: return response_code::kFlushSlaveTimeout;
    case PutResult::Durability::kSlaveNotAvailable: return response_code::kSlaveNotAvailable;
  }
  return response_code::kSystemError;
}

}  // namespace

SocketAddress to_socket_address(const boost::asio::ip::tcp::endpoint& endpoint) {
  SocketAddress out;
  out.port = endpoint.port();
  auto addr = endpoint.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
  }
  if (addr.is_v4()) {
    auto bytes = addr.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.ip.begin());
    out.ip_length = 4;
  } else {
    auto bytes = addr.to_v6().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.ip.begin());
    out.ip_length = 16;
  }
  return out;
}

void SendProcessor::handle(const std::shared_ptr<RemotingConnection>& conn, RemotingCommand request) {
  auto reply = [&](int32_t code, std::string remark) {
    conn->respond(request, make_response(request, code, std::move(remark)));
  };
  MessageStore* store = ctx_.store();
  if (store == nullptr) {
    reply(response_code::kServiceNotAvailable, "this broker has no store plugin loaded; it cannot accept messages");
    return;
  }
  // SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE carry the one-letter names (RocketMQ decodes
  // both with SendMessageRequestHeaderV2); long names are kept too for older clients.
  bool v2 = request.code == request_code::kSendMessageV2 || request.code == request_code::kSendBatchMessage;
  HeaderReader h = v2 ? HeaderReader(request, kV2Names) : HeaderReader(request);
  std::string topic = h.str("topic");
  int32_t queue_id = h.i32("queueId");
  int32_t sys_flag = h.i32("sysFlag");
  int64_t born_timestamp = h.i64("bornTimestamp");
  int32_t flag = h.i32("flag");
  int32_t default_queue_nums = h.i32_or("defaultTopicQueueNums", ctx_.default_topic_queue_nums);
  std::string properties = h.str_or("properties", "");
  int32_t reconsume_times = h.i32_or("reconsumeTimes", 0);
  std::optional<int32_t> max_reconsume_times;
  if (const std::string* max = h.find("maxReconsumeTimes"); max != nullptr && !max->empty()) {
    max_reconsume_times = h.i32_or("maxReconsumeTimes", 0);
  }
  bool batch = request.code == request_code::kSendBatchMessage || h.bool_or("batch", false);
  if (!h.ok()) {
    reply(response_code::kSystemError, h.error());
    return;
  }

  auto topic_config = ctx_.broker().topics().topic_for_send(topic, default_queue_nums);
  if (!topic_config.is_ok()) {
    const Status& s = topic_config.status();
    int32_t code = s.code() == Status::Code::kNotFound           ? response_code::kTopicNotExist
                   : s.code() == Status::Code::kPermissionDenied ? response_code::kNoPermission
                                                                 : response_code::kSystemError;
    reply(code, s.message());
    return;
  }
  if (queue_id < 0) {
    static thread_local std::minstd_rand random(std::random_device{}());
    queue_id = static_cast<int32_t>(random() % static_cast<uint32_t>(std::max(1, topic_config->write_queue_nums)));
  }
  if (queue_id >= topic_config->write_queue_nums) {
    reply(response_code::kSystemError, "request queueId[" + std::to_string(queue_id) + "] is illegal, topic " + topic +
                                           " has " + std::to_string(topic_config->write_queue_nums) +
                                           " write queues; producer: " + conn->peer());
    return;
  }

  std::vector<Message> bodies;
  if (batch) {
    auto decoded = decode_message_batch(request.body);
    if (!decoded.is_ok()) {
      reply(response_code::kMessageIllegal, decoded.status().message());
      return;
    }
    bodies = std::move(*decoded);
  } else {
    Message m;
    m.flag = flag;
    m.body = std::move(request.body);
    m.properties = decode_properties(properties);
    bodies.push_back(std::move(m));
  }

  std::vector<MessageExt> messages;
  messages.reserve(bodies.size());
  SocketAddress born_host = to_socket_address(conn->remote_endpoint());
  for (auto& body : bodies) {
    if (static_cast<int64_t>(body.body.size()) > ctx_.max_message_size) {
      reply(response_code::kMessageIllegal, "the message body size " + std::to_string(body.body.size()) +
                                                " is over the limit maxMessageSize=" +
                                                std::to_string(ctx_.max_message_size));
      return;
    }
    MessageExt m;
    static_cast<Message&>(m) = std::move(body);
    m.topic = topic;
    m.queue_id = queue_id;
    m.sys_flag = sys_flag;
    m.born_timestamp = born_timestamp != 0 ? born_timestamp : now_ms();
    m.born_host = born_host;
    m.store_host = ctx_.store_host;
    m.reconsume_times = reconsume_times;
    // A client's own send to %RETRY%<group> (its fallback when a send-back failed) goes to
    // the group's DLQ after the last try, as RocketMQ's handleRetryAndDLQ does.
    if (Status redirected = ctx_.broker().retry().redirect_retry_send(m, max_reconsume_times); !redirected.is_ok()) {
      reply(redirected.code() == Status::Code::kNotFound ? response_code::kSubscriptionGroupNotExist
                                                         : response_code::kSystemError,
            redirected.message());
      return;
    }
    messages.push_back(std::move(m));
  }

  std::weak_ptr<RemotingConnection> weak = conn;
  queue_id = messages.front().queue_id;  // a message redirected to the DLQ changed queue
  auto done = [weak, request = answer_stub(request), queue_id](Result<PutResult> result) {
    auto c = weak.lock();
    if (!c) return;
    if (!result.is_ok()) {
      c->respond(request, make_response(request, code_of_failed_put(result.status()), result.status().message()));
      return;
    }
    auto response = make_response(request, code_of_durability(result->durability));
    std::string ids;
    for (const auto& m : result->messages) ids += (ids.empty() ? "" : ",") + m.msg_id;
    response.ext_fields["msgId"] = ids;
    response.ext_fields["queueId"] = std::to_string(queue_id);
    response.ext_fields["queueOffset"] =
        std::to_string(result->messages.empty() ? 0 : result->messages.front().queue_offset);
    response.ext_fields["MSG_REGION"] = "DefaultRegion";
    response.ext_fields["TRACE_ON"] = "true";
    c->respond(request, std::move(response));
  };
  MessageWriter& writer = ctx_.broker().writer();
  if (messages.size() == 1) {
    writer.put_message(std::move(messages.front()), std::move(done));
  } else {
    writer.put_messages(std::move(messages), std::move(done));
  }
}

}  // namespace tern::remoting
