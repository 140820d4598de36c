#include "pull_api_wrapper.h"

#include "client_instance.h"
#include "codes.h"
#include "message_decoder.h"
#include "response_fields.h"

namespace tern::client::internal {

namespace rsp = remoting::response_code;

remoting::RemotingCommand make_pull_request(const std::string& group, const MessageQueue& mq,
                                            const SubscriptionData& sub, int64_t offset, int max_nums,
                                            int32_t sys_flag, int64_t commit_offset,
                                            std::chrono::milliseconds suspend) {
  return MQClientInstance::make_request(remoting::request_code::kPullMessage,
                                        {{"consumerGroup", group},
                                         {"topic", mq.topic},
                                         {"queueId", std::to_string(mq.queue_id)},
                                         {"queueOffset", std::to_string(offset)},
                                         {"maxMsgNums", std::to_string(max_nums)},
                                         {"sysFlag", std::to_string(sys_flag)},
                                         {"commitOffset", std::to_string(commit_offset)},
                                         {"suspendTimeoutMillis", std::to_string(suspend.count())},
                                         {"subscription", sub.expression},
                                         {"subVersion", std::to_string(sub.sub_version)},
                                         {"expressionType", sub.expression_type}});
}

Result<PullResult> process_pull_response(const remoting::RemotingCommand& r, const SubscriptionData& sub,
                                         int64_t offset) {
  PullResult result;
  result.next_begin_offset = ext_int(r, "nextBeginOffset", offset);
  result.min_offset = ext_int(r, "minOffset", 0);
  result.max_offset = ext_int(r, "maxOffset", 0);
  switch (r.code) {
    case rsp::kSuccess: {
      auto msgs = decode_messages(r.body, true);
      if (!msgs.is_ok()) return msgs.status();
      result.status = PullStatus::kFound;
      for (auto& m : *msgs) {
        if (sub.accepts(m)) result.msgs.push_back(std::move(m));
      }
      return result;
    }
    case rsp::kPullNotFound:
      result.status = PullStatus::kNoNewMsg;
      return result;
    case rsp::kPullRetryImmediately:
      result.status = PullStatus::kNoMatchedMsg;
      return result;
    case rsp::kPullOffsetMoved:
      result.status = PullStatus::kOffsetIllegal;
      return result;
    default:
      return Status::unavailable("the broker refused the pull of topic " + sub.topic + " with code " +
                                 std::to_string(r.code) + ": " + r.remark.value_or(""));
  }
}

}  // namespace tern::client::internal
