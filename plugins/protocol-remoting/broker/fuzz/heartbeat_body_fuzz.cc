// Fuzzes the HEART_BEAT body decoder: any bytes must give a result or an error, never a
// crash, and a decoded heartbeat has a client id and a group per consumer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "heartbeat_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = tern::remoting::decode_heartbeat(std::string_view(reinterpret_cast<const char*>(data), size));
  if (decoded.is_ok()) {
    if (decoded->client_id.empty()) std::abort();
    for (const auto& c : decoded->consumers) {
      if (c.group.empty()) std::abort();
    }
  }
  return 0;
}
