// Fuzzes CONSUMER_SEND_MSG_BACK's header decoding from raw frames: any bytes must give a
// request or an error, never a crash, and a decoded request names a group and a
// non-negative commit-log offset. The frame decoder runs first, as on the wire.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "remoting_command.h"
#include "send_back_processor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t consumed = 0;
  auto frame = tern::remoting::decode_frame(std::string_view(reinterpret_cast<const char*>(data), size), 1u << 20,
                                            &consumed);
  if (!frame.is_ok() || !frame->has_value()) return 0;
  auto request = tern::remoting::decode_send_back_header(**frame);
  if (request.is_ok()) {
    if (request->group.empty() || request->commit_log_offset < 0) std::abort();
  }
  return 0;
}
