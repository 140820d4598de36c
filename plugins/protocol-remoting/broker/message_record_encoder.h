// encode_message_record: a MessageExt as one RocketMQ stored-message record (PROTOCOL.md §4,
// MessageDecoder.encode), for a request body that carries a message the store does not
// hold in that form: CHECK_TRANSACTION_STATE sends the half message under its real topic.
// Reads are sent from the store's own bytes; this is for the exceptions. (The store plugin
// writes the same layout into its commit log; plugins share no code, only the format.)
//
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "tern/message.h"

namespace tern::remoting {

// The record, properties encoded as RocketMQ's text; body, topic (at most 127 bytes) and
// properties (at most 32767 bytes) as they are: larger ones are cut to fit, since the
// caller's message came out of the store, which refused larger ones.
std::string encode_message_record(const MessageExt& message);

}  // namespace tern::remoting
