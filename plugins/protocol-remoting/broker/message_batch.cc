// Batch body codec (format in message_batch.h).
#include "message_batch.h"

#include <cstdint>
#include <string>

namespace tern::remoting {
namespace {

int32_t read_i32(std::string_view s, size_t pos) {
  return static_cast<int32_t>((static_cast<uint32_t>(static_cast<unsigned char>(s[pos])) << 24) |
                              (static_cast<uint32_t>(static_cast<unsigned char>(s[pos + 1])) << 16) |
                              (static_cast<uint32_t>(static_cast<unsigned char>(s[pos + 2])) << 8) |
                              static_cast<uint32_t>(static_cast<unsigned char>(s[pos + 3])));
}

void append_i32(std::string* out, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((u >> shift) & 0xFF));
}

}  // namespace

Result<std::vector<Message>> decode_message_batch(std::string_view body) {
  std::vector<Message> out;
  size_t pos = 0;
  // Fixed part: totalSize, magic, bodyCRC, flag, bodyLen.
  constexpr size_t kFixed = 20;
  while (pos < body.size()) {
    auto bad = [&](const std::string& what) {
      return Status::invalid_argument("bad batch body: message " + std::to_string(out.size()) + " at byte " +
                                      std::to_string(pos) + ": " + what);
    };
    if (body.size() - pos < kFixed) return bad("truncated header");
    int32_t total = read_i32(body, pos);
    int32_t flag = read_i32(body, pos + 12);
    int32_t body_len = read_i32(body, pos + 16);
    if (total < static_cast<int32_t>(kFixed + 2) || static_cast<size_t>(total) > body.size() - pos) {
      return bad("total size " + std::to_string(total) + " does not fit the " + std::to_string(body.size() - pos) +
                 " bytes left");
    }
    std::string_view msg = body.substr(pos, static_cast<size_t>(total));
    if (body_len < 0 || static_cast<size_t>(body_len) > msg.size() - kFixed - 2) {
      return bad("body length " + std::to_string(body_len) + " exceeds the message");
    }
    size_t at = kFixed + static_cast<size_t>(body_len);
    int16_t props_len = static_cast<int16_t>((static_cast<unsigned char>(msg[at]) << 8) |
                                             static_cast<unsigned char>(msg[at + 1]));
    at += 2;
    if (props_len < 0 || static_cast<size_t>(props_len) > msg.size() - at) {
      return bad("properties length " + std::to_string(props_len) + " exceeds the message");
    }
    if (at + static_cast<size_t>(props_len) != msg.size()) return bad("total size disagrees with its parts");
    Message m;
    m.flag = flag;
    m.body.assign(msg.substr(kFixed, static_cast<size_t>(body_len)));
    m.properties = decode_properties(msg.substr(at, static_cast<size_t>(props_len)));
    out.push_back(std::move(m));
    pos += static_cast<size_t>(total);
  }
  if (out.empty()) return Status::invalid_argument("bad batch body: no messages");
  return out;
}

std::string encode_message_batch(const std::vector<Message>& messages) {
  std::string out;
  for (const auto& m : messages) {
    std::string props = encode_properties(m.properties);
    int32_t total = static_cast<int32_t>(20 + m.body.size() + 2 + props.size());
    append_i32(&out, total);
    append_i32(&out, 0);  // magic: unused by the broker
    append_i32(&out, 0);  // body CRC: computed by the store
    append_i32(&out, m.flag);
    append_i32(&out, static_cast<int32_t>(m.body.size()));
    out += m.body;
    out.push_back(static_cast<char>((props.size() >> 8) & 0xFF));
    out.push_back(static_cast<char>(props.size() & 0xFF));
    out += props;
  }
  return out;
}

}  // namespace tern::remoting
