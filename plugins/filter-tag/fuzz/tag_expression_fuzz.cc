// libFuzzer target: TAG expressions come from clients (the subscription in a heartbeat or
// pull request), so parsing and matching must take any bytes without crashing and keep
// their invariants:
//   - a refusal is InvalidArgument, and only for an expression that contains "||";
//   - an accepted expression is match-all exactly when, trimmed, it is "" or "*";
//   - otherwise every tag is non-empty, trimmed, free of "||", and a message carrying it
//     passes both matcher checks.
// Build with the fuzz preset (clang, TERN_FUZZ=ON); run `filter_tag_expression_fuzz`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tag_expression.h"
#include "tag_matcher.h"
#include "tern/check.h"
#include "tern/message.h"
#include "tern/tag_hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern;
  using namespace tern::filter_tag;
  std::string_view expression(reinterpret_cast<const char*>(data), size);

  Result<TagExpression> parsed = parse_tag_expression(expression);
  if (!parsed.is_ok()) {
    TERN_CHECK(parsed.status().is_invalid_argument(), "a refusal is InvalidArgument");
    TERN_CHECK(expression.find("||") != std::string_view::npos, "only an expression with || is refused");
    return 0;
  }
  std::string_view trimmed = java_trim(expression);
  TERN_CHECK(parsed->match_all == (trimmed.empty() || trimmed == "*"), "match-all exactly for \"\" and \"*\"");

  TagMatcher matcher(std::move(parsed).value());
  TERN_CHECK(matcher.needs_properties() != matcher.match_all(), "needs properties unless match-all");
  for (const std::string& tag : matcher.tags()) {
    TERN_CHECK(!tag.empty() && java_trim(tag) == tag, "tags are trimmed and not empty");
    TERN_CHECK(tag.find("||") == std::string::npos, "no tag contains the separator");
    TERN_CHECK(matcher.matches_tags_code(tags_code(tag)), "a subscribed tag passes the code check");
    TERN_CHECK(matcher.matches_properties({{std::string(property::kTags), tag}}),
               "a subscribed tag passes the property check");
  }
  return 0;
}
