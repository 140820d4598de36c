// RocketMQ's JSON forms of the broker's tables, as GET_ALL_TOPIC_CONFIG answers and
// REGISTER_BROKER sends (TopicConfigSerializeWrapper), and as UPDATE_AND_CREATE_
// SUBSCRIPTIONGROUP / GET_ALL_SUBSCRIPTIONGROUP_CONFIG carry them; and a MessageQueue as
// fastjson writes it where it is a map key (offset tables, stats).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "json/json.h"
#include "tern/broker.h"
#include "tern/status.h"
#include "tern/topic_config.h"

namespace tern::remoting {

JsonValue topic_config_json(const TopicConfig& config);
JsonValue data_version_json(const DataVersion& version);
// {"topicConfigTable":{name:TopicConfig},"dataVersion":{...}}
JsonValue topic_config_wrapper_json(const std::vector<TopicConfig>& topics, const DataVersion& version);

JsonValue subscription_group_json(const SubscriptionGroupConfig& config);
// A SubscriptionGroupConfig from its JSON; RocketMQ's defaults for absent members.
[[nodiscard]] Result<SubscriptionGroupConfig> parse_subscription_group(std::string_view body);

// {"brokerName":..,"queueId":..,"topic":..} (fastjson's field order), e.g. the key of an
// offsetTable entry: {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:12}}.
std::string message_queue_json(std::string_view topic, std::string_view broker_name, int32_t queue_id);

}  // namespace tern::remoting
