// Frame and header codec of RemotingCommand (contract in remoting_command.h, format in
// PROTOCOL.md (in shared/, beside the repository) §1-§3).
//
// Decoding reads big-endian integers through a bounds-checked cursor, so no length taken
// from the wire is trusted before it is compared with the bytes actually present. The
// frame length is checked against the limit before the rest of the frame is even waited
// for, so a hostile length costs nothing.
#include "remoting_command.h"

#include <array>
#include <charconv>
#include <limits>
#include <utility>

#include "json/json.h"
#include "tern/check.h"

namespace tern::remoting {
namespace {

constexpr std::array<std::string_view, 13> kLanguageNames = {
    "JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY",
    "OTHER", "HTTP", "GO", "PHP", "OMS", "RUST"};

uint32_t read_be32(std::string_view s, size_t pos) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(s[pos])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[pos + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[pos + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[pos + 3]));
}

void append_be16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xFF));
}

void append_be32(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>((v >> 16) & 0xFF));
  out->push_back(static_cast<char>((v >> 8) & 0xFF));
  out->push_back(static_cast<char>(v & 0xFF));
}

// A bounds-checked big-endian reader over a header.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t pos() const { return pos_; }

  bool read_u8(uint8_t* v) {
    if (remaining() < 1) return false;
    *v = static_cast<uint8_t>(data_[pos_]);
    pos_ += 1;
    return true;
  }
  bool read_i16(int16_t* v) {
    if (remaining() < 2) return false;
    uint16_t u = static_cast<uint16_t>((static_cast<unsigned char>(data_[pos_]) << 8) |
                                       static_cast<unsigned char>(data_[pos_ + 1]));
    *v = static_cast<int16_t>(u);
    pos_ += 2;
    return true;
  }
  bool read_i32(int32_t* v) {
    if (remaining() < 4) return false;
    *v = static_cast<int32_t>(read_be32(data_, pos_));
    pos_ += 4;
    return true;
  }
  bool read_bytes(size_t n, std::string_view* v) {
    if (remaining() < n) return false;
    *v = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

Status binary_error(const Reader& r, std::string_view what) {
  return Status::corruption("ROCKETMQ header: " + std::string(what) + " at byte " +
                            std::to_string(r.pos()));
}

// An int32 header field of a JSON header: a number, or (leniently) a string holding one.
// Null leaves *out unchanged.
Status read_json_int32(JsonReader& in, std::string_view name, int32_t* out) {
  TERN_ASSIGN_OR_RETURN(type, in.peek());
  if (type == JsonValue::Type::kNull) return in.read_null();
  std::string text;
  if (type == JsonValue::Type::kNumber) {
    TERN_RETURN_IF_ERROR(in.read_number_text(&text));
  } else if (type == JsonValue::Type::kString) {
    TERN_RETURN_IF_ERROR(in.read_string(&text));
  }
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
    return Status::corruption("JSON header: field " + std::string(name) + " is not a 32-bit integer");
  }
  *out = static_cast<int32_t>(n);
  return Status::ok();
}

// A string field that may be null; anything else is a corrupt header.
Status read_json_optional_string(JsonReader& in, std::string_view name, std::optional<std::string>* out) {
  TERN_ASSIGN_OR_RETURN(type, in.peek());
  if (type == JsonValue::Type::kNull) return in.read_null();
  if (type != JsonValue::Type::kString) return Status::corruption("JSON header: " + std::string(name) + " is not a string");
  std::string text;
  TERN_RETURN_IF_ERROR(in.read_string(&text));
  *out = std::move(text);
  return Status::ok();
}

