// The expression nodes and their evaluation (contract and semantics in sql92_expression.h
// and README.md). Where RocketMQ 4.x's filter module speaks, the behaviour is its own
// (string-to-number conversion, Kleene AND/OR, IN over strings); where it is silent, JMS 2.0
// selectors decide (LIKE, arithmetic, unknown on a type mismatch).
#include "sql92_expression.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace tern::filter_sql92 {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

Tri from_bool(bool b) { return b ? Tri::kTrue : Tri::kFalse; }
Value to_value(Tri t) { return t == Tri::kUnknown ? Value::null() : Value::of_bool(t == Tri::kTrue); }
Tri negate(Tri t) { return t == Tri::kUnknown ? t : (t == Tri::kTrue ? Tri::kFalse : Tri::kTrue); }

// A value as a number: numbers as they are, strings converted; NULL, booleans and strings
// that are no number give nullopt.
std::optional<Value> numeric(const Value& v) {
  if (v.is_number()) return v;
  if (v.type == Value::Type::kString) return parse_number(v.string);
  return std::nullopt;
}

double as_double(const Value& v) { return v.type == Value::Type::kLong ? static_cast<double>(v.integer) : v.real; }

// -1, 0, 1, or nullopt when a NaN is involved (it cannot be produced, but stay total).
std::optional<int> compare_numbers(const Value& a, const Value& b) {
  if (a.type == Value::Type::kLong && b.type == Value::Type::kLong) {
    return a.integer < b.integer ? -1 : (a.integer > b.integer ? 1 : 0);
  }
  double x = as_double(a), y = as_double(b);
  if (std::isnan(x) || std::isnan(y)) return std::nullopt;
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool holds(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq: return c == 0;
    case CompareOp::kNe: return c != 0;
    case CompareOp::kLt: return c < 0;
    case CompareOp::kLe: return c <= 0;
    case CompareOp::kGt: return c > 0;
    case CompareOp::kGe: return c >= 0;
  }
  return false;
}

Tri compare(CompareOp op, const Value& l, const Value& r) {
  if (l.is_null() || r.is_null()) return Tri::kUnknown;
  bool equality = op == CompareOp::kEq || op == CompareOp::kNe;
  if (equality) {
    using T = Value::Type;
    if (l.type == T::kString && r.type == T::kString) return from_bool((l.string == r.string) == (op == CompareOp::kEq));
    if (l.type == T::kBool || r.type == T::kBool) {
      const Value& b = l.type == T::kBool ? l : r;
      const Value& o = l.type == T::kBool ? r : l;
      bool same;
      if (o.type == T::kBool) {
        same = o.boolean == b.boolean;
      } else if (o.type == T::kString) {
        same = iequals(o.string, "true") == b.boolean;  // Java's Boolean.valueOf
      } else {
        same = false;  // a boolean never equals a number (RocketMQ)
      }
      return from_bool(same == (op == CompareOp::kEq));
    }
  }
  auto a = numeric(l);
  auto b = numeric(r);
  if (!a || !b) return Tri::kUnknown;
  auto c = compare_numbers(*a, *b);
  if (!c) return Tri::kUnknown;
  return from_bool(holds(op, *c));
}

class Literal final : public Expression {
 public:
  explicit Literal(Value v) : value_(v) {}
  explicit Literal(std::string text) : text_(std::move(text)) { value_ = Value::of_string(text_); }
  Value evaluate(const PropertyMap&) const noexcept override { return value_; }

 private:
  std::string text_;
  Value value_;
};

class Property final : public Expression {
 public:
  explicit Property(std::string name) : name_(std::move(name)) {}
  Value evaluate(const PropertyMap& properties) const noexcept override {
    auto it = properties.find(name_);
    if (it == properties.end()) return Value::null();
    return Value::of_string(it->second);
  }

 private:
  std::string name_;
};

class And final : public Expression {
 public:
  explicit And(std::vector<ExpressionPtr> operands) : operands_(std::move(operands)) {}
  Value evaluate(const PropertyMap& properties) const noexcept override {
    bool unknown = false;
    for (const auto& e : operands_) {
      Tri t = truth(e->evaluate(properties));
      if (t == Tri::kFalse) return Value::of_bool(false);
      if (t == Tri::kUnknown) unknown = true;
    }
    return unknown ? Value::null() : Value::of_bool(true);
  }

