// HeaderReader (contract in header_reader.h).
#include "header_reader.h"

#include <charconv>
#include <limits>

namespace tern::remoting {

const std::string* HeaderReader::find(std::string_view name) const {
  for (const Alias& a : aliases_) {
    if (a.name != name) continue;
    auto it = cmd_.ext_fields.find(std::string(a.short_name));
    if (it != cmd_.ext_fields.end()) return &it->second;
    break;
  }
  auto it = cmd_.ext_fields.find(std::string(name));
  return it == cmd_.ext_fields.end() ? nullptr : &it->second;
}

std::optional<int64_t> HeaderReader::parse_int(std::string_view name, const std::string& text, int64_t min,
                                               int64_t max) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max) {
    fail("the request header field '" + std::string(name) + "' has a bad value '" + text.substr(0, 64) +
         "': expected an integer");
    return std::nullopt;
  }
  return value;
}

std::string HeaderReader::str(std::string_view name) {
  const std::string* v = find(name);
  if (v == nullptr) {
    fail("the request header field '" + std::string(name) + "' is missing");
    return {};
  }
  return *v;
}

int32_t HeaderReader::i32(std::string_view name) {
  const std::string* v = find(name);
  if (v == nullptr) {
    fail("the request header field '" + std::string(name) + "' is missing");
    return 0;
  }
  return static_cast<int32_t>(
      parse_int(name, *v, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()).value_or(0));
}

int64_t HeaderReader::i64(std::string_view name) {
  const std::string* v = find(name);
  if (v == nullptr) {
    fail("the request header field '" + std::string(name) + "' is missing");
    return 0;
  }
  return parse_int(name, *v, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()).value_or(0);
}

std::string HeaderReader::str_or(std::string_view name, std::string fallback) const {
  const std::string* v = find(name);
  return v == nullptr ? std::move(fallback) : *v;
}

int32_t HeaderReader::i32_or(std::string_view name, int32_t fallback) {
  const std::string* v = find(name);
  if (v == nullptr || v->empty()) return fallback;
  return static_cast<int32_t>(
      parse_int(name, *v, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()).value_or(fallback));
}

int64_t HeaderReader::i64_or(std::string_view name, int64_t fallback) {
  const std::string* v = find(name);
  if (v == nullptr || v->empty()) return fallback;
  return parse_int(name, *v, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max())
      .value_or(fallback);
}

bool HeaderReader::bool_or(std::string_view name, bool fallback) {
  const std::string* v = find(name);
  if (v == nullptr || v->empty()) return fallback;
  if (*v == "true") return true;
  if (*v == "false") return false;
  fail("the request header field '" + std::string(name) + "' has a bad value '" + v->substr(0, 64) +
       "': expected true or false");
  return fallback;
}

}  // namespace tern::remoting
