// SendBackProcessor (contract in send_back_processor.h).
#include "send_back_processor.h"

#include "codes.h"
#include "header_reader.h"

namespace tern::remoting {

Result<SendBackRequest> decode_send_back_header(const RemotingCommand& request) {
  HeaderReader h(request);
  SendBackRequest out;
  out.commit_log_offset = h.i64("offset");
  out.group = h.str("group");
  out.delay_level = h.i32("delayLevel");
  out.origin_msg_id = h.str_or("originMsgId", "");
  out.origin_topic = h.str_or("originTopic", "");
  out.unit_mode = h.bool_or("unitMode", false);
  if (const std::string* max = h.find("maxReconsumeTimes"); max != nullptr && !max->empty()) {
    out.max_reconsume_times = h.i32_or("maxReconsumeTimes", 0);
  }
  if (!h.ok()) return Status::invalid_argument(h.error());
  if (out.group.empty()) return Status::invalid_argument("the request header field 'group' is empty");
  if (out.commit_log_offset < 0) {
    return Status::invalid_argument("the request header field 'offset' is negative: " +
                                    std::to_string(out.commit_log_offset));
  }
  return out;
}

void SendBackProcessor::handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  auto decoded = decode_send_back_header(request);
  if (!decoded) {
    conn->respond(request, make_response(request, response_code::kSystemError, decoded.status().message()));
    return;
  }
  std::weak_ptr<RemotingConnection> weak = conn;
  ctx_.broker().retry().send_back(std::move(*decoded), [weak, request = answer_stub(request)](Status s) {
    auto c = weak.lock();
    if (!c) return;
    if (s.is_ok()) {
      c->respond(request, make_response(request, response_code::kSuccess));
      return;
    }
    int32_t code = s.code() == Status::Code::kNotFound           ? response_code::kSubscriptionGroupNotExist
                   : s.code() == Status::Code::kPermissionDenied ? response_code::kNoPermission
                                                                 : response_code::kSystemError;
    c->respond(request, make_response(request, code, s.message()));
  });
}

}  // namespace tern::remoting
