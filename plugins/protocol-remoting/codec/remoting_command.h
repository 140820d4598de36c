// RemotingCommand: one RocketMQ 4.x "remoting" request or response, and the frame codec
// that turns bytes on a TCP connection into commands and back.
// Wire format: PROTOCOL.md (in shared/, beside the repository) §1 (frame), §2 (JSON header), §3 (ROCKETMQ
// binary header).
//
// The codec is plain code with no I/O so it can be unit-tested and fuzzed alone. Input
// is untrusted: every malformed frame returns a failed Status (never an exception, never
// a crash), and a frame longer than the caller's limit is refused from its 4-byte length
// prefix, before anything is allocated for it.
//
// Decoding is lenient where real clients differ (PROTOCOL.md §2): extField values may be
// JSON strings, numbers or booleans; unknown header fields are ignored; a missing
// extFields / remark means empty / none. Encoding is strict: JSON extField values are
// always JSON strings, and the header-length field of a JSON frame has top byte 0 because
// ali-ons and rocketmq-client-cpp read it as a plain length.
//
// Thread-safety: commands are plain values; the functions keep no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tern/status.h"

namespace tern::remoting {

// The header encoding, carried in the top byte of the header-length field.
enum class SerializeType : uint8_t {
  kJson = 0,
  kRocketmq = 1,
};

// Client language; the numeric value is the ROCKETMQ binary code, the name the JSON form.
enum class LanguageCode : uint8_t {
  kJava = 0,
  kCpp = 1,
  kDotnet = 2,
  kPython = 3,
  kDelphi = 4,
  kErlang = 5,
  kRuby = 6,
  kOther = 7,
  kHttp = 8,
  kGo = 9,
  kPhp = 10,
  kOms = 11,
  kRust = 12,
};

// "JAVA", "CPP", ... for a known code.
std::string_view language_name(LanguageCode code);
// The code named `name` (exact, upper case), or nullopt.
std::optional<LanguageCode> language_from_name(std::string_view name);
// The code with binary value `value`, or nullopt.
std::optional<LanguageCode> language_from_byte(uint8_t value);

// Bits of RemotingCommand::flag.
inline constexpr int32_t kFlagResponse = 1;  // bit0: a response (0 = request)
inline constexpr int32_t kFlagOneway = 2;    // bit1: the sender wants no response

// The default limit of a whole frame, length prefix included (Java's 16 MiB default).
inline constexpr size_t kDefaultMaxFrame = 16u * 1024 * 1024;

struct RemotingCommand {
  int32_t code = 0;  // request code, or response code when is_response()
  LanguageCode language = LanguageCode::kJava;
  int32_t version = 0;  // MQVersion ordinal of the sender
  int32_t opaque = 0;   // request id; a response repeats the request's
  int32_t flag = 0;     // kFlagResponse | kFlagOneway
  std::optional<std::string> remark;
  std::map<std::string, std::string> ext_fields;
  std::string body;
  SerializeType serialize_type = SerializeType::kJson;

  bool is_response() const { return (flag & kFlagResponse) != 0; }
  bool is_oneway() const { return (flag & kFlagOneway) != 0; }

  friend bool operator==(const RemotingCommand&, const RemotingCommand&) = default;
};

// Decodes the first frame of `buffer`.
//   - a command, and *consumed = the frame's size in bytes (length prefix included),
//     when the buffer starts with a whole valid frame;
//   - nullopt (and *consumed = 0) when more bytes are needed;
//   - Corruption for a length below 4, a header length beyond the frame, an unknown
//     serialize type or a malformed header; ResourceExhausted for a frame (prefix
//     included) above `max_frame`, detected from the first 4 bytes. After an error the
//     stream cannot be resynchronised: close the connection. *consumed is 0.
// `consumed` may be null.
[[nodiscard]] Result<std::optional<RemotingCommand>> decode_frame(std::string_view buffer,
                                                                  size_t max_frame,
                                                                  size_t* consumed);

// Decodes a header alone (the bytes between the header-length field and the body) into
// `cmd`, leaving cmd->body and cmd->serialize_type as they are.
[[nodiscard]] Status decode_json_header(std::string_view header, RemotingCommand* cmd);
[[nodiscard]] Status decode_rocketmq_header(std::string_view header, RemotingCommand* cmd);

// The whole frame of `cmd` in cmd.serialize_type. For ROCKETMQ, code and version are
// written as int16 (as Java does) and so must fit in 16 bits to round-trip; an empty
// remark is written as absent. The header must stay below 16 MiB and the frame below
// 2 GiB: a bigger command is a bug of the caller and aborts.
std::string encode_frame(const RemotingCommand& cmd);

// The header alone.
std::string encode_json_header(const RemotingCommand& cmd);
std::string encode_rocketmq_header(const RemotingCommand& cmd);

}  // namespace tern::remoting