 private:
  std::vector<ExpressionPtr> operands_;
};

class Or final : public Expression {
 public:
  explicit Or(std::vector<ExpressionPtr> operands) : operands_(std::move(operands)) {}
  Value evaluate(const PropertyMap& properties) const noexcept override {
    bool unknown = false;
    for (const auto& e : operands_) {
      Tri t = truth(e->evaluate(properties));
      if (t == Tri::kTrue) return Value::of_bool(true);
      if (t == Tri::kUnknown) unknown = true;
    }
    return unknown ? Value::null() : Value::of_bool(false);
  }

 private:
  std::vector<ExpressionPtr> operands_;
};

class Not final : public Expression {
 public:
  explicit Not(ExpressionPtr operand) : operand_(std::move(operand)) {}
  Value evaluate(const PropertyMap& properties) const noexcept override {
    return to_value(negate(truth(operand_->evaluate(properties))));
  }

 private:
  ExpressionPtr operand_;
};

class Compare final : public Expression {
 public:
  Compare(CompareOp op, ExpressionPtr l, ExpressionPtr r) : op_(op), left_(std::move(l)), right_(std::move(r)) {}
  Value evaluate(const PropertyMap& properties) const noexcept override {
    return to_value(compare(op_, left_->evaluate(properties), right_->evaluate(properties)));
  }

 private:
  CompareOp op_;
  ExpressionPtr left_, right_;
};

class Between final : public Expression {
 public:
  Between(ExpressionPtr v, ExpressionPtr lo, ExpressionPtr hi, bool negated)
      : value_(std::move(v)), low_(std::move(lo)), high_(std::move(hi)), negated_(negated) {}
  Value evaluate(const PropertyMap& properties) const noexcept override {
    Value v = value_->evaluate(properties);
    Value lo = low_->evaluate(properties);
    Value hi = high_->evaluate(properties);
    // v BETWEEN lo AND hi is v >= lo AND v <= hi; NOT BETWEEN is v < lo OR v > hi.
    Tri a = compare(CompareOp::kGe, v, lo);
    Tri b = compare(CompareOp::kLe, v, hi);
    Tri in;
    if (a == Tri::kFalse || b == Tri::kFalse) {
      in = Tri::kFalse;
    } else if (a == Tri::kUnknown || b == Tri::kUnknown) {
      in = Tri::kUnknown;
    } else {
      in = Tri::kTrue;
    }
    return to_value(negated_ ? negate(in) : in);
  }

 private:
  ExpressionPtr value_, low_, high_;
  bool negated_;
};

class In final : public Expression {
 public:
  In(ExpressionPtr v, std::vector<std::string> items, bool negated)
      : value_(std::move(v)), items_(std::move(items)), negated_(negated) {
    std::sort(items_.begin(), items_.end());
    items_.erase(std::unique(items_.begin(), items_.end()), items_.end());
  }
  Value evaluate(const PropertyMap& properties) const noexcept override {
    Value v = value_->evaluate(properties);
    if (v.type != Value::Type::kString) return Value::null();  // NULL or not a string: unknown
    bool found = std::binary_search(items_.begin(), items_.end(), v.string, std::less<>());
    return Value::of_bool(found != negated_);
  }

 private:
  ExpressionPtr value_;
  std::vector<std::string> items_;  // sorted, unique
  bool negated_;
};

class IsNull final : public Expression {
 public:
  IsNull(ExpressionPtr v, bool negated) : value_(std::move(v)), negated_(negated) {}
  Value evaluate(const PropertyMap& properties) const noexcept override {
    return Value::of_bool(value_->evaluate(properties).is_null() != negated_);
  }

 private:
  ExpressionPtr value_;
  bool negated_;
};

class Like final : public Expression {
 public:
  Like(ExpressionPtr v, LikePattern p, bool negated) : value_(std::move(v)), pattern_(std::move(p)), negated_(negated) {}
  Value evaluate(const PropertyMap& properties) const noexcept override {
    Value v = value_->evaluate(properties);
    if (v.type != Value::Type::kString) return Value::null();
    return Value::of_bool(pattern_.matches(v.string) != negated_);
  }

 private:
  ExpressionPtr value_;
  LikePattern pattern_;
  bool negated_;
};

