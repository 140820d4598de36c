// Fuzzes the SDK's parsers of what brokers and name servers send it. Byte 0 picks one:
//   0: a PULL_MESSAGE answer as a consumer processes it (process_pull_response: the
//      response code, nextBeginOffset and the record body, decoded, maybe inflated, and
//      re-filtered by tag). Then byte 1 picks the response code and subscription, bytes
//      2..9 are nextBeginOffset (text of an int64 or garbage), the rest is the body. A
//      FOUND result must hold only messages the subscription accepts.
//   1: route JSON (GET_ROUTEINFO_BY_TOPIC);
//   2: a fastjson offset table (RESET_CONSUMER_CLIENT_OFFSET);
//   3: an offset message id (a user's or a broker's, for VIEW_MESSAGE_BY_ID): one that
//      decodes must encode back to the same id, upper-cased.
// Any input must give a result or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codes.h"
#include "fastjson.h"
#include "message_decoder.h"
#include "pull_api_wrapper.h"
#include "topic_route.h"

namespace {

void pull_answer(const uint8_t* data, size_t size) {
  using namespace tern::client;
  using namespace tern::client::internal;
  namespace rsp = tern::remoting::response_code;
  static const int32_t kCodes[] = {rsp::kSuccess, rsp::kPullNotFound, rsp::kPullRetryImmediately,
                                   rsp::kPullOffsetMoved, rsp::kSystemError};
  static const SubscriptionData kSubs[] = {SubscriptionData::build("T", MessageSelector::by_tag("A || B"), 1),
                                           SubscriptionData::build("T", MessageSelector::by_tag("*"), 1)};
  if (size < 9) return;
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
}

void offset_msg_id(std::string_view id) {
  auto decoded = tern::client::internal::decode_offset_msg_id(id);
  if (!decoded.is_ok()) return;
  std::string again = tern::client::internal::offset_msg_id(decoded->store_host, decoded->commit_log_offset);
  if (again.size() != id.size()) std::abort();
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i] >= 'a' && id[i] <= 'f' ? static_cast<char>(id[i] - 'a' + 'A') : id[i];
    if (again[i] != c) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: pull_answer(data + 1, size - 1); break;
    case 1: (void)tern::client::internal::parse_topic_route(rest); break;
    case 2: (void)tern::client::internal::parse_offset_table(rest); break;
    default: offset_msg_id(rest); break;
  }
  return 0;
}
