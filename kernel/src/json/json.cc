// JSON parser and serializer for the remoting codec (see json.h for the contract).
//
// The parser is a recursive-descent reader over a string_view. Recursion only happens
// for arrays and objects and is bounded by max_depth, so hostile nesting cannot exhaust
// the stack. Every error names the byte offset where reading stopped.
#include "json/json.h"

#include <charconv>
#include <utility>

namespace tern {

JsonValue JsonValue::boolean(bool b) {
  JsonValue v;
  v.type_ = Type::kBool;
  v.bool_ = b;
  return v;
}

JsonValue JsonValue::number(int64_t n) {
  return number_text(std::to_string(n));
}

JsonValue JsonValue::number_text(std::string text) {
  JsonValue v;
  v.type_ = Type::kNumber;
  v.text_ = std::move(text);
  return v;
}

JsonValue JsonValue::string(std::string s) {
  JsonValue v;
  v.type_ = Type::kString;
  v.text_ = std::move(s);
  return v;
}

JsonValue JsonValue::array() {
  JsonValue v;
  v.type_ = Type::kArray;
  return v;
}

JsonValue JsonValue::object() {
  JsonValue v;
  v.type_ = Type::kObject;
  return v;
}

Result<int64_t> JsonValue::as_int64() const {
  if (type_ != Type::kNumber) return Status::invalid_argument("JSON value is not a number");
  int64_t out = 0;
  const char* first = text_.data();
  const char* last = text_.data() + text_.size();
  auto [ptr, ec] = std::from_chars(first, last, out);
  if (ec == std::errc::result_out_of_range) {
    return Status::invalid_argument("JSON number " + text_ + " does not fit in 64 bits");
  }
  if (ec != std::errc() || ptr != last) {
    return Status::invalid_argument("JSON number " + text_ + " is not an integer");
  }
  return out;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  for (size_t i = keys_.size(); i > 0; --i) {
    if (keys_[i - 1] == key) return &values_[i - 1];
  }
  return nullptr;
}

void JsonValue::push_back(JsonValue v) {
  values_.push_back(std::move(v));
}

void JsonValue::set(std::string key, JsonValue v) {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) {
      values_[i] = std::move(v);
      return;
    }
  }
  add(std::move(key), std::move(v));
}

void JsonValue::add(std::string key, JsonValue v) {
  keys_.push_back(std::move(key));
  values_.push_back(std::move(v));
}

