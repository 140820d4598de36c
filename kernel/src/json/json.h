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
  // existing member of that key.
  void push_back(JsonValue v);
  void set(std::string key, JsonValue v);

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

// Standard compact JSON. Strings are escaped (", \, control characters); other bytes,
// including UTF-8 sequences, are written as they are.
std::string serialize_json(const JsonValue& value);

// Appends `s` as a quoted, escaped JSON string.
void append_json_string(std::string* out, std::string_view s);

}  // namespace tern
