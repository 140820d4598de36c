// libFuzzer target: remoting frames arrive from any TCP peer, so decoding must take any
// bytes without crashing, and keep its invariants:
//   - a decoded frame consumes between 8 and the remaining bytes, and at most max_frame;
//   - re-encoding a decoded command and decoding it again gives back the same command
//     and consumes the whole re-encoded frame;
//   - the whole input read as a JSON header: the header decoder (a one-pass JsonReader)
//     accepts nothing that parse_json refuses.
// The input is read as a stream: frames are decoded one after another until one is
// incomplete or refused. Build with the fuzz preset (clang, TERN_FUZZ=ON); seeds are in
// tests/fuzz/corpus/fuzz_remoting_frame/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "json/json.h"
#include "remoting_command.h"
#include "tern/check.h"

namespace {
constexpr size_t kMaxFrame = 1u << 20;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tern::remoting::RemotingCommand;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  RemotingCommand header;
  if (tern::remoting::decode_json_header(rest, &header).is_ok()) {
    TERN_CHECK(tern::parse_json(rest).is_ok(), "the header decoder accepted what parse_json refuses");
  }
  while (!rest.empty()) {
    size_t consumed = 0;
    auto r = tern::remoting::decode_frame(rest, kMaxFrame, &consumed);
    if (!r.is_ok() || !r->has_value()) break;
    TERN_CHECK(consumed >= 8 && consumed <= rest.size() && consumed <= kMaxFrame,
               "decode_frame consumed a bad byte count");
    const RemotingCommand& cmd = **r;
    std::string again = tern::remoting::encode_frame(cmd);
    size_t consumed_again = 0;
    auto back = tern::remoting::decode_frame(again, again.size(), &consumed_again);
    TERN_CHECK(back.is_ok() && back->has_value(), "re-encoded frame does not decode");
    TERN_CHECK(consumed_again == again.size(), "re-encoded frame not consumed whole");
    TERN_CHECK(**back == cmd, "re-encoded frame decodes to a different command");
    rest.remove_prefix(consumed);
  }
  return 0;
}
