// The message records of a PULL_MESSAGE (or VIEW_MESSAGE_BY_ID / QUERY_MESSAGE) answer,
// decoded as RocketMQ's MessageDecoder.decodes does (PROTOCOL.md §4): what consumers of
// the SDK build on. Input is from the network: every length is checked against the bytes
// present, and a bad record fails the whole body with Corruption naming its byte offset.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tern/message.h"
#include "tern/status.h"

namespace tern::client::internal {

// The records of `body` in order. With `decompress`, a body with sys flag COMPRESSED is
// inflated (and the flag cleared). msg_id is the offsetMsgId (store host + offset).
[[nodiscard]] Result<std::vector<MessageExt>> decode_messages(std::string_view body, bool decompress = true);

// Where an offset message id points: the store host and the commit-log offset (RocketMQ's
// MessageDecoder.decodeMessageId). The id is upper- or lower-case hex of the host's 4 (IPv4)
// or 16 (IPv6) address bytes, its 4-byte port and the 8-byte offset: 32 or 56 digits.
struct OffsetMessageId {
  SocketAddress store_host;
  int64_t commit_log_offset = 0;
};
// The offset message id of a record stored at `commit_log_offset` by `store_host`.
std::string offset_msg_id(const SocketAddress& store_host, int64_t commit_log_offset);
// InvalidArgument naming `id` when it is not an offset message id (a client's unique id
// is 32 hex digits too, but then the port or offset it decodes to is rarely reachable:
// callers fall back to a unique-key lookup when the first one fails).
[[nodiscard]] Result<OffsetMessageId> decode_offset_msg_id(std::string_view id);

}  // namespace tern::client::internal
