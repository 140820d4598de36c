// parse_sql92 (contract in sql92_parser.h): a pre-scan that bounds what reaches ANTLR
// (length, UTF-8, parenthesis depth), the generated lexer and parser with an error listener
// that keeps the first fault's position, then a walk of the parse tree that builds the
// expression tree and applies RocketMQ's build-time checks. Exceptions are used inside (the
// walk throws SelectorError) and all end here: none leaves parse_sql92().
#include "sql92_parser.h"

#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "Sql92SelectorLexer.h"
#include "Sql92SelectorParser.h"
#include "antlr4-runtime.h"

namespace tern::filter_sql92 {
namespace {

using generated::Sql92SelectorLexer;
using generated::Sql92SelectorParser;
using P = Sql92SelectorParser;

// What the build-time checks know of an operand.
enum class Kind : uint8_t { kCondition, kNumber, kString, kNull, kAny /* a property */ };

struct Built {
  ExpressionPtr expr;
  Kind kind;
  std::optional<Value> constant;  // a literal number, string, boolean or NULL
  antlr4::Token* start;           // for error positions
};

struct SelectorError {
  size_t line;
  size_t column;  // 1-based
  std::string message;
};

[[noreturn]] void fail_at(const antlr4::Token* token, std::string message) {
  throw SelectorError{token->getLine(), token->getCharPositionInLine() + 1, std::move(message)};
}

// Appended rather than concatenated: GCC 12 at -O2 warns falsely (-Wrestrict) on
// "'" + text + "'".
std::string quoted(const Built& b) {
  std::string out(1, '\'');
  out.append(b.start->getText()).push_back('\'');
  return out;
}

// The text of a STRING token without its quotes, '' read as '.
std::string decode_string(const antlr4::Token* token) {
  std::string raw = token->getText();
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    out.push_back(raw[i]);
    if (raw[i] == '\'') ++i;
  }
  return out;
}

// The code points of valid UTF-8 `s` (the pre-scan has validated the whole text).
std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

bool is_condition(Kind k) { return k == Kind::kCondition || k == Kind::kAny || k == Kind::kNull; }
bool is_numeric(Kind k) { return k == Kind::kNumber || k == Kind::kAny; }

void require_condition(const Built& b) {
  if (!is_condition(b.kind)) fail_at(b.start, "expression " + quoted(b) + " is not a condition");
}
void require_numeric(const Built& b, std::string_view op) {
  if (!is_numeric(b.kind)) {
    fail_at(b.start, "value " + quoted(b) + " cannot be an operand of " + std::string(op) + ": only numbers can");
  }
}

class Builder {
 public:
  Built selector(P::SelectorContext* ctx) {
    Built b = or_expr(ctx->orExpr());
    require_condition(b);
    return b;
  }

 private:
  Built or_expr(P::OrExprContext* ctx) {
    auto parts = ctx->andExpr();
    if (parts.size() == 1) return and_expr(parts[0]);
    std::vector<ExpressionPtr> operands;
    for (auto* p : parts) {
      Built b = and_expr(p);
      require_condition(b);
      operands.push_back(std::move(b.expr));
    }
    return {make_or(std::move(operands)), Kind::kCondition, std::nullopt, ctx->getStart()};
  }

  Built and_expr(P::AndExprContext* ctx) {
    auto parts = ctx->notExpr();
    if (parts.size() == 1) return not_expr(parts[0]);
    std::vector<ExpressionPtr> operands;
    for (auto* p : parts) {
      Built b = not_expr(p);
      require_condition(b);
      operands.push_back(std::move(b.expr));
    }
    return {make_and(std::move(operands)), Kind::kCondition, std::nullopt, ctx->getStart()};
  }

  Built not_expr(P::NotExprContext* ctx) {
    Built b = predicate(ctx->predicate());
    size_t nots = ctx->NOT().size();
    if (nots == 0) return b;
    require_condition(b);
    for (size_t i = 0; i < nots; ++i) b.expr = make_not(std::move(b.expr));
    return {std::move(b.expr), Kind::kCondition, std::nullopt, ctx->getStart()};
  }

