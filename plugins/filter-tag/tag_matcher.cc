// TagMatcher's checks. Sorted vectors and binary search: a subscription names a handful
// of tags, and a sorted vector is compact, allocation-free to search and safe to read from
// many threads.
#include "tag_matcher.h"

#include <algorithm>
#include <utility>

#include "tern/tag_hash.h"

namespace tern::filter_tag {

TagMatcher::TagMatcher(TagExpression expression)
    : match_all_(expression.match_all), tags_(std::move(expression.tags)) {
  // parse_tag_expression() already sorts, but a hand-built TagExpression may not be.
  std::sort(tags_.begin(), tags_.end());
  tags_.erase(std::unique(tags_.begin(), tags_.end()), tags_.end());
  codes_.reserve(tags_.size());
  for (const auto& tag : tags_) codes_.push_back(java_string_hash(tag));
  std::sort(codes_.begin(), codes_.end());
  codes_.erase(std::unique(codes_.begin(), codes_.end()), codes_.end());
}

bool TagMatcher::matches_tags_code(int64_t tags_code) const noexcept {
  if (match_all_) return true;
  // Java's Long.intValue(): keep the low 32 bits (a modular conversion since C++20).
  auto code = static_cast<int32_t>(tags_code);
  return std::binary_search(codes_.begin(), codes_.end(), code);
}

bool TagMatcher::matches_properties(const PropertyMap& properties) const noexcept {
  if (match_all_) return true;
  auto it = properties.find(property::kTags);
  if (it == properties.end()) return false;
  std::string_view tag = it->second;
  auto pos = std::lower_bound(tags_.begin(), tags_.end(), tag,
                              [](const std::string& a, std::string_view b) { return std::string_view(a) < b; });
  return pos != tags_.end() && std::string_view(*pos) == tag;
}

}  // namespace tern::filter_tag
