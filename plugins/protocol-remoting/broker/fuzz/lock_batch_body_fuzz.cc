// Fuzzes the LOCK/UNLOCK_BATCH_MQ body decoders (the request the broker reads, the
// response the SDK reads): any bytes give a result or an error, never a crash; a decoded
// request has its group and client id, and whatever decodes re-encodes to bytes that
// decode to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lock_batch_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern::remoting;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto request = decode_lock_batch_request(bytes); request.is_ok()) {
    if (request->consumer_group.empty() || request->client_id.empty()) std::abort();
    auto again = decode_lock_batch_request(encode_lock_batch_request(*request));
    if (!again.is_ok() || again->consumer_group != request->consumer_group || again->client_id != request->client_id ||
        again->only_this_broker != request->only_this_broker || again->mq_set != request->mq_set) {
      std::abort();
    }
  }
  if (auto locked = decode_lock_batch_response(bytes); locked.is_ok()) {
    auto again = decode_lock_batch_response(encode_lock_batch_response(*locked));
    if (!again.is_ok() || *again != *locked) std::abort();
  }
  return 0;
}