namespace {

void append_utf8(std::string* s, uint32_t cp) {
  if (cp < 0x80) {
    s->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

Status JsonReader::error(std::string_view what) const {
  return Status::invalid_argument("JSON: " + std::string(what) + " at byte " +
                                  std::to_string(pos_));
}

void JsonReader::skip_ws() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++pos_;
  }
}

bool JsonReader::consume_literal(std::string_view lit) {
  if (text_.substr(pos_, lit.size()) != lit) return false;
  pos_ += lit.size();
  return true;
}

Status JsonReader::parse_value(JsonValue* out, int depth) {
  skip_ws();
  if (pos_ >= text_.size()) return error("unexpected end of input");
  char c = text_[pos_];
  switch (c) {
    case '{': return parse_object(out, depth + 1);
    case '[': return parse_array(out, depth + 1);
    case '"': {
      std::string s;
      TERN_RETURN_IF_ERROR(parse_string(&s));
      *out = JsonValue::string(std::move(s));
      return Status::ok();
    }
    case 't':
      if (!consume_literal("true")) return error("invalid literal");
      *out = JsonValue::boolean(true);
      return Status::ok();
    case 'f':
      if (!consume_literal("false")) return error("invalid literal");
      *out = JsonValue::boolean(false);
      return Status::ok();
    case 'n':
      if (!consume_literal("null")) return error("invalid literal");
      *out = JsonValue::null();
      return Status::ok();
    default:
      if (c == '-' || (c >= '0' && c <= '9')) return parse_number(out);
      return error("unexpected character");
  }
}

bool JsonReader::is_digit_at(size_t p) const { return p < text_.size() && text_[p] >= '0' && text_[p] <= '9'; }

Status JsonReader::parse_number(JsonValue* out) {
  std::string_view text;
  TERN_RETURN_IF_ERROR(scan_number(&text));
  *out = JsonValue::number_text(std::string(text));
  return Status::ok();
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
Status JsonReader::scan_number(std::string_view* text) {
  size_t start = pos_;
  if (text_[pos_] == '-') ++pos_;
  if (!is_digit_at(pos_)) return error("invalid number");
  if (text_[pos_] == '0') {
    ++pos_;
    if (is_digit_at(pos_)) return error("leading zero in number");
  } else {
    while (is_digit_at(pos_)) ++pos_;
  }
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    if (!is_digit_at(pos_)) return error("invalid number fraction");
    while (is_digit_at(pos_)) ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (!is_digit_at(pos_)) return error("invalid number exponent");
    while (is_digit_at(pos_)) ++pos_;
  }
  *text = text_.substr(start, pos_ - start);
  return Status::ok();
}

// Reads 4 hex digits at pos_.
Status JsonReader::parse_hex4(uint32_t* out) {
  if (text_.size() - pos_ < 4) return error("truncated \\u escape");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = text_[pos_ + i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
    else return error("invalid hex digit in \\u escape");
  }
  pos_ += 4;
  *out = v;
  return Status::ok();
}


// pos_ is at the opening quote.
Status JsonReader::parse_string(std::string* out) {
  ++pos_;
  while (true) {
    if (pos_ >= text_.size()) return error("unterminated string");
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      return Status::ok();
    }
    if (c < 0x20) return error("control character in string");
    if (c != '\\') {
      // A run of plain bytes is copied at once (headers are mostly that).
      size_t end = pos_ + 1;
      while (end < text_.size()) {
        unsigned char d = static_cast<unsigned char>(text_[end]);
        if (d == '"' || d == '\\' || d < 0x20) break;
        ++end;
      }
      out->append(text_.data() + pos_, end - pos_);
      pos_ = end;
      continue;
    }
    ++pos_;
    if (pos_ >= text_.size()) return error("unterminated escape");
    char e = text_[pos_++];
    switch (e) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '/': out->push_back('/'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        uint32_t cp = 0;
        TERN_RETURN_IF_ERROR(parse_hex4(&cp));
        if (cp >= 0xDC00 && cp <= 0xDFFF) return error("lone low surrogate in \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (!consume_literal("\\u")) return error("high surrogate not followed by \\u escape");
          uint32_t low = 0;
          TERN_RETURN_IF_ERROR(parse_hex4(&low));
          if (low < 0xDC00 || low > 0xDFFF) return error("high surrogate not followed by a low surrogate");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
        break;
      }
      default:
        --pos_;
        return error("invalid escape");
    }
  }
}

Status JsonReader::parse_array(JsonValue* out, int depth) {
  if (depth > max_depth_) return error("nesting deeper than " + std::to_string(max_depth_));
  ++pos_;  // '['
  *out = JsonValue::array();
  skip_ws();
  if (pos_ < text_.size() && text_[pos_] == ']') {
    ++pos_;
    return Status::ok();
  }
  while (true) {
    JsonValue element;
    TERN_RETURN_IF_ERROR(parse_value(&element, depth));
    out->push_back(std::move(element));
    skip_ws();
    if (pos_ >= text_.size()) return error("unterminated array");
    char c = text_[pos_++];
    if (c == ']') return Status::ok();
    if (c != ',') {
      --pos_;
      return error("expected ',' or ']' in array");
    }
  }
}

Status JsonReader::parse_object(JsonValue* out, int depth) {
  if (depth > max_depth_) return error("nesting deeper than " + std::to_string(max_depth_));
  ++pos_;  // '{'
  *out = JsonValue::object();
  skip_ws();
  if (pos_ < text_.size() && text_[pos_] == '}') {
    ++pos_;
    return Status::ok();
  }
  // Bits of (length, first byte) of the keys seen: a key whose bit is clear is new, so
  // the usual object (distinct keys) is built without comparing keys.
  uint64_t seen = 0;
  while (true) {
    skip_ws();
    if (pos_ >= text_.size() || text_[pos_] != '"') return error("expected a string key in object");
    std::string key;
    TERN_RETURN_IF_ERROR(parse_string(&key));
    skip_ws();
    if (pos_ >= text_.size() || text_[pos_] != ':') return error("expected ':' in object");
    ++pos_;
    JsonValue member;
    TERN_RETURN_IF_ERROR(parse_value(&member, depth));
    const uint64_t bit = uint64_t{1} << ((key.size() * 31 + (key.empty() ? 0 : static_cast<unsigned char>(key[0]))) % 64);
    // Duplicate keys: the last one wins, as in fastjson and jsoncpp.
    if ((seen & bit) != 0) {
      out->set(std::move(key), std::move(member));
    } else {
      out->add(std::move(key), std::move(member));
    }
    seen |= bit;
    skip_ws();
    if (pos_ >= text_.size()) return error("unterminated object");
    char c = text_[pos_++];
    if (c == '}') return Status::ok();
    if (c != ',') {
      --pos_;
      return error("expected ',' or '}' in object");
    }
  }
}

