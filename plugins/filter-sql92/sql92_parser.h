// parse_sql92(): a SQL92 selector's text into its compiled expression tree
// (sql92_expression.h), through the ANTLR4 parser generated from Sql92Selector.g4.
//
// The text comes from clients (a pull request's subscription, a heartbeat, a check of the
// client config), so any bytes are refused gracefully: InvalidArgument naming the line and
// column of the fault (1-based; a column counts characters, not bytes), never a crash.
// Besides syntax it refuses what RocketMQ refuses when it builds the expression: a string,
// boolean or condition as an operand of < <= > >=, a comparison with the NULL literal (use
// IS NULL), BETWEEN whose constant bounds are NULL or reversed, IN / LIKE on a number, and a
// selector that is no condition (`a + 1`).
//
// Thread-safety: may be called from any thread; calls are serialised internally (the ANTLR
// runtime's shared prediction cache is not trusted with concurrent writers). Compiling is
// rare: once per distinct expression.
#pragma once

#include <cstddef>
#include <string_view>

#include "sql92_expression.h"
#include "tern/status.h"

namespace tern::filter_sql92 {

// Selectors longer than this are refused: real ones are a few hundred bytes.
inline constexpr size_t kMaxSelectorBytes = 16 * 1024;
// Deeper parenthesis nesting is refused, so that parsing and evaluation recurse boundedly.
inline constexpr int kMaxParenthesisDepth = 64;

// The compiled selector, or InvalidArgument whose message names the position of the fault,
// or ResourceExhausted when memory runs out. Never throws.
Result<ExpressionPtr> parse_sql92(std::string_view text) noexcept;

}  // namespace tern::filter_sql92