Status read_json_ext_fields(JsonReader& in, std::map<std::string, std::string>* fields) {
  TERN_ASSIGN_OR_RETURN(type, in.peek());
  if (type == JsonValue::Type::kNull) return in.read_null();
  if (type != JsonValue::Type::kObject) return Status::corruption("JSON header: extFields is not an object");
  TERN_RETURN_IF_ERROR(in.begin_object());
  std::string key;
  while (true) {
    TERN_ASSIGN_OR_RETURN(more, in.next_member(&key));
    if (!more) return Status::ok();
    TERN_ASSIGN_OR_RETURN(value_type, in.peek());
    std::string value;
    switch (value_type) {
      case JsonValue::Type::kNull:  // ali-ons omits null values; treat them as absent
        TERN_RETURN_IF_ERROR(in.read_null());
        fields->erase(key);
        continue;
      case JsonValue::Type::kString: TERN_RETURN_IF_ERROR(in.read_string(&value)); break;
      case JsonValue::Type::kNumber: TERN_RETURN_IF_ERROR(in.read_number_text(&value)); break;  // "0", "1700000000000"
      case JsonValue::Type::kBool: {
        bool b = false;
        TERN_RETURN_IF_ERROR(in.read_bool(&b));
        value = b ? "true" : "false";
        break;
      }
      case JsonValue::Type::kArray:
      case JsonValue::Type::kObject:
        return Status::corruption("JSON header: extFields value of " + key + " is not a string, number or boolean");
    }
    fields->insert_or_assign(std::move(key), std::move(value));  // a repeated key: the last wins
    key = std::string();
  }
}

}  // namespace

std::string_view language_name(LanguageCode code) {
  size_t i = static_cast<size_t>(code);
  return i < kLanguageNames.size() ? kLanguageNames[i] : std::string_view("OTHER");
}

std::optional<LanguageCode> language_from_name(std::string_view name) {
  for (size_t i = 0; i < kLanguageNames.size(); ++i) {
    if (kLanguageNames[i] == name) return static_cast<LanguageCode>(i);
  }
  return std::nullopt;
}

std::optional<LanguageCode> language_from_byte(uint8_t value) {
  if (value < kLanguageNames.size()) return static_cast<LanguageCode>(value);
  return std::nullopt;
}

Status decode_json_header(std::string_view header, RemotingCommand* cmd) {
  // One pass over the text, straight into `cmd` (no JsonValue tree): every request's header
  // goes through here.
  Status s = [&]() -> Status {
    JsonReader in(header);
    TERN_ASSIGN_OR_RETURN(type, in.peek());
    if (type != JsonValue::Type::kObject) return Status::corruption("JSON header: not an object");
    TERN_RETURN_IF_ERROR(in.begin_object());
    cmd->remark.reset();
    cmd->ext_fields.clear();
    std::string key;
    while (true) {
      TERN_ASSIGN_OR_RETURN(more, in.next_member(&key));
      if (!more) break;
      if (key == "code") {
        TERN_RETURN_IF_ERROR(read_json_int32(in, key, &cmd->code));
      } else if (key == "version") {
        TERN_RETURN_IF_ERROR(read_json_int32(in, key, &cmd->version));
      } else if (key == "opaque") {
        TERN_RETURN_IF_ERROR(read_json_int32(in, key, &cmd->opaque));
      } else if (key == "flag") {
        TERN_RETURN_IF_ERROR(read_json_int32(in, key, &cmd->flag));
      } else if (key == "language") {
        std::optional<std::string> lang;
        TERN_RETURN_IF_ERROR(read_json_optional_string(in, key, &lang));
        // An unknown name (a newer client) is not worth refusing the request for.
        if (lang) cmd->language = language_from_name(*lang).value_or(LanguageCode::kOther);
      } else if (key == "remark") {
        cmd->remark.reset();
        TERN_RETURN_IF_ERROR(read_json_optional_string(in, key, &cmd->remark));
      } else if (key == "extFields") {
        cmd->ext_fields.clear();
        TERN_RETURN_IF_ERROR(read_json_ext_fields(in, &cmd->ext_fields));
      } else {
        JsonValue ignored;  // serializeTypeCurrentRPC, and whatever newer clients add
        TERN_RETURN_IF_ERROR(in.read_value(&ignored));
      }
    }
    return in.finish();
  }();
  if (!s.is_ok() && !s.is_corruption()) return Status::corruption("JSON header: " + s.message());
  return s;
}

