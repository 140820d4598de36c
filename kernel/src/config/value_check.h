// Checks a configuration value against its declared type and constraint (config.h's
// ConfigType). Returns what was expected, for the error message, or nothing when valid.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tern/config.h"

namespace tern::kernel {

// nullopt when `value` is valid for `spec`; otherwise a phrase such as
// "an integer in 1..65535" or "one of ASYNC_FLUSH, SYNC_FLUSH".
std::optional<std::string> check_config_value(const ConfigKeySpec& spec, std::string_view value);

// Parses messageDelayLevel-style durations ("1s", "5m", "2h", "1d", and Tern's "100ms") to
// milliseconds; nullopt for anything else (no number, zero, negative, overflow, unknown unit).
std::optional<int64_t> parse_duration_ms(std::string_view token);

}  // namespace tern::kernel
