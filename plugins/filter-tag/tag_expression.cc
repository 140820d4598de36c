// Parsing of TAG subscription expressions; the rules and the reasons for each are in
// tag_expression.h and README.md.
#include "tag_expression.h"

#include <algorithm>
#include <cstdio>

namespace tern::filter_tag {
namespace {

constexpr std::string_view kSeparator = "||";
constexpr std::string_view kMatchAll = "*";
// An expression quoted in an error is cut to this many bytes: it comes from a client and
// may be long, and the log line only needs enough to recognise it.
constexpr size_t kMaxQuotedBytes = 64;

// Quotes client-supplied text for an error message: control and non-ASCII bytes become
// \xNN so that the text cannot break the log line or the terminal that shows it.
std::string quote(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxQuotedBytes; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  if (text.size() > kMaxQuotedBytes) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

}  // namespace

std::string_view java_trim(std::string_view text) {
  auto is_trimmed = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
  while (!text.empty() && is_trimmed(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_trimmed(text.back())) text.remove_suffix(1);
  return text;
}

Result<TagExpression> parse_tag_expression(std::string_view expression) {
  TagExpression parsed;
  std::string_view trimmed = java_trim(expression);
  // RocketMQ compares the untrimmed text with "*"; trimming first also accepts " * ",
  // which a RocketMQ broker would read as the literal tag "*" that no producer sets.
  if (trimmed.empty() || trimmed == kMatchAll) {
    parsed.match_all = true;
    return parsed;
  }

  size_t begin = 0;
  while (begin <= expression.size()) {
    size_t end = expression.find(kSeparator, begin);
    if (end == std::string_view::npos) end = expression.size();
    std::string_view tag = java_trim(expression.substr(begin, end - begin));
    if (!tag.empty()) parsed.tags.emplace_back(tag);
    begin = end + kSeparator.size();
  }

  if (parsed.tags.empty()) {
    // Only reachable when "||" occurs: a whitespace-only expression was handled above.
    return Status::invalid_argument("TAG expression " + quote(expression) +
                                    " names no tag: only empty pieces around the \"||\" at offset " +
                                    std::to_string(expression.find(kSeparator)));
  }
  std::sort(parsed.tags.begin(), parsed.tags.end());
  parsed.tags.erase(std::unique(parsed.tags.begin(), parsed.tags.end()), parsed.tags.end());
  return parsed;
}

}  // namespace tern::filter_tag
