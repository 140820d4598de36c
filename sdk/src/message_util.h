// What the client does to a message around a send: the unique id (UNIQ_KEY, RocketMQ's
// MessageClientIDSetter), zlib compression of large bodies and its inverse, the checks
// RocketMQ's Validators make before a send, and the client host's IPv4 address.
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tern/message.h"
#include "tern/status.h"

namespace tern::client::internal {

// A new unique id: 32 upper-case hex digits of IPv4(4) + pid(int16) + a per-process
// random int32 (Java's class-loader hash) + ms since the start of the month (int32) +
// a counter (int16). The first 20 digits are the same for the whole process.
std::string create_uniq_id();
// The fixed first 20 hex digits of create_uniq_id() in this process.
const std::string& uniq_id_prefix();
// Uses `ip` (dotted IPv4) in later ids instead of the detected address; at start().
void set_uniq_id_ip(const std::string& ip);

// The host's first non-loopback IPv4 address, else "127.0.0.1".
std::string local_ipv4();

// zlib (RFC 1950) deflate at `level`, as Java's Deflater and ali-ons write for sys flag 1.
[[nodiscard]] Result<std::string> zlib_compress(std::string_view data, int level = 5);
// The inverse; Corruption on bad data, ResourceExhausted beyond `max_size` bytes.
[[nodiscard]] Result<std::string> zlib_uncompress(std::string_view data, size_t max_size = 64u * 1024 * 1024);

// RocketMQ's topic rule: 1..127 characters of [%|a-zA-Z0-9_-]. InvalidArgument naming
// the topic otherwise.
[[nodiscard]] Status check_topic(std::string_view topic);
// Topic, body (not empty, at most max_size bytes) and property text. InvalidArgument
// naming the topic and the problem.
[[nodiscard]] Status check_message(const Message& msg, int max_size);
// The body of a batch send (PROTOCOL.md §4) after RocketMQ's checks: not empty, every
// message valid, one topic, no delay level, no retry topic, and the encoded body at most
// max_size bytes. InvalidArgument naming the topic and the problem.
[[nodiscard]] Result<std::string> encode_batch(const std::vector<Message>& batch, int max_size);

}  // namespace tern::client::internal
