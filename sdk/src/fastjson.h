// fastjson's maps with object keys. RocketMQ's brokers write Map<MessageQueue, X> fields
// (offset tables, topic stats, ResetOffsetBody) with the key object itself as the key:
//   {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:12}}
// which is not JSON. parse_fastjson() turns each such map into an array
// [key, value, key, value, ...] and parses the rest as standard JSON.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "json/json.h"
#include "tern/message.h"
#include "tern/status.h"

namespace tern::client::internal {

// InvalidArgument naming the byte for unbalanced brackets; parse_json's errors otherwise.
Result<JsonValue> parse_fastjson(std::string_view text);
// The (key, value) entries of a map as parse_fastjson() left it; empty for anything but
// such an array (an empty map `{}` stays an object).
std::vector<std::pair<const JsonValue*, const JsonValue*>> map_entries(const JsonValue& map);

// The "offsetTable" of a body such as RocketMQ's ResetOffsetBody (RESET_CONSUMER_CLIENT_OFFSET)
// or the answer to INVOKE_BROKER_TO_RESET_OFFSET: queue -> offset. InvalidArgument naming
// what is wrong (not JSON, no offsetTable, a key without topic/brokerName/queueId, a
// non-integer offset).
Result<std::map<MessageQueue, int64_t>> parse_offset_table(std::string_view body);

}  // namespace tern::client::internal