// Integer arithmetic stays integral (Java long) unless it would overflow, then it is done
// in double; division by integer zero is unknown (Java would throw).
Value arithmetic(ArithOp op, const Value& a, const Value& b) {
  if (a.type == Value::Type::kLong && b.type == Value::Type::kLong) {
    int64_t x = a.integer, y = b.integer, r = 0;
    switch (op) {
      case ArithOp::kAdd:
        if (!__builtin_add_overflow(x, y, &r)) return Value::of_long(r);
        break;
      case ArithOp::kSub:
        if (!__builtin_sub_overflow(x, y, &r)) return Value::of_long(r);
        break;
      case ArithOp::kMul:
        if (!__builtin_mul_overflow(x, y, &r)) return Value::of_long(r);
        break;
      case ArithOp::kDiv:
        if (y == 0) return Value::null();
        if (!(x == std::numeric_limits<int64_t>::min() && y == -1)) return Value::of_long(x / y);
        break;
      case ArithOp::kMod:
        if (y == 0) return Value::null();
        if (y == -1) return Value::of_long(0);
        return Value::of_long(x % y);
    }
  }
  double x = as_double(a), y = as_double(b);
  switch (op) {
    case ArithOp::kAdd: return Value::of_double(x + y);
    case ArithOp::kSub: return Value::of_double(x - y);
    case ArithOp::kMul: return Value::of_double(x * y);
    case ArithOp::kDiv: return Value::of_double(x / y);
    case ArithOp::kMod: return Value::of_double(std::fmod(x, y));
  }
  return Value::null();
}

class Arithmetic final : public Expression {
 public:
  Arithmetic(ExpressionPtr first, std::vector<std::pair<ArithOp, ExpressionPtr>> rest)
      : first_(std::move(first)), rest_(std::move(rest)) {}
  Value evaluate(const PropertyMap& properties) const noexcept override {
    auto acc = numeric(first_->evaluate(properties));
    if (!acc) return Value::null();
    for (const auto& [op, e] : rest_) {
      auto rhs = numeric(e->evaluate(properties));
      if (!rhs) return Value::null();
      *acc = arithmetic(op, *acc, *rhs);
      if (acc->is_null()) return *acc;
    }
    return *acc;
  }

 private:
  ExpressionPtr first_;
  std::vector<std::pair<ArithOp, ExpressionPtr>> rest_;
};

class Negate final : public Expression {
 public:
  explicit Negate(ExpressionPtr operand) : operand_(std::move(operand)) {}
  Value evaluate(const PropertyMap& properties) const noexcept override {
    auto v = numeric(operand_->evaluate(properties));
    if (!v) return Value::null();
    if (v->type == Value::Type::kLong && v->integer != std::numeric_limits<int64_t>::min()) {
      return Value::of_long(-v->integer);
    }
    return Value::of_double(-as_double(*v));
  }

 private:
  ExpressionPtr operand_;
};

// The length of the UTF-8 character starting with byte `lead` (1 for a stray byte).
size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

}  // namespace

Tri truth(const Value& v) {
  if (v.type == Value::Type::kBool) return from_bool(v.boolean);
  if (v.type == Value::Type::kString) {
    if (iequals(v.string, "true")) return Tri::kTrue;
    if (iequals(v.string, "false")) return Tri::kFalse;
  }
  return Tri::kUnknown;
}

std::optional<Value> parse_number(std::string_view s) {
  std::string_view body = s;
  if (!body.empty() && body.front() == '+') {  // Java's Long.valueOf accepts "+5"
    body.remove_prefix(1);
    if (!body.empty() && (body.front() == '-' || body.front() == '+')) return std::nullopt;
  }
  if (body.empty()) return std::nullopt;
  const char* begin = body.data();
  const char* end = body.data() + body.size();
  int64_t i = 0;
  auto [p, ec] = std::from_chars(begin, end, i);
  if (ec == std::errc() && p == end) return Value::of_long(i);
  double d = 0;
  auto [q, ec2] = std::from_chars(begin, end, d, std::chars_format::general);
  if (ec2 != std::errc() || q != end || !std::isfinite(d)) return std::nullopt;
  return Value::of_double(d);
}

