// Value checks by type. Strict where RocketMQ is silently lenient (it ignores a value
// it cannot parse and keeps the default), because a broker that quietly runs with a
// setting other than the one written is worse than one that refuses to start.
#include "config/value_check.h"

#include <charconv>
#include <limits>
#include <vector>

namespace tern::kernel {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t end = s.find(sep, pos);
    out.push_back(s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (end == std::string_view::npos) return out;
    pos = end + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> check_integer(const ConfigKeySpec& spec, std::string_view value, int64_t type_min,
                                         int64_t type_max, const char* what) {
  int64_t lo = type_min, hi = type_max;
  std::string_view range = spec.constraint;
  if (size_t dots = range.find(".."); dots != std::string_view::npos) {
    if (auto v = parse_int(range.substr(0, dots))) lo = *v;
    if (auto v = parse_int(range.substr(dots + 2))) hi = *v;
  }
  std::string expected = std::string(what);
  if (lo != type_min && hi != type_max) {
    expected += " in " + std::to_string(lo) + ".." + std::to_string(hi);
  } else if (lo != type_min) {
    expected += " >= " + std::to_string(lo);
  } else if (hi != type_max) {
    expected += " <= " + std::to_string(hi);
  }
  auto v = parse_int(value);
  if (!v || *v < lo || *v > hi) return expected;
  return std::nullopt;
}

bool is_port(std::string_view s) {
  auto v = parse_int(s);
  return v && *v >= 1 && *v <= 65535;
}

bool is_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<int64_t> parse_duration_ms(std::string_view token) {
  int64_t unit = 0;
  std::string_view number;
  if (token.size() > 2 && token.substr(token.size() - 2) == "ms") {
    unit = 1;  // not RocketMQ's: lets tests shorten messageDelayLevel below a second ("100ms")
    number = token.substr(0, token.size() - 2);
  } else if (token.size() >= 2) {
    switch (token.back()) {
      case 's': unit = 1000; break;
      case 'm': unit = 60'000; break;
      case 'h': unit = 3'600'000; break;
      case 'd': unit = 86'400'000; break;
      default: return std::nullopt;
    }
    number = token.substr(0, token.size() - 1);
  } else {
    return std::nullopt;
  }
  auto n = parse_int(number);
  if (!n || *n <= 0 || *n > std::numeric_limits<int64_t>::max() / unit) return std::nullopt;
  return *n * unit;
}

std::optional<std::string> check_config_value(const ConfigKeySpec& spec, std::string_view value) {
  switch (spec.type) {
    case ConfigType::kString:
      return std::nullopt;
    case ConfigType::kInt:
      return check_integer(spec, value, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(),
                           "an integer");
    case ConfigType::kLong:
      return check_integer(spec, value, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                           "an integer");
    case ConfigType::kBool:
      if (value == "true" || value == "false") return std::nullopt;
      return std::string("true or false");
    case ConfigType::kEnum: {
      std::string names;
      for (std::string_view name : split(spec.constraint, '|')) {
        if (name == value) return std::nullopt;
        names += (names.empty() ? "" : ", ") + std::string(name);
      }
      return "one of " + names;
    }
    case ConfigType::kAddressList: {
      if (trim(value).empty()) return std::nullopt;
      for (std::string_view item : split(value, ';')) {
        item = trim(item);
        if (item.empty()) continue;
        size_t colon = item.rfind(':');
        if (colon == std::string_view::npos || colon == 0 || !is_port(item.substr(colon + 1))) {
          return std::string("host:port addresses separated by ';'");
        }
      }
      return std::nullopt;
    }
    case ConfigType::kDurationList: {
      int count = 0;
      for (std::string_view token : split(value, ' ')) {
        if (token.empty()) continue;
        if (!parse_duration_ms(token)) {
          return "durations such as \"1s 5m 2h 1d\" or \"100ms\" separated by spaces (\"" + std::string(token) +
                 "\" is not one)";
        }
        ++count;
      }
      if (count == 0) return std::string("at least one duration such as \"1s\"");
      return std::nullopt;
    }
    case ConfigType::kHourList: {
      for (std::string_view item : split(value, ';')) {
        auto h = parse_int(trim(item));
        if (!h || *h < 0 || *h > 23) return std::string("hours of the day 0..23 separated by ';', e.g. 04;16");
      }
      return std::nullopt;
    }
    case ConfigType::kNameList: {
      for (std::string_view item : split(value, ',')) {
        item = trim(item);
        if (!item.empty() && !is_name(item)) return std::string("names of letters, digits, '-', '_', '.' separated by ','");
      }
      return std::nullopt;
    }
  }
  return std::string("a value of a known type");
}

}  // namespace tern::kernel