// --- The pull interface.

Result<JsonValue::Type> JsonReader::peek() {
  skip_ws();
  if (pos_ >= text_.size()) return error("unexpected end of input");
  switch (text_[pos_]) {
    case '{': return JsonValue::Type::kObject;
    case '[': return JsonValue::Type::kArray;
    case '"': return JsonValue::Type::kString;
    case 't':
    case 'f': return JsonValue::Type::kBool;
    case 'n': return JsonValue::Type::kNull;
    default:
      if (text_[pos_] == '-' || is_digit_at(pos_)) return JsonValue::Type::kNumber;
      return error("unexpected character");
  }
}

Status JsonReader::read_value(JsonValue* out) { return parse_value(out, depth_); }

Status JsonReader::read_string(std::string* out) {
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != '"') return error("expected a string");
  out->clear();
  return parse_string(out);
}

Status JsonReader::read_number_text(std::string* out) {
  skip_ws();
  if (pos_ >= text_.size() || (text_[pos_] != '-' && !is_digit_at(pos_))) return error("expected a number");
  std::string_view text;
  TERN_RETURN_IF_ERROR(scan_number(&text));
  out->assign(text);
  return Status::ok();
}

Status JsonReader::read_bool(bool* out) {
  skip_ws();
  if (consume_literal("true")) {
    *out = true;
  } else if (consume_literal("false")) {
    *out = false;
  } else {
    return error("expected true or false");
  }
  return Status::ok();
}

Status JsonReader::read_null() {
  skip_ws();
  return consume_literal("null") ? Status::ok() : error("expected null");
}

Status JsonReader::begin_object() {
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != '{') return error("expected an object");
  if (depth_ + 1 > max_depth_ || depth_ + 1 >= 64) return error("nesting deeper than " + std::to_string(max_depth_));
  ++pos_;
  ++depth_;
  first_member_ |= uint64_t{1} << depth_;
  return Status::ok();
}

Result<bool> JsonReader::next_member(std::string* key) {
  if (depth_ == 0) return error("next_member outside an object");
  const uint64_t first = uint64_t{1} << depth_;
  skip_ws();
  if (pos_ >= text_.size()) return error("unterminated object");
  if (text_[pos_] == '}') {
    ++pos_;
    first_member_ &= ~first;
    --depth_;
    return false;
  }
  if ((first_member_ & first) == 0) {
    if (text_[pos_] != ',') return error("expected ',' or '}' in object");
    ++pos_;
    skip_ws();
  }
  first_member_ &= ~first;
  if (pos_ >= text_.size() || text_[pos_] != '"') return error("expected a string key in object");
  key->clear();
  TERN_RETURN_IF_ERROR(parse_string(key));
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != ':') return error("expected ':' in object");
  ++pos_;
  return true;
}

Status JsonReader::finish() {
  skip_ws();
  if (pos_ != text_.size()) return error("unexpected data after the JSON value");
  return Status::ok();
}

namespace {

void serialize_into(std::string* out, const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::kNull: out->append("null"); return;
    case JsonValue::Type::kBool: out->append(v.as_bool() ? "true" : "false"); return;
    case JsonValue::Type::kNumber: out->append(v.text()); return;
    case JsonValue::Type::kString: append_json_string(out, v.text()); return;
    case JsonValue::Type::kArray: {
      out->push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out->push_back(',');
        serialize_into(out, v.values()[i]);
      }
      out->push_back(']');
      return;
    }
    case JsonValue::Type::kObject: {
      out->push_back('{');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out->push_back(',');
        append_json_string(out, v.keys()[i]);
        out->push_back(':');
        serialize_into(out, v.values()[i]);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

Result<JsonValue> parse_json(std::string_view text, int max_depth) {
  JsonReader reader(text, max_depth);
  JsonValue v;
  TERN_RETURN_IF_ERROR(reader.read_value(&v));
  TERN_RETURN_IF_ERROR(reader.finish());
  return v;
}

std::string serialize_json(const JsonValue& value) {
  std::string out;
  serialize_into(&out, value);
  return out;
}

void append_json_string(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

}  // namespace tern
