// Fuzzes what a consumer makes of a PULL_MESSAGE answer (process_pull_response: the
// response code, nextBeginOffset and the record body, decoded and re-filtered by tag).
// Input: byte 0 picks the response code, bytes 1..8 are nextBeginOffset (text of an int64
// or garbage), the rest is the body. Any input must give a result or an error, never a
// crash; a FOUND result holds only messages the subscription accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "codes.h"
#include "pull_api_wrapper.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern::client;
  using namespace tern::client::internal;
  namespace rsp = tern::remoting::response_code;
  static const int32_t kCodes[] = {rsp::kSuccess, rsp::kPullNotFound, rsp::kPullRetryImmediately,
                                   rsp::kPullOffsetMoved, rsp::kSystemError};
  static const SubscriptionData kSubs[] = {SubscriptionData::build("T", MessageSelector::by_tag("A || B"), 1),
                                           SubscriptionData::build("T", MessageSelector::by_tag("*"), 1)};
  if (size < 9) return 0;
  tern::remoting::RemotingCommand r;
  r.code = kCodes[data[0] % 5];
  r.ext_fields["nextBeginOffset"] = std::string(reinterpret_cast<const char*>(data) + 1, 8);
  r.body.assign(reinterpret_cast<const char*>(data) + 9, size - 9);
  const SubscriptionData& sub = kSubs[(data[0] / 5) % 2];
  auto result = process_pull_response(r, sub, 0);
  if (result.is_ok() && result->status == PullStatus::kFound) {
    for (const auto& m : result->msgs) {
      if (!sub.accepts(m)) std::abort();
    }
  }
  return 0;
}
