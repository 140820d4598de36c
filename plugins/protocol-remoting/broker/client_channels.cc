// ClientChannels (contract in client_channels.h).
#include "client_channels.h"

#include "codes.h"
#include "message_record_encoder.h"
#include "topic_config_json.h"

namespace tern::remoting {

void RemotingClientChannel::notify_consumer_ids_changed(const std::string& group) {
  auto conn = conn_.lock();
  if (!conn || !conn->is_open()) return;
  RemotingCommand request;
  request.code = request_code::kNotifyConsumerIdsChanged;
  request.language = LanguageCode::kCpp;
  request.ext_fields["consumerGroup"] = group;
  conn->invoke_oneway(std::move(request));
}

void RemotingClientChannel::reset_consumer_offsets(const std::string& group, const std::string& topic,
                                                   int64_t timestamp_ms, const std::map<MessageQueue, int64_t>& offsets) {
  auto conn = conn_.lock();
  if (!conn || !conn->is_open()) return;
  RemotingCommand request;
  request.code = request_code::kResetConsumerClientOffset;
  request.language = LanguageCode::kCpp;
  request.ext_fields["topic"] = topic;
  request.ext_fields["group"] = group;
  request.ext_fields["timestamp"] = std::to_string(timestamp_ms);
  request.ext_fields["isForce"] = "true";
  std::string table;
  for (const auto& [mq, offset] : offsets) {
    if (!table.empty()) table += ",";
    table += message_queue_json(mq.topic, mq.broker_name, mq.queue_id) + ":" + std::to_string(offset);
  }
  request.body = "{\"offsetTable\":{" + table + "}}";
  conn->invoke_oneway(std::move(request));
}

void RemotingClientChannel::check_transaction_state(const std::string& producer_group, const MessageExt& message) {
  (void)producer_group;  // the client finds its producer by the message's PGROUP
  auto conn = conn_.lock();
  if (!conn || !conn->is_open()) return;
  RemotingCommand request;
  request.code = request_code::kCheckTransactionState;
  request.language = LanguageCode::kCpp;
  std::string uniq(message.property(property::kUniqueClientMessageId));
  request.ext_fields["tranStateTableOffset"] = std::to_string(message.queue_offset);
  request.ext_fields["commitLogOffset"] = std::to_string(message.commit_log_offset);
  request.ext_fields["msgId"] = uniq;
  request.ext_fields["transactionId"] = uniq;
  request.ext_fields["offsetMsgId"] = message.msg_id;
  request.body = encode_message_record(message);
  conn->invoke_oneway(std::move(request));
}

std::shared_ptr<RemotingClientChannel> ClientChannels::of(const std::shared_ptr<RemotingConnection>& conn) {
  std::lock_guard lock(mu_);
  auto& channel = channels_[conn.get()];
  if (!channel) channel = std::make_shared<RemotingClientChannel>(conn);
  return channel;
}

std::shared_ptr<RemotingClientChannel> ClientChannels::remove(const RemotingConnection* conn) {
  std::lock_guard lock(mu_);
  auto it = channels_.find(conn);
  if (it == channels_.end()) return nullptr;
  auto channel = std::move(it->second);
  channels_.erase(it);
  return channel;
}

}  // namespace tern::remoting
