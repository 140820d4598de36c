// HeaderReader: typed access to a request's extFields, remembering the first field that
// is missing or malformed so a handler can answer with one clear remark, as RocketMQ does
// for a @CFNotNull field ("the custom field <name> is null").
//
// Thread-safety: plain value; one per request.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "remoting_command.h"

namespace tern::remoting {

class HeaderReader {
 public:
  // A field's short name and the name it stands for (SEND_MESSAGE_V2's "b" is "topic").
  struct Alias {
    std::string_view short_name;
    std::string_view name;
  };
  explicit HeaderReader(const RemotingCommand& cmd) : cmd_(cmd) {}
  // Every lookup of an aliased name tries its short name first (the header names fields
  // one way or the other).
  HeaderReader(const RemotingCommand& cmd, std::span<const Alias> aliases) : cmd_(cmd), aliases_(aliases) {}

  // Required fields: on a missing or malformed value the error is recorded and a zero
  // value returned.
  std::string str(std::string_view name);
  int32_t i32(std::string_view name);
  int64_t i64(std::string_view name);
  // Optional fields: the default when absent; a malformed value is still an error.
  std::string str_or(std::string_view name, std::string fallback) const;
  int32_t i32_or(std::string_view name, int32_t fallback);
  int64_t i64_or(std::string_view name, int64_t fallback);
  bool bool_or(std::string_view name, bool fallback);
  // Fields named differently by request versions (SEND_MESSAGE_V2's "b" is "topic").
  const std::string* find(std::string_view name) const;

  bool ok() const { return error_.empty(); }
  // "the request header field 'topic' is missing", or "" when all went well.
  const std::string& error() const { return error_; }

 private:
  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }
  std::optional<int64_t> parse_int(std::string_view name, const std::string& text, int64_t min, int64_t max);

  const RemotingCommand& cmd_;
  std::span<const Alias> aliases_;
  std::string error_;
};

}  // namespace tern::remoting