  Built predicate(P::PredicateContext* ctx) {
    Built left = sum(ctx->sum());
    P::PredicateTailContext* tail = ctx->predicateTail();
    if (tail == nullptr) return left;
    antlr4::Token* start = ctx->getStart();
    if (auto* c = dynamic_cast<P::ComparisonContext*>(tail)) {
      Built right = sum(c->sum());
      CompareOp op = CompareOp::kEq;
      switch (c->op->getType()) {
        case P::EQ: op = CompareOp::kEq; break;
        case P::NE: op = CompareOp::kNe; break;
        case P::LT: op = CompareOp::kLt; break;
        case P::LE: op = CompareOp::kLe; break;
        case P::GT: op = CompareOp::kGt; break;
        default: op = CompareOp::kGe; break;
      }
      if (op == CompareOp::kEq || op == CompareOp::kNe) {
        for (const Built* b : {&left, &right}) {
          if (b->kind == Kind::kNull) fail_at(b->start, "NULL cannot be compared with " + c->op->getText() + ": use IS NULL / IS NOT NULL");
        }
      } else {
        require_numeric(left, c->op->getText());
        require_numeric(right, c->op->getText());
      }
      return {make_compare(op, std::move(left.expr), std::move(right.expr)), Kind::kCondition, std::nullopt, start};
    }
    if (auto* c = dynamic_cast<P::BetweenContext*>(tail)) {
      Built low = sum(c->sum(0));
      Built high = sum(c->sum(1));
      require_numeric(left, "BETWEEN");
      require_numeric(low, "BETWEEN");
      require_numeric(high, "BETWEEN");
      if (low.constant && high.constant && low.constant->is_number() && high.constant->is_number()) {
        Value lo = *low.constant, hi = *high.constant;
        bool reversed = lo.type == Value::Type::kLong && hi.type == Value::Type::kLong
                            ? lo.integer > hi.integer
                            : (lo.type == Value::Type::kLong ? static_cast<double>(lo.integer) : lo.real) >
                                  (hi.type == Value::Type::kLong ? static_cast<double>(hi.integer) : hi.real);
        if (reversed) {
          fail_at(low.start, "BETWEEN bounds are reversed: " + low.start->getText() + " is greater than " +
                                 high.start->getText());
        }
      }
      return {make_between(std::move(left.expr), std::move(low.expr), std::move(high.expr), c->NOT() != nullptr),
              Kind::kCondition, std::nullopt, start};
    }
    if (auto* c = dynamic_cast<P::InListContext*>(tail)) {
      if (left.kind != Kind::kAny && left.kind != Kind::kString) {
        fail_at(left.start, "IN needs a property or string on its left, not " + quoted(left));
      }
      std::vector<std::string> items;
      for (auto* s : c->STRING()) items.push_back(decode_string(s->getSymbol()));
      return {make_in(std::move(left.expr), std::move(items), c->NOT() != nullptr), Kind::kCondition, std::nullopt,
              start};
    }
    if (auto* c = dynamic_cast<P::LikeContext*>(tail)) {
      if (left.kind != Kind::kAny && left.kind != Kind::kString) {
        fail_at(left.start, "LIKE needs a property or string on its left, not " + quoted(left));
      }
      std::optional<char32_t> escape;
      if (c->escape != nullptr) {
        auto cps = code_points(decode_string(c->escape));
        if (cps.size() != 1) fail_at(c->escape, "the ESCAPE string must be exactly one character");
        escape = cps[0];
      }
      std::string error;
      auto pattern = LikePattern::compile(decode_string(c->pattern), escape, &error);
      if (!pattern) fail_at(c->pattern, error);
      return {make_like(std::move(left.expr), std::move(*pattern), c->NOT() != nullptr), Kind::kCondition,
              std::nullopt, start};
    }
    auto* c = dynamic_cast<P::IsNullContext*>(tail);
    if (c == nullptr) fail_at(start, "unexpected predicate");  // the grammar has no other
    return {make_is_null(std::move(left.expr), c->NOT() != nullptr), Kind::kCondition, std::nullopt, start};
  }