Status decode_rocketmq_header(std::string_view header, RemotingCommand* cmd) {
  Reader r(header);
  int16_t code = 0;
  uint8_t language = 0;
  int16_t version = 0;
  int32_t opaque = 0;
  int32_t flag = 0;
  if (!r.read_i16(&code) || !r.read_u8(&language) || !r.read_i16(&version) ||
      !r.read_i32(&opaque) || !r.read_i32(&flag)) {
    return binary_error(r, "truncated fixed fields");
  }
  cmd->code = code;
  // An unknown code (a newer client) is not worth refusing the request for.
  cmd->language = language_from_byte(language).value_or(LanguageCode::kOther);
  cmd->version = version;
  cmd->opaque = opaque;
  cmd->flag = flag;

  int32_t remark_len = 0;
  if (!r.read_i32(&remark_len)) return binary_error(r, "truncated remark length");
  if (remark_len < 0) return binary_error(r, "negative remark length");
  cmd->remark.reset();
  if (remark_len > 0) {
    std::string_view remark;
    if (!r.read_bytes(static_cast<size_t>(remark_len), &remark)) {
      return binary_error(r, "remark longer than the header");
    }
    cmd->remark = std::string(remark);
  }

  int32_t ext_len = 0;
  if (!r.read_i32(&ext_len)) return binary_error(r, "truncated extFields length");
  if (ext_len < 0) return binary_error(r, "negative extFields length");
  std::string_view ext;
  if (!r.read_bytes(static_cast<size_t>(ext_len), &ext)) {
    return binary_error(r, "extFields longer than the header");
  }
  // Bytes after the extFields are ignored, as the Java decoder does.

  cmd->ext_fields.clear();
  Reader e(ext);
  while (e.remaining() > 0) {
    int16_t key_len = 0;
    std::string_view key;
    int32_t value_len = 0;
    std::string_view value;
    if (!e.read_i16(&key_len) || key_len < 0 ||
        !e.read_bytes(static_cast<size_t>(key_len), &key)) {
      return Status::corruption("ROCKETMQ header: bad extFields key at byte " +
                                std::to_string(e.pos()) + " of extFields");
    }
    if (!e.read_i32(&value_len) || value_len < 0 ||
        !e.read_bytes(static_cast<size_t>(value_len), &value)) {
      return Status::corruption("ROCKETMQ header: bad extFields value at byte " +
                                std::to_string(e.pos()) + " of extFields");
    }
    cmd->ext_fields[std::string(key)] = std::string(value);
  }
  return Status::ok();
}

Result<std::optional<RemotingCommand>> decode_frame(std::string_view buffer, size_t max_frame,
                                                    size_t* consumed) {
  if (consumed != nullptr) *consumed = 0;
  if (buffer.size() < 4) return std::optional<RemotingCommand>();
  int32_t length = static_cast<int32_t>(read_be32(buffer, 0));
  if (length < 4) {
    return Status::corruption("remoting frame: length " + std::to_string(length) +
                              " is below 4");
  }
  // Checked from the prefix alone, before waiting for (or allocating) the frame.
  size_t frame_size = 4 + static_cast<size_t>(length);
  if (frame_size > max_frame) {
    return Status::resource_exhausted("remoting frame: " + std::to_string(frame_size) +
                                      " bytes is over the limit of " +
                                      std::to_string(max_frame));
  }
  if (buffer.size() < frame_size) return std::optional<RemotingCommand>();
  if (buffer.size() < 8) return std::optional<RemotingCommand>();  // unreachable: length >= 4

  uint32_t header_field = read_be32(buffer, 4);
  uint8_t type = static_cast<uint8_t>(header_field >> 24);
  size_t header_len = header_field & 0xFFFFFF;
  if (type != static_cast<uint8_t>(SerializeType::kJson) &&
      type != static_cast<uint8_t>(SerializeType::kRocketmq)) {
    return Status::corruption("remoting frame: unknown serialize type " + std::to_string(type));
  }
  size_t payload = static_cast<size_t>(length) - 4;  // header + body
  if (header_len > payload) {
    return Status::corruption("remoting frame: header length " + std::to_string(header_len) +
                              " is beyond the frame's " + std::to_string(payload) + " bytes");
  }

  std::string_view header = buffer.substr(8, header_len);
  RemotingCommand cmd;
  cmd.serialize_type = static_cast<SerializeType>(type);
  if (cmd.serialize_type == SerializeType::kJson) {
    TERN_RETURN_IF_ERROR(decode_json_header(header, &cmd));
  } else {
    TERN_RETURN_IF_ERROR(decode_rocketmq_header(header, &cmd));
  }
  cmd.body = std::string(buffer.substr(8 + header_len, payload - header_len));
  if (consumed != nullptr) *consumed = frame_size;
  return std::optional<RemotingCommand>(std::move(cmd));
}

