// The body of a batch send (SEND_BATCH_MESSAGE, or SEND_MESSAGE_V2 with m=true): messages
// one after another, each
//   int32 totalSize | int32 magic | int32 bodyCRC | int32 flag | int32 bodyLen | body |
//   int16 propertiesLen | properties
// (RocketMQ's MessageDecoder.encodeMessage; PROTOCOL.md §4). The topic comes from the
// request header. Input is untrusted: every length is checked against the bytes present.
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>
#include <vector>

#include "tern/message.h"
#include "tern/status.h"

namespace tern::remoting {

// The messages of a batch body, in order; InvalidArgument naming the message index and
// byte offset of the first malformed one, or for an empty batch.
[[nodiscard]] Result<std::vector<Message>> decode_message_batch(std::string_view body);

// The encoding decode_message_batch reads (for clients and tests).
std::string encode_message_batch(const std::vector<Message>& messages);

}  // namespace tern::remoting
