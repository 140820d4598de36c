// Fuzzes the batch-body decoder: any bytes give messages or an error, never a crash; what
// decodes re-encodes to a body that decodes to the same messages.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "message_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = tern::remoting::decode_message_batch(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!decoded.is_ok()) return 0;
  // Re-encoding adds a missing trailing separator; past the int16 length it cannot fit.
  for (const auto& m : *decoded) {
    if (tern::encode_properties(m.properties).size() > 32767) return 0;
  }
  auto again = tern::remoting::decode_message_batch(tern::remoting::encode_message_batch(*decoded));
  if (!again.is_ok() || again->size() != decoded->size()) std::abort();
  for (size_t i = 0; i < decoded->size(); ++i) {
    const auto& a = (*decoded)[i];
    const auto& b = (*again)[i];
    if (a.body != b.body || a.flag != b.flag || a.properties != b.properties) std::abort();
  }
  return 0;
}
