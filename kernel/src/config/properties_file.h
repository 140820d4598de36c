// Reads Java .properties text (what broker.properties is): `key=value`, `key: value` or
// `key value`; `#` and `!` comments; a trailing backslash continues a line; \t \n \r \f
// and \uXXXX escapes. Values are trimmed of trailing spaces too (Java keeps them, and
// RocketMQ then silently drops a number like "10911 "; we would rather accept it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tern/status.h"

namespace tern::kernel {

struct PropertyEntry {
  std::string key;
  std::string value;
  int line = 0;  // 1-based line where the entry starts
};

// Parses `text`; `source` names it in error messages ("conf/broker.properties").
// Fails only on a malformed \u escape, naming the source and line.
Result<std::vector<PropertyEntry>> parse_properties(std::string_view text, std::string_view source);

// Reads and parses the file at `path`; IoError names the path and the OS error.
Result<std::vector<PropertyEntry>> read_properties_file(const std::string& path);

}  // namespace tern::kernel
