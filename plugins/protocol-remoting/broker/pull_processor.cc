// PullProcessor (contract in pull_processor.h). The mapping from the store's GetStatus to
// response codes and next offsets follows RocketMQ's PullMessageProcessor, because clients
// act on them: PULL_OFFSET_MOVED makes them jump to nextBeginOffset, PULL_NOT_FOUND makes
// them pull again from the same offset, PULL_RETRY_IMMEDIATELY from nextBeginOffset.
#include "pull_processor.h"

#include "codes.h"
#include "header_reader.h"

namespace tern::remoting {
namespace {

// Beyond this many distinct expressions the cache starts over: expressions come from
// clients, and a misbehaving one must not grow the broker without bound.
constexpr size_t kMaxCachedMatchers = 10000;
// A client's suspend timeout is capped: a pull held longer than its socket timeout would
// be answered to nobody.
constexpr int64_t kMaxSuspendMillis = 60000;

}  // namespace

struct PullProcessor::Pull {
  RemotingCommand request;  // header only
  std::string group, topic;
  int32_t queue_id = 0;
  int64_t offset = 0;
  int32_t max_msg_nums = 32;
  int32_t sys_flag = 0;
  int64_t suspend_millis = 0;
  std::shared_ptr<const MessageMatcher> matcher;
};

Result<std::shared_ptr<const MessageMatcher>> PullProcessor::matcher(const std::string& type,
                                                                     const std::string& expression) {
  if (expression.empty() || expression == "*") return std::shared_ptr<const MessageMatcher>();
  std::string key = type + '\0' + expression;
  {
    std::lock_guard lock(mu_);
    auto it = matchers_.find(key);
    if (it != matchers_.end()) return it->second;
  }
  const FilterFactory* factory = ctx_.kernel.filter_factory(type);
  if (factory == nullptr) {
    return Status::not_supported("no filter plugin serves expression type " + type + " (subscription '" + expression +
                                 "'); load one with the plugins key");
  }
  auto compiled = factory->compile(expression);
  if (!compiled.is_ok()) return compiled.status();
  std::lock_guard lock(mu_);
  if (matchers_.size() >= kMaxCachedMatchers) matchers_.clear();
  matchers_.emplace(key, *compiled);
  return *compiled;
}

void PullProcessor::handle(const std::shared_ptr<RemotingConnection>& conn, const RemotingCommand& request) {
  auto reply = [&](int32_t code, std::string remark) {
    conn->respond(request, make_response(request, code, std::move(remark)));
  };
  if (ctx_.store() == nullptr) {
    reply(response_code::kServiceNotAvailable, "this broker has no store plugin loaded");
    return;
  }
  auto pull = std::make_shared<Pull>();
  HeaderReader h(request);
  pull->group = h.str("consumerGroup");
  pull->topic = h.str("topic");
  pull->queue_id = h.i32("queueId");
  pull->offset = h.i64("queueOffset");
  pull->max_msg_nums = h.i32("maxMsgNums");
  pull->sys_flag = h.i32("sysFlag");
  int64_t commit_offset = h.i64("commitOffset");
  pull->suspend_millis = std::clamp<int64_t>(h.i64("suspendTimeoutMillis"), 0, kMaxSuspendMillis);
  std::string subscription = h.str_or("subscription", "");
  std::string expression_type = h.str_or("expressionType", "TAG");
  if (!h.ok()) {
    reply(response_code::kSystemError, h.error());
    return;
  }
  pull->request = request;
  pull->request.body.clear();

  auto group_config = ctx_.broker().subscription_groups().find_or_create(pull->group);
  if (!group_config) {
    reply(response_code::kSubscriptionGroupNotExist,
          "subscription group [" + pull->group + "] does not exist; create it with mqadmin updateSubGroup");
    return;
  }
  if (!group_config->consume_enable) {
    reply(response_code::kNoPermission, "subscription group [" + pull->group + "] may not consume now");
    return;
  }
  auto topic_config = ctx_.broker().topics().find(pull->topic);
  if (!topic_config) {
    reply(response_code::kTopicNotExist, "topic[" + pull->topic + "] not exist, apply first please!");
    return;
  }
  if (!perm::is_readable(topic_config->perm)) {
    reply(response_code::kNoPermission, "the topic[" + pull->topic + "] pulling message is forbidden");
    return;
  }
  if (pull->queue_id < 0 || pull->queue_id >= topic_config->read_queue_nums) {
    reply(response_code::kSystemError, "queueId[" + std::to_string(pull->queue_id) + "] is illegal, topic:[" +
                                           pull->topic + "] topicConfig.readQueueNums:[" +
                                           std::to_string(topic_config->read_queue_nums) + "] consumer:[" +
                                           conn->peer() + "]");
    return;
  }

  // The subscription: from the request when the client sends it, else the one its
  // heartbeat registered.
  std::string expression;
  if ((pull->sys_flag & pull_sys_flag::kSubscription) != 0) {
    expression = subscription;
  } else {
    auto registered = ctx_.broker().clients().subscription(pull->group, pull->topic);
    if (!registered) {
      reply(response_code::kSubscriptionNotExist, "the consumer's subscription of " + pull->topic +
                                                      " is not known yet: send a heartbeat first");
      return;
    }
    expression = registered->expression;
    expression_type = registered->expression_type.empty() ? "TAG" : registered->expression_type;
  }
  // As RocketMQ's PullMessageProcessor: a non-TAG subscription needs enablePropertyFilter.
  if (!expression_type.empty() && expression_type != "TAG" && !ctx_.enable_property_filter) {
    reply(response_code::kSystemError, "The broker does not support consumer to filter message by " + expression_type);
    return;
  }
  auto m = matcher(expression_type, expression);
  if (!m.is_ok()) {
    reply(response_code::kSubscriptionParseFailed,
          "parse the consumer's subscription[" + expression + "] failed: " + m.status().message());
    return;
  }
  pull->matcher = *m;

  if ((pull->sys_flag & pull_sys_flag::kCommitOffset) != 0 && commit_offset >= 0) {
    ctx_.broker().consumer_offsets().commit(pull->group, pull->topic, pull->queue_id, commit_offset);
  }
  run(conn, pull, (pull->sys_flag & pull_sys_flag::kSuspend) != 0);
}

void PullProcessor::run(const std::shared_ptr<RemotingConnection>& conn, const std::shared_ptr<Pull>& pull,
                        bool allow_suspend) {
  GetRequest get;
  get.topic = pull->topic;
  get.queue_id = pull->queue_id;
  get.offset = pull->offset;
  get.max_count = std::clamp(pull->max_msg_nums, 1, 1024);
  get.matcher = pull->matcher;
  GetResult result = ctx_.store()->get_messages(get);

  int32_t code = response_code::kSystemError;
  int64_t next = result.next_begin_offset;
  switch (result.status) {
    case GetStatus::kFound: code = response_code::kSuccess; break;
    case GetStatus::kNoMatchedMessage:
    case GetStatus::kMessageWasRemoving:
    case GetStatus::kOffsetFoundNull: code = response_code::kPullRetryImmediately; break;
    case GetStatus::kNoMatchedLogicQueue:
    case GetStatus::kNoMessageInQueue:
      // An empty queue: offset 0 waits for the first message; any other offset is stale.
      code = pull->offset != 0 ? response_code::kPullOffsetMoved : response_code::kPullNotFound;
      next = 0;
      break;
    case GetStatus::kOffsetOverflowOne: code = response_code::kPullNotFound; break;
    case GetStatus::kOffsetOverflowBadly:
    case GetStatus::kOffsetTooSmall: code = response_code::kPullOffsetMoved; break;
  }

  if (code == response_code::kPullNotFound && allow_suspend) {
    int64_t wait = ctx_.long_polling_enable ? pull->suspend_millis : ctx_.short_polling_millis;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait);
    std::weak_ptr<RemotingConnection> weak = conn;
    ctx_.broker().pull_holds().hold(pull->topic, pull->queue_id, pull->offset, deadline, [this, weak, pull](bool) {
      // Off the kernel's thread, onto the connection's: the read may touch the disk. A
      // connection gone meanwhile (or a plugin stopped) leaves nothing to do.
      if (auto c = weak.lock()) {
        c->post([this, weak, pull] {
          if (auto again = weak.lock()) run(again, pull, false);
        });
      }
    });
    return;
  }

  auto response = make_response(pull->request, code);
  response.ext_fields["suggestWhichBrokerId"] = "0";
  response.ext_fields["nextBeginOffset"] = std::to_string(next);
  response.ext_fields["minOffset"] = std::to_string(result.min_offset);
  response.ext_fields["maxOffset"] = std::to_string(result.max_offset);
  if (code == response_code::kSuccess) {
    conn->respond(pull->request, std::move(response), std::move(result.records));
  } else {
    conn->respond(pull->request, std::move(response));
  }
}

}  // namespace tern::remoting
