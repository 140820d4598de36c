// Fuzzes parse_record over arbitrary bytes, as recovery meets them in a torn or corrupt
// segment: it must classify every input without reading past `available`, and a record it
// accepts must decode and re-encode to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "message_record.h"

using namespace tern::store_mmap;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy to an exactly-sized buffer so ASan catches any read past the end.
  std::vector<uint8_t> buf(data, data + size);
  size_t pos = 0;
  while (pos < buf.size()) {
    ParsedRecord r = parse_record(buf.data() + pos, buf.size() - pos, true);
    if (r.kind == RecordKind::kEnd || r.kind == RecordKind::kBlank) break;
    if (r.kind == RecordKind::kBad) {
      if (!r.size_trusted) break;
      pos += static_cast<size_t>(r.size);
      continue;
    }
    tern::MessageExt m = to_message(r.view);
    std::vector<uint8_t> again(static_cast<size_t>(r.size));
    encode_record(m, r.view.properties, again.data());
    if (std::memcmp(again.data(), buf.data() + pos, again.size()) != 0) std::abort();
    (void)find_property(r.view.properties, "TAGS");
    pos += static_cast<size_t>(r.size);
  }
  return 0;
}
