// Refusals: every malformed or meaningless selector is InvalidArgument whose message names
// the line and column of the fault; nothing is accepted by accident.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sql92_parser.h"

namespace tern::filter_sql92 {
namespace {

struct Bad {
  std::string_view expression;
  std::string_view position;  // expected in the message
};

const Bad kBad[] = {
    {"", "line 1, column 1"},
    {"a >", "line 1, column 4"},
    {"a > 'abc'", "line 1, column 5"},   // strings cannot be ordered
    {"a > TRUE", "line 1, column 5"},
    {"TRUE > 1", "line 1, column 1"},
    {"(a = 1) > 2", "line 1, column 1"},  // a condition is no number
    {"a = NULL", "line 1, column 5"},     // IS NULL, not = NULL
    {"NULL <> a", "line 1, column 1"},
    {"a BETWEEN 5 AND 1", "line 1, column 11"},
    {"a BETWEEN -1 AND -5", "line 1, column 11"},
    {"a BETWEEN 'x' AND 'y'", "line 1, column 11"},
    {"a IN (1, 2)", "line 1, column 7"},
    {"a IN ()", "line 1, column 7"},
    {"1 IN ('a')", "line 1, column 1"},
    {"a # 1", "line 1, column 3"},
    {"a = 'unterminated", "line 1, column 5"},
    {"a + 1", "line 1, column 1"},  // not a condition
    {"'abc'", "line 1, column 1"},
    {"a = 1 AND 5", "line 1, column 11"},
    {"a LIKE 'x' ESCAPE 'ab'", "line 1, column 19"},
    {"a LIKE 'x!' ESCAPE '!'", "line 1, column 8"},
    {"5 LIKE 'x'", "line 1, column 1"},
    {"a = 1 b = 2", "line 1, column 7"},
    {"a = 1\nAND b >", "line 2, column 8"},
    {"a = 1)", "line 1, column 6"},
    {"(a = 1", "line 1, column 7"},
    {"a = 1e999", "line 1, column 5"},
    {"a IS 5", "line 1, column 6"},
    {"a = 'x' /* open comment", "line 1, column 10"},  // "/" and "*" are operators
    {"a = \xC3\xA9\xFF", "line 1, column 6"},  // not UTF-8: the column counts characters
};

TEST(Sql92Parser, RefusesWithThePosition) {
  for (const Bad& bad : kBad) {
    auto parsed = parse_sql92(bad.expression);
    ASSERT_FALSE(parsed.is_ok()) << "accepted: " << bad.expression;
    EXPECT_TRUE(parsed.status().is_invalid_argument()) << bad.expression;
    EXPECT_NE(parsed.status().message().find(bad.position), std::string::npos)
        << "`" << bad.expression << "`: " << parsed.status().message();
  }
}

TEST(Sql92Parser, BoundsNestingAndLength) {
  std::string deep(kMaxParenthesisDepth + 1, '(');
  deep += "a = 1";
  deep += std::string(kMaxParenthesisDepth + 1, ')');
  auto parsed = parse_sql92(deep);
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_NE(parsed.status().message().find("deeper"), std::string::npos) << parsed.status().message();

  std::string ok(kMaxParenthesisDepth, '(');
  ok += "a = 1";
  ok += std::string(kMaxParenthesisDepth, ')');
  EXPECT_TRUE(parse_sql92(ok).is_ok());

  // parentheses inside strings and comments do not count
  std::string quoted = "a IN ('" + std::string(1000, '(') + "') -- " + std::string(1000, '(');
  EXPECT_TRUE(parse_sql92(quoted).is_ok()) << parse_sql92(quoted).status().to_string();

  std::string huge = "a = '" + std::string(kMaxSelectorBytes, 'x') + "'";
  EXPECT_TRUE(parse_sql92(huge).status().is_invalid_argument());
}

TEST(Sql92Parser, LongFlatChainsAreFine) {
  std::string chain = "a = 0";
  for (int i = 1; i < 500; ++i) chain += " OR a = " + std::to_string(i);
  auto parsed = parse_sql92(chain);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_TRUE(selects(**parsed, {{"a", "499"}}));
  EXPECT_FALSE(selects(**parsed, {{"a", "500"}}));

  std::string sum = "a";
  for (int i = 0; i < 500; ++i) sum += " - -1";
  auto parsed_sum = parse_sql92(sum + " = 500");
  ASSERT_TRUE(parsed_sum.is_ok()) << parsed_sum.status().to_string();
  EXPECT_TRUE(selects(**parsed_sum, {{"a", "0"}}));
}

}  // namespace
}  // namespace tern::filter_sql92
