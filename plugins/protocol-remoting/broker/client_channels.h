// ClientChannels: the kernel's view (ClientChannel) of each remoting connection that sent
// a heartbeat, one per connection, so the kernel can push NOTIFY_CONSUMER_IDS_CHANGED and
// RESET_CONSUMER_CLIENT_OFFSET to a consumer group's members and forget them when their
// connection closes.
//
// Thread-safety: every method from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "remoting_connection.h"
#include "tern/broker.h"

namespace tern::remoting {

class RemotingClientChannel final : public ClientChannel {
 public:
  explicit RemotingClientChannel(const std::shared_ptr<RemotingConnection>& conn)
      : conn_(conn), address_(conn->peer()) {}
  std::string remote_address() const override { return address_; }
  // A oneway NOTIFY_CONSUMER_IDS_CHANGED request with the group; dropped if the connection
  // is gone.
  void notify_consumer_ids_changed(const std::string& group) override;
  // A oneway RESET_CONSUMER_CLIENT_OFFSET (220): header topic, group, timestamp, isForce;
  // body RocketMQ's ResetOffsetBody {"offsetTable":{{mq}:offset,...}} (fastjson map).
  void reset_consumer_offsets(const std::string& group, const std::string& topic, int64_t timestamp_ms,
                              const std::map<MessageQueue, int64_t>& offsets) override;
  // A oneway CHECK_TRANSACTION_STATE (39): header tranStateTableOffset, commitLogOffset,
  // msgId and transactionId (the UNIQ_KEY), offsetMsgId; body the half message as a stored
  // record under its real topic (Broker2Client.checkProducerTransactionState).
  void check_transaction_state(const std::string& producer_group, const MessageExt& message) override;

 private:
  std::weak_ptr<RemotingConnection> conn_;
  std::string address_;
};

class ClientChannels {
 public:
  // The channel of `conn`, made on first use.
  std::shared_ptr<RemotingClientChannel> of(const std::shared_ptr<RemotingConnection>& conn);
  // Forgets the connection's channel and returns it (null when it never had one).
  std::shared_ptr<RemotingClientChannel> remove(const RemotingConnection* conn);

 private:
  std::mutex mu_;
  std::unordered_map<const RemotingConnection*, std::shared_ptr<RemotingClientChannel>> channels_;
};

}  // namespace tern::remoting