  Built sum(P::SumContext* ctx) {
    auto parts = ctx->product();
    if (parts.size() == 1) return product(parts[0]);
    Built first = product(parts[0]);
    require_numeric(first, ctx->sumOps[0]->getText());
    std::vector<std::pair<ArithOp, ExpressionPtr>> rest;
    for (size_t i = 1; i < parts.size(); ++i) {
      antlr4::Token* op = ctx->sumOps[i - 1];
      Built b = product(parts[i]);
      require_numeric(b, op->getText());
      rest.emplace_back(op->getType() == P::PLUS ? ArithOp::kAdd : ArithOp::kSub, std::move(b.expr));
    }
    return {make_arithmetic(std::move(first.expr), std::move(rest)), Kind::kNumber, std::nullopt, ctx->getStart()};
  }

  Built product(P::ProductContext* ctx) {
    auto parts = ctx->unary();
    if (parts.size() == 1) return unary(parts[0]);
    Built first = unary(parts[0]);
    require_numeric(first, ctx->productOps[0]->getText());
    std::vector<std::pair<ArithOp, ExpressionPtr>> rest;
    for (size_t i = 1; i < parts.size(); ++i) {
      antlr4::Token* op = ctx->productOps[i - 1];
      Built b = unary(parts[i]);
      require_numeric(b, op->getText());
      ArithOp a = op->getType() == P::STAR ? ArithOp::kMul : op->getType() == P::SLASH ? ArithOp::kDiv : ArithOp::kMod;
      rest.emplace_back(a, std::move(b.expr));
    }
    return {make_arithmetic(std::move(first.expr), std::move(rest)), Kind::kNumber, std::nullopt, ctx->getStart()};
  }

  Built unary(P::UnaryContext* ctx) {
    Built b = primary(ctx->primary());
    if (ctx->signs.empty()) return b;
    require_numeric(b, ctx->signs.back()->getText());
    size_t minuses = 0;
    for (auto* s : ctx->signs) minuses += s->getType() == P::MINUS ? 1 : 0;
    bool negative = minuses % 2 == 1;
    if (b.constant) {  // fold: -5 is a constant, so BETWEEN -5 AND -1 can be checked
      Value v = *b.constant;
      if (negative) {
        if (v.type == Value::Type::kLong && v.integer != std::numeric_limits<int64_t>::min()) {
          v.integer = -v.integer;
        } else {
          v = Value::of_double(-(v.type == Value::Type::kLong ? static_cast<double>(v.integer) : v.real));
        }
      }
      return {make_literal(v), Kind::kNumber, v, ctx->getStart()};
    }
    if (negative) b.expr = make_negate(std::move(b.expr));
    return {std::move(b.expr), Kind::kNumber, std::nullopt, ctx->getStart()};
  }

  Built primary(P::PrimaryContext* ctx) {
    if (auto* p = dynamic_cast<P::PropertyContext*>(ctx)) {
      return {make_property(p->ID()->getText()), Kind::kAny, std::nullopt, ctx->getStart()};
    }
    if (auto* p = dynamic_cast<P::ParenthesizedContext*>(ctx)) {
      Built b = or_expr(p->orExpr());
      b.start = ctx->getStart();
      return b;
    }
    auto* l = dynamic_cast<P::LiteralPrimaryContext*>(ctx);
    if (l == nullptr) fail_at(ctx->getStart(), "unexpected operand");
    return literal(l->literal());
  }

  Built literal(P::LiteralContext* ctx) {
    antlr4::Token* t = ctx->getStart();
    switch (t->getType()) {
      case P::STRING: {
        std::string text = decode_string(t);
        Value v = Value::of_string({});  // the node owns the text; the constant's kind is what matters
        return {make_string_literal(std::move(text)), Kind::kString, v, t};
      }
      case P::TRUE_LIT: return {make_literal(Value::of_bool(true)), Kind::kCondition, Value::of_bool(true), t};
      case P::FALSE_LIT: return {make_literal(Value::of_bool(false)), Kind::kCondition, Value::of_bool(false), t};
      case P::NULL_LIT: return {make_literal(Value::null()), Kind::kNull, Value::null(), t};
      default: break;
    }
    std::string text = t->getText();
    if (t->getType() == P::INTEGER) {
      if (!text.empty() && (text.back() == 'l' || text.back() == 'L')) text.pop_back();
      int64_t i = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec == std::errc() && p == text.data() + text.size()) {
        return {make_literal(Value::of_long(i)), Kind::kNumber, Value::of_long(i), t};
      }
    }
    double d = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d, std::chars_format::general);
    if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(d)) {
      fail_at(t, "number " + t->getText() + " is out of range");
    }
    return {make_literal(Value::of_double(d)), Kind::kNumber, Value::of_double(d), t};
  }
};

