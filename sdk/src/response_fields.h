// Reading the extFields of a broker's or name server's answer: every value arrives as
// text, and a missing or malformed number must not throw on the client's threads.
//
// Thread-safety: pure functions.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

#include "remoting_command.h"

namespace tern::client::internal {

// The value of `key`, "" when absent.
inline std::string ext_field(const remoting::RemotingCommand& r, const std::string& key) {
  auto it = r.ext_fields.find(key);
  return it == r.ext_fields.end() ? std::string() : it->second;
}

// `text` as a whole decimal int64, else `fallback`.
inline int64_t to_int64(const std::string& text, int64_t fallback) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && p == text.data() + text.size() && !text.empty() ? v : fallback;
}

// The value of `key` as an int64, `fallback` when absent or not a number.
inline int64_t ext_int(const remoting::RemotingCommand& r, const std::string& key, int64_t fallback) {
  return to_int64(ext_field(r, key), fallback);
}

}  // namespace tern::client::internal
