// Fuzzes the SDK's parsers of what brokers and name servers send it: pull bodies (message
// records, maybe zlib-compressed), route JSON, and fastjson offset tables
// (RESET_CONSUMER_CLIENT_OFFSET). The first byte picks the parser, the rest is its input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fastjson.h"
#include "message_decoder.h"
#include "topic_route.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: (void)tern::client::internal::decode_messages(input, true); break;
    case 1: (void)tern::client::internal::parse_topic_route(input); break;
    default: (void)tern::client::internal::parse_offset_table(input); break;
  }
  return 0;
}