// Keeps the first syntax error the lexer or the parser reports.
class FirstError final : public antlr4::BaseErrorListener {
 public:
  void syntaxError(antlr4::Recognizer*, antlr4::Token*, size_t line, size_t column, const std::string& message,
                   std::exception_ptr) override {
    if (!error_) error_ = SelectorError{line, column + 1, message};
  }
  const std::optional<SelectorError>& error() const { return error_; }

 private:
  std::optional<SelectorError> error_;
};

// Line and column (1-based, in characters) of byte `offset` in `text`.
std::pair<size_t, size_t> position_of(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

Status invalid_at(std::string_view text, size_t offset, std::string_view what) {
  auto [line, column] = position_of(text, offset);
  return Status::invalid_argument("invalid SQL92 selector at line " + std::to_string(line) + ", column " +
                                  std::to_string(column) + ": " + std::string(what));
}

// Byte offset of the first invalid UTF-8 sequence, or npos.
size_t invalid_utf8_at(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    char32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
      n = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (i + n > s.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n;
  }
  return std::string_view::npos;
}

// Offset of the parenthesis that goes deeper than kMaxParenthesisDepth, or npos. Strings and
// comments are skipped as the lexer skips them.
size_t too_deep_at(std::string_view s) {
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'') {
      for (++i; i < s.size(); ++i) {
        if (s[i] == '\'') {
          if (i + 1 < s.size() && s[i + 1] == '\'') {
            ++i;
          } else {
            break;
          }
        }
      }
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n' && s[i] != '\r') ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) return std::string_view::npos;  // the lexer reports it
      i = end + 1;
    } else if (c == '(') {
      if (++depth > kMaxParenthesisDepth) return i;
    } else if (c == ')') {
      --depth;
    }
  }
  return std::string_view::npos;
}

std::mutex& parse_mutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

Result<ExpressionPtr> parse_sql92(std::string_view text) noexcept {
  try {
    if (text.size() > kMaxSelectorBytes) {
      return Status::invalid_argument("SQL92 selector of " + std::to_string(text.size()) + " bytes is longer than " +
                                      std::to_string(kMaxSelectorBytes));
    }
    if (size_t at = invalid_utf8_at(text); at != std::string_view::npos) return invalid_at(text, at, "not UTF-8");
    if (size_t at = too_deep_at(text); at != std::string_view::npos) {
      return invalid_at(text, at, "parentheses nest deeper than " + std::to_string(kMaxParenthesisDepth));
    }
    std::lock_guard lock(parse_mutex());
    antlr4::ANTLRInputStream input(text.data(), text.size());
    Sql92SelectorLexer lexer(&input);
    FirstError errors;
    lexer.removeErrorListeners();
    lexer.addErrorListener(&errors);
    antlr4::CommonTokenStream tokens(&lexer);
    Sql92SelectorParser parser(&tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(&errors);
    P::SelectorContext* tree = parser.selector();
    if (const auto& e = errors.error()) {
      return Status::invalid_argument("SQL92 syntax error at line " + std::to_string(e->line) + ", column " +
                                      std::to_string(e->column) + ": " + e->message);
    }
    try {
      return Builder().selector(tree).expr;
    } catch (const SelectorError& e) {
      return Status::invalid_argument("invalid SQL92 selector at line " + std::to_string(e.line) + ", column " +
                                      std::to_string(e.column) + ": " + e.message);
    }
  } catch (const std::bad_alloc&) {
    return Status::resource_exhausted("out of memory compiling a SQL92 selector of " + std::to_string(text.size()) +
                                      " bytes");
  } catch (const std::exception& e) {
    return Status::invalid_argument(std::string("invalid SQL92 selector: ") + e.what());
  } catch (...) {
    return Status::internal("compiling a SQL92 selector failed with an unknown exception");
  }
}

}  // namespace tern::filter_sql92
