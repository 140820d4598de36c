// A small JSON value type with a strict parser and a standard serializer, enough for
// RocketMQ remoting headers and bodies and the broker's metadata files (topics.json, consumerOffset.json, ...).
//
// Parsing is plain code with no I/O, meant for untrusted bytes: any malformed input
// (bad token, trailing garbage, control character in a string, lone surrogate, nesting
// deeper than the limit) returns an InvalidArgument Status that names the byte offset.
// It never throws on bad input and never recurses deeper than `max_depth`.
//
// Numbers keep their textual form (so 64-bit offsets and timestamps survive exactly);
// as_int64() converts integers that fit. Strings hold UTF-8 bytes; \uXXXX escapes,
// including surrogate pairs, are decoded to UTF-8. Object members keep their order;
// find() returns the last member with a given key (like most JSON readers).
//
// Thread-safety: values are plain data; distinct objects may be used from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tern/status.h"

namespace tern {

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;  // null
  static JsonValue null() { return JsonValue(); }
  static JsonValue boolean(bool b);
  static JsonValue number(int64_t n);
  // `text` must already be a valid JSON number; the parser is the usual source.
  static JsonValue number_text(std::string text);
  static JsonValue string(std::string s);
  static JsonValue array();
  static JsonValue object();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Valid only for the matching type (false / "" otherwise).
  bool as_bool() const { return bool_; }
  // The string's bytes, or the number's text as written.
  const std::string& text() const { return text_; }
  // The value of an integer number (no fraction or exponent) that fits in int64;
  // InvalidArgument otherwise (not a number, fractional, out of range).
  Result<int64_t> as_int64() const;

  // Arrays: elements. Objects: members in order (keys()[i] names values()[i]).
  const std::vector<JsonValue>& values() const { return values_; }
  const std::vector<std::string>& keys() const { return keys_; }
  size_t size() const { return values_.size(); }

  // Objects: the last member named `key`, or nullptr (also for non-objects).
  const JsonValue* find(std::string_view key) const;

  // Builders. push_back on an array; set on an object appends, or replaces the
  // existing member of that key; add appends without looking (the caller knows `key` is
  // new: a duplicate would make keys() list it twice).
  void push_back(JsonValue v);
  void set(std::string key, JsonValue v);
  void add(std::string key, JsonValue v);

  friend bool operator==(const JsonValue&, const JsonValue&) = default;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string text_;
  std::vector<std::string> keys_;  // objects only
  std::vector<JsonValue> values_;  // arrays and objects
};

inline constexpr int kJsonMaxDepth = 64;

// Parses one JSON text (surrounded by optional whitespace). Fails with InvalidArgument
// naming the byte offset on malformed input or nesting deeper than `max_depth`.
[[nodiscard]] Result<JsonValue> parse_json(std::string_view text, int max_depth = kJsonMaxDepth);

// A pull parser over one JSON text, for hot paths that take what they need straight out of
// the text (the remoting header decoder) instead of building a JsonValue tree; parse_json
// is built on it. Same strictness, limits and error messages. Objects are walked with
// begin_object() and next_member(); a member's value is read with one of the read_*
// calls (read_value reads any value whole, which also skips it). Any failure leaves the
// reader unusable.
class JsonReader {
 public:
  explicit JsonReader(std::string_view text, int max_depth = kJsonMaxDepth) : text_(text), max_depth_(max_depth) {}

  // The type of the next value (InvalidArgument at the end or on a byte no value starts with).
  [[nodiscard]] Result<JsonValue::Type> peek();
  [[nodiscard]] Status read_value(JsonValue* out);
  // The next value must be of that type.
  [[nodiscard]] Status read_string(std::string* out);
  [[nodiscard]] Status read_number_text(std::string* out);  // as written: "12", "-1.5e3"
  [[nodiscard]] Status read_bool(bool* out);
  [[nodiscard]] Status read_null();
  // Consumes the '{' of the next value, which must be an object.
  [[nodiscard]] Status begin_object();
  // In an object: true with `key` set after reading `"key":` (then read its value), or
  // false after its closing '}'.
  [[nodiscard]] Result<bool> next_member(std::string* key);
  // Only whitespace is left.
  [[nodiscard]] Status finish();

 private:
  Status error(std::string_view what) const;
  void skip_ws();
  bool consume_literal(std::string_view lit);
  bool is_digit_at(size_t p) const;
  Status parse_value(JsonValue* out, int depth);
  Status parse_number(JsonValue* out);
  Status scan_number(std::string_view* text);
  Status parse_hex4(uint32_t* out);
  Status parse_string(std::string* out);  // pos_ at the opening quote
  Status parse_array(JsonValue* out, int depth);
  Status parse_object(JsonValue* out, int depth);

  std::string_view text_;
  int max_depth_;
  size_t pos_ = 0;
  int depth_ = 0;               // objects opened by begin_object and not yet closed
  uint64_t first_member_ = 0;   // bit d: the object at depth d has had no member yet
};

// Standard compact JSON. Strings are escaped (", \, control characters); other bytes,
// including UTF-8 sequences, are written as they are.
std::string serialize_json(const JsonValue& value);

// Appends `s` as a quoted, escaped JSON string.
void append_json_string(std::string* out, std::string_view s);

}  // namespace tern
