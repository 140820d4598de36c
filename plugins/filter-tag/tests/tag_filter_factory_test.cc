// TagFilterFactory: the FilterFactory contract (filter.h) for expression type "TAG".
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "tag_filter_factory.h"
#include "tern/message.h"

namespace tern::filter_tag {
namespace {

TEST(TagFilterFactory, IsATagFilterWithNothingToStart) {
  TagFilterFactory factory;
  EXPECT_EQ(factory.expression_type(), "TAG");
  EXPECT_TRUE(factory.start().is_ok());
  factory.stop();
}

TEST(TagFilterFactory, CompilesIntoAMatcher) {
  const TagFilterFactory factory;
  auto compiled = factory.compile("TagA || TagB");
  ASSERT_TRUE(compiled.is_ok()) << compiled.status().to_string();
  std::shared_ptr<const MessageMatcher> matcher = compiled.value();
  ASSERT_NE(matcher, nullptr);
  EXPECT_TRUE(matcher->needs_properties());
  EXPECT_TRUE(matcher->matches_tags_code(2598920));  // "TagB"
  EXPECT_TRUE(matcher->matches_properties({{"TAGS", "TagB"}}));
  EXPECT_FALSE(matcher->matches_properties({{"TAGS", "TagC"}}));
}

TEST(TagFilterFactory, CompilesStar) {
  const TagFilterFactory factory;
  auto compiled = factory.compile("*");
  ASSERT_TRUE(compiled.is_ok());
  EXPECT_FALSE(compiled.value()->needs_properties());
  EXPECT_TRUE(compiled.value()->matches_properties({}));
}

TEST(TagFilterFactory, RefusesAnExpressionWithoutTags) {
  const TagFilterFactory factory;
  auto compiled = factory.compile("||");
  ASSERT_FALSE(compiled.is_ok());
  EXPECT_TRUE(compiled.status().is_invalid_argument());
  EXPECT_NE(compiled.status().message().find("\"||\""), std::string::npos) << compiled.status().message();
  EXPECT_NE(compiled.status().message().find("offset 0"), std::string::npos) << compiled.status().message();
}

}  // namespace
}  // namespace tern::filter_tag
