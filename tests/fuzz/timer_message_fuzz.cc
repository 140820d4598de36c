// Fuzzes the timer-message parsers (kernel/src/broker/timer_message.h) over bytes from
// clients and disks: the input as a message's property text (TIMER_DELAY_SEC,
// TIMER_DELAY_MS, TIMER_DELIVER_MS, __STARTDELIVERTIME, DELAY, REAL_QID... with any
// values) and as a delivery-log record body. Checks that an accepted time respects the
// horizon, that parking and delivering a message gives its topic and queue back, and that
// decode(encode(decode(x))) of a log body is stable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "broker/timer_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr int64_t kNow = 1'700'000'000'000;
  constexpr int64_t kMaxDelay = 604'800'000;

  MessageExt m;
  m.topic = "FuzzTopic";
  m.queue_id = 5;
  m.properties = decode_properties(text);
  if (size > 0) m.sys_flag = data[0] & 0xC;  // every transaction type
  auto when = kernel::requested_deliver_ms(m, kNow, kMaxDelay);
  if (when.is_ok() && when->has_value()) {
    int64_t at = **when;
    if (at > kNow && at - kNow > kMaxDelay) std::abort();  // beyond the horizon yet accepted
    kernel::to_timer_entry(&m, at);
    auto out = kernel::timer_entry_to_delivery(m, kNow);
    if (!out.is_ok() || out->topic != "FuzzTopic" || out->queue_id != 5) std::abort();
    auto due = kernel::timer_out_ms(*out);
    if (!due.is_ok() || *due != at) std::abort();
  }
  (void)kernel::timer_entry_to_delivery(m, kNow);  // whatever REAL_TOPIC / REAL_QID hold
  (void)kernel::timer_entry_to_roll(m);
  (void)kernel::timer_out_ms(m);

  auto offsets = kernel::decode_timer_done_offsets(text);
  if (offsets.is_ok()) {
    auto again = kernel::decode_timer_done_offsets(kernel::encode_timer_done_offsets(*offsets));
    if (!again.is_ok() || *again != *offsets) std::abort();
  }
  return 0;
}
