// Fuzzes the decoders of message bytes that arrive from clients and disks: RocketMQ's
// property text ("k\1v\2..."), the KEYS split, the DELAY level and the tag hash over
// arbitrary (often malformed) UTF-8. Checks that decode(encode(decode(x))) is stable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tern/message.h"
#include "tern/tag_hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tern::Message m;
  m.properties = tern::decode_properties(text);
  (void)m.keys();
  (void)m.delay_time_level();
  (void)m.wait_store_msg_ok();
  (void)tern::tags_code(m.tags());
  (void)tern::java_string_hash(text);
  if (tern::decode_properties(tern::encode_properties(m.properties)) != m.properties) std::abort();
  return 0;
}
