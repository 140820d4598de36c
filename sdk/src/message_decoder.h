// The message records of a PULL_MESSAGE (or VIEW_MESSAGE_BY_ID / QUERY_MESSAGE) answer,
// decoded as RocketMQ's MessageDecoder.decodes does (PROTOCOL.md §4): what consumers of
// the SDK build on. Input is from the network: every length is checked against the bytes
// present, and a bad record fails the whole body with Corruption naming its byte offset.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "tern/message.h"
#include "tern/status.h"

namespace tern::client::internal {

// The records of `body` in order. With `decompress`, a body with sys flag COMPRESSED is
// inflated (and the flag cleared). msg_id is the offsetMsgId (store host + offset).
[[nodiscard]] Result<std::vector<MessageExt>> decode_messages(std::string_view body, bool decompress = true);

}  // namespace tern::client::internal
