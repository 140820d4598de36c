// TagMatcher: the consume-queue check by tag hash, the property check by the real tag,
// and how the two together remove hash collisions.
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tag_expression.h"
#include "tag_matcher.h"
#include "tern/message.h"
#include "tern/tag_hash.h"

namespace tern::filter_tag {
namespace {

TagMatcher compile(std::string_view expression) {
  Result<TagExpression> parsed = parse_tag_expression(expression);
  EXPECT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  return TagMatcher(parsed.is_ok() ? std::move(parsed).value() : TagExpression{});
}

PropertyMap tagged(std::string tag) { return {{std::string(property::kTags), std::move(tag)}}; }

// What the broker does with a candidate message (filter.h): code first, then properties
// when the matcher needs them.
bool delivers(const MessageMatcher& matcher, const PropertyMap& properties) {
  auto it = properties.find(property::kTags);
  int64_t code = it == properties.end() ? 0 : tags_code(it->second);
  if (!matcher.matches_tags_code(code)) return false;
  return !matcher.needs_properties() || matcher.matches_properties(properties);
}

TEST(TagMatcher, MatchAllTakesEverything) {
  for (std::string_view expression : {"*", "", "  "}) {
    TagMatcher matcher = compile(expression);
    EXPECT_TRUE(matcher.match_all());
    EXPECT_FALSE(matcher.needs_properties());
    EXPECT_TRUE(matcher.matches_tags_code(0));
    EXPECT_TRUE(matcher.matches_tags_code(tags_code("TagA")));
    EXPECT_TRUE(matcher.matches_tags_code(INT64_MIN));
    EXPECT_TRUE(matcher.matches_properties({}));
    EXPECT_TRUE(matcher.matches_properties(tagged("anything")));
    EXPECT_TRUE(delivers(matcher, {}));  // a message without a tag
  }
}

TEST(TagMatcher, OneTagByCode) {
  TagMatcher matcher = compile("TagA");
  EXPECT_TRUE(matcher.needs_properties());
  EXPECT_TRUE(matcher.matches_tags_code(2598919));  // "TagA".hashCode() in Java
  EXPECT_FALSE(matcher.matches_tags_code(2598920));  // "TagB"
  EXPECT_FALSE(matcher.matches_tags_code(0));        // no tag
  EXPECT_EQ(matcher.codes(), std::vector<int32_t>{2598919});
}

TEST(TagMatcher, OneTagByProperties) {
  TagMatcher matcher = compile("TagA");
  EXPECT_TRUE(matcher.matches_properties(tagged("TagA")));
  EXPECT_FALSE(matcher.matches_properties(tagged("TagB")));
  EXPECT_FALSE(matcher.matches_properties(tagged("taga")));   // case matters
  EXPECT_FALSE(matcher.matches_properties(tagged("TagA ")));  // a stored tag is not trimmed
  EXPECT_FALSE(matcher.matches_properties(tagged("")));
  EXPECT_FALSE(matcher.matches_properties({{"KEYS", "TagA"}}));
}

TEST(TagMatcher, SeveralTags) {
  TagMatcher matcher = compile("TagA || TagB||TagC");
  for (std::string tag : {"TagA", "TagB", "TagC"}) {
    EXPECT_TRUE(matcher.matches_tags_code(tags_code(tag))) << tag;
    EXPECT_TRUE(matcher.matches_properties(tagged(tag))) << tag;
    EXPECT_TRUE(delivers(matcher, tagged(tag))) << tag;
  }
  EXPECT_FALSE(matcher.matches_tags_code(tags_code("TagD")));
  EXPECT_FALSE(delivers(matcher, tagged("TagD")));
}

// "Aa" and "BB" have the same Java hashCode (2112): the code check cannot tell them
// apart, the property check can.
TEST(TagMatcher, PropertyCheckRemovesHashCollisions) {
  ASSERT_EQ(java_string_hash("Aa"), java_string_hash("BB"));
  ASSERT_EQ(java_string_hash("Aa"), 2112);
  TagMatcher matcher = compile("Aa");
  EXPECT_TRUE(matcher.matches_tags_code(tags_code("BB")));  // passes the cheap check...
  EXPECT_TRUE(matcher.needs_properties());
  EXPECT_FALSE(matcher.matches_properties(tagged("BB")));   // ...and is rejected here
  EXPECT_FALSE(delivers(matcher, tagged("BB")));
  EXPECT_TRUE(delivers(matcher, tagged("Aa")));

  // Longer colliding strings too: "AaAa", "AaBB", "BBAa", "BBBB" all hash alike.
  TagMatcher two = compile("AaAa || BBBB");
  EXPECT_EQ(two.codes().size(), 1u);  // one code for two tags
  EXPECT_TRUE(two.matches_tags_code(tags_code("AaBB")));
  EXPECT_FALSE(delivers(two, tagged("AaBB")));
  EXPECT_FALSE(delivers(two, tagged("BBAa")));
  EXPECT_TRUE(delivers(two, tagged("AaAa")));
  EXPECT_TRUE(delivers(two, tagged("BBBB")));
}

// A message without TAGS has tagsCode 0. It reaches a tag subscriber only with "*". The
// code check can pass when a subscribed tag hashes to 0 ("f5a5a608" does); the property
// check then rejects the message.
TEST(TagMatcher, MessagesWithoutTags) {
  TagMatcher tag_a = compile("TagA");
  EXPECT_FALSE(tag_a.matches_tags_code(0));
  EXPECT_FALSE(tag_a.matches_properties({}));
  EXPECT_FALSE(delivers(tag_a, {}));

  ASSERT_EQ(java_string_hash("f5a5a608"), 0);
  TagMatcher zero = compile("f5a5a608");
  EXPECT_TRUE(zero.matches_tags_code(0));
  EXPECT_FALSE(zero.matches_properties({}));
  EXPECT_FALSE(delivers(zero, {}));
  EXPECT_TRUE(delivers(zero, tagged("f5a5a608")));
}

// RocketMQ compares tagsCode.intValue(): only the low 32 bits of the unit's code count.
TEST(TagMatcher, CodeComparesTheLow32Bits) {
  TagMatcher negative = compile("polygenelubricants");  // hashCode Integer.MIN_VALUE
  EXPECT_TRUE(negative.matches_tags_code(INT64_C(-2147483648)));
  EXPECT_TRUE(negative.matches_tags_code(INT64_C(0x80000000)));  // zero-extended by mistake
  EXPECT_TRUE(negative.matches_tags_code(INT64_C(0x7FFFFFFF80000000)));
  EXPECT_FALSE(negative.matches_tags_code(INT64_C(0x7FFFFFFF)));

  TagMatcher tag_a = compile("TagA");
  EXPECT_TRUE(tag_a.matches_tags_code((INT64_C(1) << 32) + 2598919));
}

TEST(TagMatcher, NonAsciiTags) {
  TagMatcher matcher = compile("标签A || 🚀tag");
  EXPECT_TRUE(matcher.matches_tags_code(26572490));    // "标签A".hashCode() in Java
  EXPECT_TRUE(matcher.matches_tags_code(1280754391));  // "🚀tag".hashCode() in Java
  EXPECT_TRUE(delivers(matcher, tagged("标签A")));
  EXPECT_TRUE(delivers(matcher, tagged("🚀tag")));
  EXPECT_FALSE(delivers(matcher, tagged("标签B")));
}

TEST(TagMatcher, HandBuiltExpressionIsNormalised) {
  TagMatcher matcher(TagExpression{false, {"TagB", "TagA", "TagB"}});
  EXPECT_EQ(matcher.tags(), (std::vector<std::string>{"TagA", "TagB"}));
  EXPECT_EQ(matcher.codes(), (std::vector<int32_t>{2598919, 2598920}));
}

// filter.h: a matcher is immutable and used from many threads at once.
TEST(TagMatcher, ConcurrentUse) {
  const TagMatcher matcher = compile("TagA || TagB || Aa");
  std::vector<std::thread> threads;
  std::vector<int> delivered(4, 0);
  for (size_t t = 0; t < delivered.size(); ++t) {
    threads.emplace_back([&matcher, &delivered, t] {
      const PropertyMap messages[] = {tagged("TagA"), tagged("TagC"), tagged("BB"), {}};
      for (int i = 0; i < 10000; ++i) delivered[t] += delivers(matcher, messages[i % 4]) ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  for (int count : delivered) EXPECT_EQ(count, 2500);
}

}  // namespace
}  // namespace tern::filter_tag
