// The compiled form of a SQL92 selector: an immutable tree of Expression nodes, built once
// by parse_sql92() (sql92_parser.h) and evaluated against each message's properties.
//
// Semantics (README.md has the full table): values are NULL, boolean, 64-bit integer,
// double or string. A property is a string, or NULL when the message lacks it; comparing it
// with a number converts it to a number (RocketMQ's string conversion), and a value that is
// not a number makes that comparison unknown. Logic is three-valued (SQL / JMS): AND, OR and
// NOT over TRUE, FALSE and UNKNOWN; a message matches only when the whole selector is TRUE.
//
// Evaluation allocates nothing and throws nothing: it runs on the pull path.
//
// Thread-safety: a built tree is immutable; evaluate() may run concurrently on any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tern/message.h"

namespace tern::filter_sql92 {

// A runtime value. A string points into the message's property map or into the tree's own
// literal, both of which outlive the evaluation that produced it.
struct Value {
  enum class Type : uint8_t { kNull, kBool, kLong, kDouble, kString };
  Type type = Type::kNull;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  std::string_view string;

  static Value null() { return {}; }
  static Value of_bool(bool b) { Value v; v.type = Type::kBool; v.boolean = b; return v; }
  static Value of_long(int64_t i) { Value v; v.type = Type::kLong; v.integer = i; return v; }
  static Value of_double(double d) { Value v; v.type = Type::kDouble; v.real = d; return v; }
  static Value of_string(std::string_view s) { Value v; v.type = Type::kString; v.string = s; return v; }

  bool is_null() const { return type == Type::kNull; }
  bool is_number() const { return type == Type::kLong || type == Type::kDouble; }
};

// Three-valued logic.
enum class Tri : uint8_t { kFalse, kTrue, kUnknown };

// The truth value of `v` where a condition is expected: a boolean is itself; a string
// "true" / "false" (any case; a property carrying a boolean) is that boolean; NULL and any
// other value are UNKNOWN.
Tri truth(const Value& v);

// `s` as a number when all of it is one: an optionally signed integer that fits 64 bits
// (Long), else a finite decimal (Double). nullopt otherwise ("12 ", "abc", "", "1e999").
std::optional<Value> parse_number(std::string_view s);

class Expression {
 public:
  virtual ~Expression() = default;
  virtual Value evaluate(const PropertyMap& properties) const noexcept = 0;
};
using ExpressionPtr = std::unique_ptr<const Expression>;

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv, kMod };

// Node constructors. Each takes ownership of its operands and may throw std::bad_alloc.
ExpressionPtr make_literal(Value value);  // not for strings
ExpressionPtr make_string_literal(std::string text);
ExpressionPtr make_property(std::string name);
ExpressionPtr make_and(std::vector<ExpressionPtr> operands);
ExpressionPtr make_or(std::vector<ExpressionPtr> operands);
ExpressionPtr make_not(ExpressionPtr operand);
ExpressionPtr make_compare(CompareOp op, ExpressionPtr left, ExpressionPtr right);
ExpressionPtr make_between(ExpressionPtr value, ExpressionPtr low, ExpressionPtr high, bool negated);
ExpressionPtr make_in(ExpressionPtr value, std::vector<std::string> items, bool negated);
ExpressionPtr make_is_null(ExpressionPtr value, bool negated);
ExpressionPtr make_arithmetic(ExpressionPtr first, std::vector<std::pair<ArithOp, ExpressionPtr>> rest);
ExpressionPtr make_negate(ExpressionPtr operand);

// A LIKE pattern compiled once: '%' any run of characters, '_' exactly one (UTF-8) character,
// the escape character (when given) makes the next character literal.
class LikePattern {
 public:
  // nullopt with a reason in `error` when the pattern ends in the escape character.
  static std::optional<LikePattern> compile(std::string_view pattern, std::optional<char32_t> escape,
                                            std::string* error);
  bool matches(std::string_view text) const noexcept;

 private:
  struct Element {
    enum class Kind : uint8_t { kLiteral, kAnyOne, kAnyRun };
    Kind kind;
    std::string literal;  // kLiteral: one UTF-8 character
  };
  std::vector<Element> elements_;
};
ExpressionPtr make_like(ExpressionPtr value, LikePattern pattern, bool negated);

// Evaluates `selector` for `properties`: true only when it is TRUE.
inline bool selects(const Expression& selector, const PropertyMap& properties) noexcept {
  return truth(selector.evaluate(properties)) == Tri::kTrue;
}

}  // namespace tern::filter_sql92