std::string encode_json_header(const RemotingCommand& cmd) {
  std::string out;
  out.reserve(128);
  out.append("{\"code\":").append(std::to_string(cmd.code));
  out.append(",\"language\":");
  append_json_string(&out, language_name(cmd.language));
  out.append(",\"version\":").append(std::to_string(cmd.version));
  out.append(",\"opaque\":").append(std::to_string(cmd.opaque));
  out.append(",\"flag\":").append(std::to_string(cmd.flag));
  if (cmd.remark.has_value()) {
    out.append(",\"remark\":");
    append_json_string(&out, *cmd.remark);
  }
  if (!cmd.ext_fields.empty()) {
    // Every value a JSON string: rocketmq-client-cpp reads them with asCString().
    out.append(",\"extFields\":{");
    bool first = true;
    for (const auto& [key, value] : cmd.ext_fields) {
      if (!first) out.push_back(',');
      first = false;
      append_json_string(&out, key);
      out.push_back(':');
      append_json_string(&out, value);
    }
    out.push_back('}');
  }
  out.append(",\"serializeTypeCurrentRPC\":\"JSON\"}");
  return out;
}

std::string encode_rocketmq_header(const RemotingCommand& cmd) {
  std::string out;
  append_be16(&out, static_cast<uint16_t>(cmd.code));
  out.push_back(static_cast<char>(static_cast<uint8_t>(cmd.language)));
  append_be16(&out, static_cast<uint16_t>(cmd.version));
  append_be32(&out, static_cast<uint32_t>(cmd.opaque));
  append_be32(&out, static_cast<uint32_t>(cmd.flag));
  size_t remark_len = cmd.remark ? cmd.remark->size() : 0;
  TERN_CHECK(remark_len <= static_cast<size_t>(std::numeric_limits<int32_t>::max()),
             "remark too long for a ROCKETMQ header");
  append_be32(&out, static_cast<uint32_t>(remark_len));
  if (remark_len > 0) out.append(*cmd.remark);

  std::string ext;
  for (const auto& [key, value] : cmd.ext_fields) {
    TERN_CHECK(key.size() <= static_cast<size_t>(std::numeric_limits<int16_t>::max()),
               "extFields key too long for a ROCKETMQ header");
    TERN_CHECK(value.size() <= static_cast<size_t>(std::numeric_limits<int32_t>::max()),
               "extFields value too long for a ROCKETMQ header");
    append_be16(&ext, static_cast<uint16_t>(key.size()));
    ext.append(key);
    append_be32(&ext, static_cast<uint32_t>(value.size()));
    ext.append(value);
  }
  TERN_CHECK(ext.size() <= static_cast<size_t>(std::numeric_limits<int32_t>::max()),
             "extFields too long for a ROCKETMQ header");
  append_be32(&out, static_cast<uint32_t>(ext.size()));
  out.append(ext);
  return out;
}

std::string encode_frame(const RemotingCommand& cmd) {
  std::string header = cmd.serialize_type == SerializeType::kRocketmq
                           ? encode_rocketmq_header(cmd)
                           : encode_json_header(cmd);
  TERN_CHECK(header.size() <= 0xFFFFFF, "remoting header over 16 MiB");
  size_t length = 4 + header.size() + cmd.body.size();
  TERN_CHECK(length <= static_cast<size_t>(std::numeric_limits<int32_t>::max()),
             "remoting frame over 2 GiB");
  std::string out;
  out.reserve(4 + length);
  append_be32(&out, static_cast<uint32_t>(length));
  uint32_t type = cmd.serialize_type == SerializeType::kRocketmq ? 1u : 0u;
  append_be32(&out, (type << 24) | static_cast<uint32_t>(header.size()));
  out.append(header);
  out.append(cmd.body);
  return out;
}

}  // namespace tern::remoting