std::optional<LikePattern> LikePattern::compile(std::string_view pattern, std::optional<char32_t> escape,
                                                std::string* error) {
  LikePattern out;
  // The escape character as UTF-8, to compare with the pattern's characters.
  std::string esc;
  if (escape) {
    char32_t c = *escape;
    if (c < 0x80) {
      esc.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      esc.push_back(static_cast<char>(0xC0 | (c >> 6)));
      esc.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      esc.push_back(static_cast<char>(0xE0 | (c >> 12)));
      esc.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      esc.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      esc.push_back(static_cast<char>(0xF0 | (c >> 18)));
      esc.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      esc.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      esc.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  size_t i = 0;
  while (i < pattern.size()) {
    size_t n = std::min(utf8_length(static_cast<unsigned char>(pattern[i])), pattern.size() - i);
    std::string_view ch = pattern.substr(i, n);
    i += n;
    if (!esc.empty() && ch == esc) {
      if (i >= pattern.size()) {
        if (error) *error = "the LIKE pattern ends in its escape character";
        return std::nullopt;
      }
      size_t m = std::min(utf8_length(static_cast<unsigned char>(pattern[i])), pattern.size() - i);
      out.elements_.push_back({Element::Kind::kLiteral, std::string(pattern.substr(i, m))});
      i += m;
    } else if (ch == "%") {
      if (out.elements_.empty() || out.elements_.back().kind != Element::Kind::kAnyRun) {
        out.elements_.push_back({Element::Kind::kAnyRun, {}});
      }
    } else if (ch == "_") {
      out.elements_.push_back({Element::Kind::kAnyOne, {}});
    } else {
      out.elements_.push_back({Element::Kind::kLiteral, std::string(ch)});
    }
  }
  return out;
}

bool LikePattern::matches(std::string_view text) const noexcept {
  // Wildcard matching with one backtrack point (the last '%'): O(text * pattern) at worst.
  size_t t = 0, p = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    size_t n = std::min(utf8_length(static_cast<unsigned char>(text[t])), text.size() - t);
    if (p < elements_.size()) {
      const Element& e = elements_[p];
      if (e.kind == Element::Kind::kAnyRun) {
        star_p = p++;
        star_t = t;
        continue;
      }
      if (e.kind == Element::Kind::kAnyOne || text.substr(t, n) == e.literal) {
        ++p;
        t += n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    star_t += std::min(utf8_length(static_cast<unsigned char>(text[star_t])), text.size() - star_t);
    t = star_t;
  }
  while (p < elements_.size() && elements_[p].kind == Element::Kind::kAnyRun) ++p;
  return p == elements_.size();
}

ExpressionPtr make_literal(Value value) { return std::make_unique<Literal>(value); }
ExpressionPtr make_string_literal(std::string text) { return std::make_unique<Literal>(std::move(text)); }
ExpressionPtr make_property(std::string name) { return std::make_unique<Property>(std::move(name)); }
ExpressionPtr make_and(std::vector<ExpressionPtr> operands) { return std::make_unique<And>(std::move(operands)); }
ExpressionPtr make_or(std::vector<ExpressionPtr> operands) { return std::make_unique<Or>(std::move(operands)); }
ExpressionPtr make_not(ExpressionPtr operand) { return std::make_unique<Not>(std::move(operand)); }
ExpressionPtr make_compare(CompareOp op, ExpressionPtr left, ExpressionPtr right) {
  return std::make_unique<Compare>(op, std::move(left), std::move(right));
}
ExpressionPtr make_between(ExpressionPtr value, ExpressionPtr low, ExpressionPtr high, bool negated) {
  return std::make_unique<Between>(std::move(value), std::move(low), std::move(high), negated);
}
ExpressionPtr make_in(ExpressionPtr value, std::vector<std::string> items, bool negated) {
  return std::make_unique<In>(std::move(value), std::move(items), negated);
}
ExpressionPtr make_is_null(ExpressionPtr value, bool negated) {
  return std::make_unique<IsNull>(std::move(value), negated);
}
ExpressionPtr make_like(ExpressionPtr value, LikePattern pattern, bool negated) {
  return std::make_unique<Like>(std::move(value), std::move(pattern), negated);
}
ExpressionPtr make_arithmetic(ExpressionPtr first, std::vector<std::pair<ArithOp, ExpressionPtr>> rest) {
  if (rest.empty()) return first;
  return std::make_unique<Arithmetic>(std::move(first), std::move(rest));
}
ExpressionPtr make_negate(ExpressionPtr operand) { return std::make_unique<Negate>(std::move(operand)); }

}  // namespace tern::filter_sql92
