// Parsing of TAG expressions: the RocketMQ 4.x FilterAPI.buildSubscriptionData rules and
// the cases where Tern decides (whitespace only, "||" without a tag); see tag_expression.h.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "tag_expression.h"

namespace tern::filter_tag {
namespace {

using Tags = std::vector<std::string>;

TagExpression parse_ok(std::string_view expression) {
  Result<TagExpression> parsed = parse_tag_expression(expression);
  EXPECT_TRUE(parsed.is_ok()) << '"' << expression << "\": " << parsed.status().to_string();
  return parsed.is_ok() ? std::move(parsed).value() : TagExpression{};
}

void expect_match_all(std::string_view expression) {
  TagExpression parsed = parse_ok(expression);
  EXPECT_TRUE(parsed.match_all) << '"' << expression << '"';
  EXPECT_TRUE(parsed.tags.empty()) << '"' << expression << '"';
}

void expect_tags(std::string_view expression, const Tags& tags) {
  TagExpression parsed = parse_ok(expression);
  EXPECT_FALSE(parsed.match_all) << '"' << expression << '"';
  EXPECT_EQ(parsed.tags, tags) << '"' << expression << '"';
}

TEST(TagExpression, StarMatchesAll) {
  expect_match_all("*");
  expect_match_all(" * ");
  expect_match_all("\t*\n");
}

TEST(TagExpression, EmptyMatchesAll) { expect_match_all(""); }

// RocketMQ would build an empty tag set and match nothing; a subscription that can never
// receive anything is surely a mistake, so Tern reads it as "*".
TEST(TagExpression, WhitespaceOnlyMatchesAll) {
  expect_match_all(" ");
  expect_match_all("   ");
  expect_match_all("\t \r\n");
  expect_match_all(std::string_view("\0 \x1F", 3));  // Java's trim() drops every byte <= 0x20
}

TEST(TagExpression, OneTag) {
  expect_tags("TagA", {"TagA"});
  expect_tags("  TagA\t", {"TagA"});
}

TEST(TagExpression, TwoTags) {
  expect_tags("TagA || TagB", {"TagA", "TagB"});
  expect_tags("TagA||TagB", {"TagA", "TagB"});
  expect_tags("  TagB   ||   TagA  ", {"TagA", "TagB"});  // sorted
}

TEST(TagExpression, ThreeTagsWithoutSpaces) { expect_tags("TagA||TagB||TagC", {"TagA", "TagB", "TagC"}); }

TEST(TagExpression, SpacesInsideATagAreKept) { expect_tags("Tag A || Tag  B", {"Tag  B", "Tag A"}); }

TEST(TagExpression, DuplicatesCollapse) { expect_tags("TagA || TagB || TagA", {"TagA", "TagB"}); }

// RocketMQ drops empty pieces: "TagA ||" subscribes to TagA alone.
TEST(TagExpression, EmptyPiecesAreDropped) {
  expect_tags("TagA ||", {"TagA"});
  expect_tags("TagA||", {"TagA"});
  expect_tags("|| TagA", {"TagA"});
  expect_tags("TagA |||| TagB", {"TagA", "TagB"});
  expect_tags("TagA ||  || TagB", {"TagA", "TagB"});
}

// Java's split("\\|\\|") takes "||" leftmost first, so "|||" leaves a '|' in a tag, and a
// single '|' is no separator.
TEST(TagExpression, SplitsLikeJavaOnOddBars) {
  expect_tags("TagA|||TagB", {"TagA", "|TagB"});
  expect_tags("TagA|TagB", {"TagA|TagB"});
  expect_tags("|", {"|"});
  expect_tags("|||", {"|"});
}

// Only the whole expression "*" means everything; inside a list it is a literal tag, as in
// RocketMQ.
TEST(TagExpression, StarInAListIsALiteralTag) { expect_tags("TagA || *", {"*", "TagA"}); }

TEST(TagExpression, NonAsciiTags) {
  expect_tags("标签A || タグ || café || 🚀tag", {"café", "タグ", "标签A", "🚀tag"});
  // A no-break space (C2 A0) is not trimmed, as in Java where trim() stops at U+0020.
  expect_tags("\xC2\xA0TagA", {"\xC2\xA0TagA"});
}

TEST(TagExpression, OnlySeparatorsIsRefused) {
  for (std::string_view expression : {"||", " || ", "||||", "|| ||", " \t||\n"}) {
    Result<TagExpression> parsed = parse_tag_expression(expression);
    ASSERT_FALSE(parsed.is_ok()) << '"' << expression << '"';
    EXPECT_TRUE(parsed.status().is_invalid_argument()) << parsed.status().to_string();
  }
}

TEST(TagExpression, RefusalNamesTheExpressionAndTheOffset) {
  Result<TagExpression> parsed = parse_tag_expression(" || ");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_NE(parsed.status().message().find("\" || \""), std::string::npos) << parsed.status().message();
  EXPECT_NE(parsed.status().message().find("offset 1"), std::string::npos) << parsed.status().message();
}

// The expression comes from a client: control bytes are escaped and a long one is cut.
TEST(TagExpression, RefusalQuotesSafely) {
  Result<TagExpression> parsed = parse_tag_expression("\x1B||\x07");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().message().find('\x1B'), std::string::npos);
  EXPECT_NE(parsed.status().message().find("\"\\x1B||\\x07\""), std::string::npos) << parsed.status().message();

  std::string long_expression(100000, '|');
  parsed = parse_tag_expression(long_expression);
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_LT(parsed.status().message().size(), 300u);
  EXPECT_NE(parsed.status().message().find("100000 bytes"), std::string::npos) << parsed.status().message();
}

TEST(TagExpression, JavaTrim) {
  EXPECT_EQ(java_trim(""), "");
  EXPECT_EQ(java_trim(" \t\r\n"), "");
  EXPECT_EQ(java_trim(" a b "), "a b");
  EXPECT_EQ(java_trim(std::string_view("\0a\0", 3)), "a");
  EXPECT_EQ(java_trim("\x7F" "a"), "\x7F" "a");  // DEL is above 0x20: kept, as in Java
}

}  // namespace
}  // namespace tern::filter_tag
