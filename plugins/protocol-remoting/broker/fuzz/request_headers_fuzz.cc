// Fuzzes the header decoding of CONSUMER_SEND_MSG_BACK and END_TRANSACTION from raw frames:
// any bytes must give a request or an error, never a crash. A decoded send-back names a
// group and a non-negative commit-log offset; a decoded END_TRANSACTION names a producer
// group and non-negative offsets. The frame decoder runs first, as on the wire.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "end_transaction_processor.h"
#include "remoting_command.h"
#include "send_back_processor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t consumed = 0;
  auto frame = tern::remoting::decode_frame(std::string_view(reinterpret_cast<const char*>(data), size), 1u << 20,
                                            &consumed);
  if (!frame.is_ok() || !frame->has_value()) return 0;
  auto send_back = tern::remoting::decode_send_back_header(**frame);
  if (send_back.is_ok()) {
    if (send_back->group.empty() || send_back->commit_log_offset < 0) std::abort();
  }
  auto end = tern::remoting::decode_end_transaction_header(**frame);
  if (end.is_ok()) {
    if (end->producer_group.empty() || end->commit_log_offset < 0 || end->tran_state_table_offset < 0) std::abort();
  }
  return 0;
}
