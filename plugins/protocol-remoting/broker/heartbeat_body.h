// The HEART_BEAT request body (RocketMQ's HeartbeatData, PROTOCOL.md §5):
//   {"clientID":"ip@pid","producerDataSet":[{"groupName":"G"}],
//    "consumerDataSet":[{"groupName","consumeType","messageModel","consumeFromWhere","unitMode",
//                        "subscriptionDataSet":[{"topic","subString","tagsSet","codeSet",
//                                                "subVersion","classFilterMode","expressionType"}]}]}
// Clients differ (ali-ons omits expressionType, numbers may be strings): unknown members
// are ignored, enum names are RocketMQ's, and anything malformed is an error naming it.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tern/broker.h"
#include "tern/status.h"

namespace tern::remoting {

struct HeartbeatBody {
  std::string client_id;
  std::vector<std::string> producer_groups;
  std::vector<ConsumerHeartbeat> consumers;  // client_id filled in each
};

[[nodiscard]] Result<HeartbeatBody> decode_heartbeat(std::string_view body);

// RocketMQ's names of the enums ("CLUSTERING", "CONSUME_PASSIVELY", ...).
std::string_view message_model_name(MessageModel model);
std::string_view consume_type_name(ConsumeType type);
std::string_view consume_from_where_name(ConsumeFromWhere where);

}  // namespace tern::remoting
