// Java .properties parsing, following java.util.Properties.load's rules for what a line,
// a key and a value are, so that any broker.properties RocketMQ reads reads the same here.
#include "config/properties_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tern::kernel {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// Appends the UTF-8 encoding of `cp` (a BMP code point from a \u escape).
void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Splits text into logical lines: joins continuation lines and drops comments and blanks.
struct LogicalLine {
  std::string text;
  int line;
};

std::vector<LogicalLine> logical_lines(std::string_view text) {
  std::vector<LogicalLine> out;
  std::string current;
  bool continuing = false;
  int line_no = 0, start_line = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    ++line_no;
    // \r\n counts as one line break.
    pos = end + ((end < text.size() && text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);

    size_t first = 0;
    while (first < raw.size() && is_space(raw[first])) ++first;
    raw.remove_prefix(first);
    if (!continuing) {
      if (raw.empty() || raw[0] == '#' || raw[0] == '!') {
        if (end >= text.size()) break;
        continue;
      }
      start_line = line_no;
    }
    // An odd number of trailing backslashes continues the line.
    size_t slashes = 0;
    while (slashes < raw.size() && raw[raw.size() - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 1) {
      current.append(raw.substr(0, raw.size() - 1));
      continuing = true;
    } else {
      current.append(raw);
      out.push_back({std::move(current), start_line});
      current.clear();
      continuing = false;
    }
    if (end >= text.size()) break;
  }
  if (continuing) out.push_back({std::move(current), start_line});
  return out;
}

// Unescapes a key or value; fails on a malformed \uXXXX.
Result<std::string> unescape(std::string_view in, std::string_view source, int line) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '\\' || i + 1 == in.size()) {
      out.push_back(c);
      continue;
    }
    char e = in[++i];
    switch (e) {
      case 't': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 'f': out.push_back('\f'); break;
      case 'u': {
        uint32_t cp = 0;
        for (int k = 0; k < 4; ++k) {
          char h = i + 1 + k < in.size() ? in[i + 1 + k] : '\0';
          int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                  : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
          if (d < 0) {
            std::ostringstream msg;
            msg << source << ":" << line << ": malformed \\uXXXX escape (four hex digits expected)";
            return Status::invalid_argument(msg.str());
          }
          cp = cp * 16 + static_cast<uint32_t>(d);
        }
        append_utf8(out, cp);
        i += 4;
        break;
      }
      default: out.push_back(e);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<PropertyEntry>> parse_properties(std::string_view text, std::string_view source) {
  std::vector<PropertyEntry> entries;
  for (const LogicalLine& l : logical_lines(text)) {
    const std::string& s = l.text;
    // The key ends at the first unescaped '=', ':' or whitespace.
    size_t k = 0;
    while (k < s.size()) {
      if (s[k] == '\\') {
        k += 2;
        continue;
      }
      if (s[k] == '=' || s[k] == ':' || is_space(s[k])) break;
      ++k;
    }
    k = std::min(k, s.size());
    size_t v = k;
    while (v < s.size() && is_space(s[v])) ++v;
    if (v < s.size() && (s[v] == '=' || s[v] == ':')) ++v;
    while (v < s.size() && is_space(s[v])) ++v;

    auto key = unescape(std::string_view(s).substr(0, k), source, l.line);
    if (!key) return key.status();
    std::string_view raw_value(s);
    raw_value.remove_prefix(v);
    while (!raw_value.empty() && is_space(raw_value.back()) &&
           !(raw_value.size() >= 2 && raw_value[raw_value.size() - 2] == '\\')) {
      raw_value.remove_suffix(1);
    }
    auto value = unescape(raw_value, source, l.line);
    if (!value) return value.status();
    entries.push_back({std::move(*key), std::move(*value), l.line});
  }
  return entries;
}

Result<std::vector<PropertyEntry>> read_properties_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::io_error("config file " + path + " is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error("cannot read config file " + path + ": " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::io_error("error reading config file " + path + ": " + std::strerror(errno));
  return parse_properties(buf.str(), path);
}

}  // namespace tern::kernel
