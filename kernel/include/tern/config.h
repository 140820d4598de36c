// The broker's configuration as plugins see it: declared keys with types and defaults
// (ConfigKeySpec), and read-only typed access to the effective values (ConfigView).
//
// Every key is declared once: the kernel declares RocketMQ's broker keys, and each plugin
// declares its own in its descriptor (they are written `<prefix>.<key>` in
// broker.properties, e.g. `mqtt.listenPort`). The kernel validates every value against its
// declaration before any plugin starts, so a plugin's reads cannot fail.
//
// Thread-safety: a ConfigView is immutable after start-up and safe to read from any thread.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace tern {

enum class ConfigType : uint32_t {
  kString = 0,       // any text
  kInt = 1,          // 32-bit integer; constraint "min..max" (either side may be empty)
  kLong = 2,         // 64-bit integer; constraint "min..max"
  kBool = 3,         // true or false
  kEnum = 4,         // one of constraint's '|'-separated names, e.g. "ASYNC_FLUSH|SYNC_FLUSH"
  kAddressList = 5,  // "host:port;host:port" (may be empty)
  kDurationList = 6, // space-separated durations "1s 5m 2h 1d" (messageDelayLevel)
  kHourList = 7,     // ';'-separated hours of the day 0..23 (deleteWhen)
  kNameList = 8,     // ','-separated names (plugins)
};

// Flags of a ConfigKeySpec.
namespace config_flag {
inline constexpr uint32_t kImportant = 1;  // printed by `mqbroker -m`
inline constexpr uint32_t kNoEffect = 2;   // a RocketMQ key Tern accepts but does not use (JVM tuning)
}  // namespace config_flag

// One declared key. Plain data so plugins can declare static arrays of them.
// `default_value` may name other keys as ${key} and the environment as ${env:NAME}.
struct ConfigKeySpec {
  const char* name;
  ConfigType type;
  const char* default_value;
  const char* constraint;   // see ConfigType; "" for none
  const char* description;
  uint32_t flags;
};

// Read-only access to effective values. get_* of a key that no spec declared is a bug
// in the caller and aborts naming the key.
class ConfigView {
 public:
  virtual ~ConfigView() = default;

  // The effective value as text (after defaults, file, environment and command line).
  virtual std::string get_string(std::string_view key) const = 0;
  // True when the value came from the file, the environment or the command line.
  virtual bool is_set(std::string_view key) const = 0;

  int64_t get_int(std::string_view key) const { return std::strtoll(get_string(key).c_str(), nullptr, 10); }
  bool get_bool(std::string_view key) const { return get_string(key) == "true"; }
  // Splits the value on `separator`, trimming spaces and dropping empty items.
  std::vector<std::string> get_list(std::string_view key, char separator) const {
    std::vector<std::string> out;
    std::string value = get_string(key);
    size_t begin = 0;
    while (begin <= value.size()) {
      size_t end = value.find(separator, begin);
      if (end == std::string::npos) end = value.size();
      std::string item = value.substr(begin, end - begin);
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      if (!item.empty()) out.push_back(std::move(item));
      begin = end + 1;
    }
    return out;
  }
};

}  // namespace tern
