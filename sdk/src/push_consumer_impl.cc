#include "push_consumer_impl.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codes.h"
#include "message_decoder.h"
#include "rebalance.h"
#include "tern/topic_config.h"

namespace tern::client::internal {

namespace rc = remoting::request_code;
namespace rsp = remoting::response_code;
using namespace std::chrono_literals;

namespace {

constexpr int32_t kPullCommitOffset = 1, kPullSuspend = 2, kPullSubscription = 4;
constexpr auto kPullTimeout = 30000ms;
constexpr auto kSuspendMillis = 15000;
constexpr auto kCallTimeout = 3000ms;
constexpr auto kPullErrorDelay = 3000ms;
constexpr auto kReconsumeDelay = 1000ms;       // orderly: SUSPEND_CURRENT_QUEUE_A_MOMENT
constexpr auto kSendBackFailedDelay = 5000ms;  // concurrent: both send-back paths failed (RocketMQ's 5 s)
constexpr int kDefaultMaxReconsumeTimes = 16;
constexpr size_t kMaxInFlight = 1000;  // pullThresholdForQueue

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string field(const remoting::RemotingCommand& r, const std::string& key) {
  auto it = r.ext_fields.find(key);
  return it == r.ext_fields.end() ? std::string() : it->second;
}

int64_t field_int(const remoting::RemotingCommand& r, const std::string& key, int64_t fallback) {
  std::string v = field(r, key);
  if (v.empty()) return fallback;
  try {
    return std::stoll(v);
  } catch (...) {
    return fallback;
  }
}

std::string retry_topic(const std::string& group) { return std::string(topic_names::retry_topic(group)); }

// The client's id of a message: its UNIQ_KEY, else the broker's offset id.
std::string client_msg_id(const MessageExt& m) {
  std::string_view uniq = m.property(property::kUniqueClientMessageId);
  return uniq.empty() ? m.msg_id : std::string(uniq);
}

// Consumers by "clientId\ngroup", for the NOTIFY_CONSUMER_IDS_CHANGED handler (one per
// instance, shared by its consumers).
std::mutex& notify_mu() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, std::weak_ptr<PushConsumerImpl::Gate>>& notify_table() {
  static std::map<std::string, std::weak_ptr<PushConsumerImpl::Gate>> table;
  return table;
}

}  // namespace

}  // namespace tern::client::internal

namespace tern::client {
const char* to_string(MessageModel m) { return m == MessageModel::CLUSTERING ? "CLUSTERING" : "BROADCASTING"; }
const char* to_string(ConsumeFromWhere w) {
  switch (w) {
    case ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET:
      return "CONSUME_FROM_FIRST_OFFSET";
    case ConsumeFromWhere::CONSUME_FROM_TIMESTAMP:
      return "CONSUME_FROM_TIMESTAMP";
    default:
      return "CONSUME_FROM_LAST_OFFSET";
  }
}
}  // namespace tern::client

namespace tern::client::internal {

PushConsumerImpl::PushConsumerImpl(const DefaultMQPushConsumer& c)
    : group_(c.group_),
      config_(c),
      listener_(c.listener_),
      orderly_listener_(c.orderly_listener_),
      model_(c.message_model_),
      from_where_(c.consume_from_where_),
      consume_timestamp_(c.consume_timestamp_ != 0 ? c.consume_timestamp_ : now_ms() - 30 * 60 * 1000),
      threads_(std::max({1, c.consume_thread_min_, c.consume_thread_max_})),
      batch_max_(std::max(1, c.consume_message_batch_max_size_)),
      pull_batch_(std::max(1, c.pull_batch_size_)),
      max_reconsume_times_(c.max_reconsume_times_ >= 0 ? c.max_reconsume_times_
                           : c.orderly_listener_     ? INT_MAX
                                                     : kDefaultMaxReconsumeTimes),
      rebalance_interval_(c.rebalance_interval_),
      persist_interval_(c.persist_interval_) {
  local_offset_dir_ = c.local_offset_store_dir_;
  if (local_offset_dir_.empty()) {
    const char* home = std::getenv("HOME");
    local_offset_dir_ = std::string(home != nullptr && *home != 0 ? home : "/tmp") + "/.rocketmq_offsets";
  }
  const int64_t version = now_ms();
  for (const auto& [topic, selector] : c.subscriptions_) {
    const std::string& expr = selector.expression();
    if (selector.expression_type() == "TAG") {
      subscriptions_.push_back(Subscription{topic, expr.empty() ? "*" : expr, parse_tags(expr), version, "TAG"});
    } else {  // evaluated on the broker only: no tags to re-check here
      subscriptions_.push_back(Subscription{topic, expr, {}, version, selector.expression_type()});
    }
  }
  if (model_ == MessageModel::CLUSTERING) subscriptions_.push_back(Subscription{retry_topic(group_), "*", {}, version, "TAG"});
}

PushConsumerImpl::~PushConsumerImpl() { shutdown(); }

std::vector<std::string> PushConsumerImpl::topics_in_use() const {
  std::vector<std::string> out;
  for (const auto& s : subscriptions_) out.push_back(s.topic);
  return out;
}

JsonValue PushConsumerImpl::consumer_data() const {
  JsonValue d = JsonValue::object();
  d.set("groupName", JsonValue::string(group_));
  d.set("consumeType", JsonValue::string("CONSUME_PASSIVELY"));
  d.set("messageModel", JsonValue::string(tern::client::to_string(model_)));
  d.set("consumeFromWhere", JsonValue::string(tern::client::to_string(from_where_)));
  d.set("unitMode", JsonValue::boolean(false));
  JsonValue subs = JsonValue::array();
  for (const auto& s : subscriptions_) {
    JsonValue sd = JsonValue::object();
    sd.set("topic", JsonValue::string(s.topic));
    sd.set("subString", JsonValue::string(s.expression));
    JsonValue tags = JsonValue::array(), codes = JsonValue::array();
    for (const auto& t : s.tags) {
      tags.push_back(JsonValue::string(t));
      codes.push_back(JsonValue::number(java_hash_code(t)));
    }
    sd.set("tagsSet", std::move(tags));
    sd.set("codeSet", std::move(codes));
    sd.set("subVersion", JsonValue::number(s.sub_version));
    sd.set("classFilterMode", JsonValue::boolean(false));
    sd.set("expressionType", JsonValue::string(s.expression_type));
    subs.push_back(std::move(sd));
  }
  d.set("subscriptionDataSet", std::move(subs));
  return d;
}

void PushConsumerImpl::on_route_changed(const std::string& topic, const TopicRouteData&) {
  for (const auto& s : subscriptions_) {
    if (s.topic == topic) {
      via_gate(gate_, true, [topic](PushConsumerImpl& c) { c.rebalance_topic(topic); });
      return;
    }
  }
}

void PushConsumerImpl::via_gate(const std::shared_ptr<Gate>& gate, bool control,
                                std::function<void(PushConsumerImpl&)> task) {
  std::lock_guard lock(gate->mu);
  PushConsumerImpl* self = gate->self;
  if (self == nullptr) return;
  Executor& ex = control ? *self->control_ : *self->puller_;
  ex.post([self, task = std::move(task)] {
    if (self->running_) task(*self);
  });
}

void PushConsumerImpl::start() {
  if (group_.empty()) throw MQClientException(client_error::kNotRunning, "the consumer group is empty");
  if (!listener_ && !orderly_listener_) {
    throw MQClientException(client_error::kNotRunning, "consumer " + group_ + ": no message listener registered");
  }
  if (topics_in_use().empty() || (model_ == MessageModel::CLUSTERING && subscriptions_.size() == 1)) {
    throw MQClientException(client_error::kNotRunning, "consumer " + group_ + ": no subscription");
  }
  if (config_.resolved_namesrv_addr().empty()) {
    throw MQClientException(client_error::kNoNameServerException,
                            "consumer " + group_ + ": no name server address; call set_namesrv_addr or set NAMESRV_ADDR");
  }
  instance_ = MQClientInstance::acquire(config_);
  if (Status s = instance_->register_consumer(group_, this); !s.is_ok()) {
    instance_.reset();
    throw MQClientException(client_error::kNotRunning, s.message());
  }
  if (model_ == MessageModel::BROADCASTING) load_local_offsets();
  control_ = std::make_unique<Executor>(1);
  puller_ = std::make_unique<Executor>(1);
  consumers_ = std::make_unique<Executor>(threads_);
  {
    std::lock_guard lock(gate_->mu);
    gate_->self = this;
  }
  running_ = true;
  const std::string key = instance_->client_id() + "\n" + group_;
  {
    std::lock_guard lock(notify_mu());
    notify_table()[key] = gate_;
  }
  const std::string client_id = instance_->client_id();
  instance_->set_request_handler(
      rc::kNotifyConsumerIdsChanged,
      [client_id](const remoting::RemotingCommand& request,
                  const std::string&) -> std::optional<remoting::RemotingCommand> {
        std::shared_ptr<Gate> gate;
        {
          std::lock_guard lock(notify_mu());
          auto it = notify_table().find(client_id + "\n" + field(request, "consumerGroup"));
          if (it != notify_table().end()) gate = it->second.lock();
        }
        if (gate) via_gate(gate, true, [](PushConsumerImpl& c) { c.rebalance(); });
        return std::nullopt;
      });
  for (const auto& s : subscriptions_) {
    auto r = instance_->update_topic_route(s.topic, kCallTimeout);
    if (!r.is_ok()) instance_->logger().info("consumer ", group_, ": route of ", s.topic, ": ", r.status().to_string());
  }
  instance_->send_heartbeat_to_all_brokers();
  std::weak_ptr<Gate> weak = gate_;
  auto periodic = [weak](bool control, std::function<void(PushConsumerImpl&)> task) {
    return [weak, control, task] {
      if (auto g = weak.lock()) via_gate(g, control, task);
    };
  };
  via_gate(gate_, true, [](PushConsumerImpl& c) { c.rebalance(); });
  instance_->scheduler().schedule(rebalance_interval_, rebalance_interval_,
                                  periodic(true, [](PushConsumerImpl& c) { c.rebalance(); }));
  instance_->scheduler().schedule(persist_interval_, persist_interval_,
                                  periodic(true, [](PushConsumerImpl& c) { c.persist_all(false); }));
  instance_->logger().info("push consumer ", group_, " started in client ", instance_->client_id());
}

void PushConsumerImpl::shutdown() {
  if (shut_down_ || !instance_) return;
  shut_down_ = true;
  {
    std::lock_guard lock(gate_->mu);
    gate_->self = nullptr;
  }
  {
    std::lock_guard lock(notify_mu());
    notify_table().erase(instance_->client_id() + "\n" + group_);
  }
  control_->stop();  // a running rebalance finishes
  {
    std::lock_guard lock(mu_);
    for (auto& [mq, pq] : queues_) pq->dropped = true;
  }
  running_ = false;
  consumers_->stop();  // batches started finish; queued ones see the drop and skip
  puller_->stop();
  {
    std::lock_guard lock(mu_);
    for (auto& [mq, pq] : queues_) {
      int64_t off = pq->committable();
      if (off >= 0) offsets_[mq] = std::max(offsets_[mq], off);
    }
  }
  persist_all(true);
  {
    std::lock_guard lock(producer_mu_);
    if (inner_producer_) inner_producer_->shutdown();
    inner_producer_.reset();
  }
  instance_->unregister_consumer(group_, kCallTimeout);
  instance_.reset();
}

std::vector<std::string> PushConsumerImpl::find_consumer_ids(const std::string& topic) {
  auto route = instance_->cached_route(topic);
  if (!route) return {};
  for (const auto& bd : route->broker_datas) {
    std::string addr = instance_->find_broker_master(bd.broker_name);
    if (addr.empty()) continue;
    auto r = instance_->remoting().invoke_sync(
        addr, MQClientInstance::make_request(rc::kGetConsumerListByGroup, {{"consumerGroup", group_}}), kCallTimeout);
    if (!r.is_ok() || r->code != rsp::kSuccess) continue;
    auto json = parse_json(r->body);
    if (!json.is_ok()) continue;
    const JsonValue* list = json->find("consumerIdList");
    if (list == nullptr || !list->is_array()) continue;
    std::vector<std::string> ids;
    for (const auto& v : list->values()) {
      if (v.is_string()) ids.push_back(v.text());
    }
    return ids;
  }
  return {};
}

void PushConsumerImpl::rebalance() {
  for (const auto& s : subscriptions_) rebalance_topic(s.topic);
}

void PushConsumerImpl::rebalance_topic(const std::string& topic) {
  auto route = instance_->cached_route(topic);
  if (!route) {
    auto r = instance_->update_topic_route(topic, kCallTimeout);
    if (!r.is_ok()) return;  // e.g. no %RETRY% topic yet
    route = *r;
  }
  std::vector<MessageQueue> all;
  for (const auto& qd : route->queue_datas) {
    if ((qd.perm & 4) == 0) continue;
    for (int i = 0; i < qd.read_queue_nums; ++i) all.push_back(MessageQueue{topic, qd.broker_name, i});
  }
  std::vector<MessageQueue> mine;
  if (model_ == MessageModel::BROADCASTING) {
    mine = all;
  } else {
    auto ids = find_consumer_ids(topic);
    if (ids.empty()) {
      instance_->logger().debug("consumer ", group_, ": no consumer list for topic ", topic);
      return;
    }
    mine = allocate_averagely(all, ids, instance_->client_id());
  }
  std::set<MessageQueue> wanted(mine.begin(), mine.end());
  std::vector<PQ> removed;
  std::vector<MessageQueue> added;
  {
    std::lock_guard lock(mu_);
    for (auto it = queues_.begin(); it != queues_.end();) {
      if (it->first.topic == topic && !wanted.count(it->first)) {
        removed.push_back(it->second);
        it = queues_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& mq : wanted) {
      if (!queues_.count(mq)) added.push_back(mq);
    }
  }
  for (const auto& pq : removed) {
    pq->dropped = true;
    int64_t off = pq->committable();
    {
      std::lock_guard lock(mu_);
      if (off >= 0) offsets_[pq->mq] = off;
      off = offsets_.count(pq->mq) ? offsets_[pq->mq] : -1;
      offsets_.erase(pq->mq);
      if (off >= 0 && model_ == MessageModel::BROADCASTING) local_offsets_[pq->mq] = off;
    }
    if (off >= 0) persist_one(pq->mq, off, true);
  }
  for (const auto& mq : added) {
    int64_t from = compute_pull_from(mq);
    if (from < 0) continue;  // retried at the next rebalance
    auto pq = std::make_shared<ProcessQueue>();
    pq->mq = mq;
    pq->next_offset = from;
    {
      std::lock_guard lock(mu_);
      queues_[mq] = pq;
      offsets_[mq] = from;
    }
    instance_->logger().info("consumer ", group_, " takes ", mq.topic, "/", mq.broker_name, "/", mq.queue_id,
                             " from offset ", from);
    puller_->post([this, pq] {
      if (running_) pull(pq);
    });
  }
}

int64_t PushConsumerImpl::compute_pull_from(const MessageQueue& mq) {
  std::string addr = instance_->find_broker_master(mq.broker_name);
  if (addr.empty()) return -1;
  const std::string qid = std::to_string(mq.queue_id);
  if (model_ == MessageModel::CLUSTERING) {
    auto r = instance_->remoting().invoke_sync(
        addr,
        MQClientInstance::make_request(rc::kQueryConsumerOffset,
                                       {{"consumerGroup", group_}, {"topic", mq.topic}, {"queueId", qid}}),
        kCallTimeout);
    if (!r.is_ok()) return -1;
    if (r->code == rsp::kSuccess) {
      int64_t off = field_int(*r, "offset", -1);
      if (off >= 0) return off;
    } else if (r->code != rsp::kQueryNotFound) {
      return -1;
    }
  }
  if (model_ == MessageModel::BROADCASTING) {
    std::lock_guard lock(mu_);
    auto it = local_offsets_.find(mq);
    if (it != local_offsets_.end()) return it->second;
  }
  if (mq.topic.rfind("%RETRY%", 0) == 0 || from_where_ == ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET) return 0;
  std::map<std::string, std::string> ext{{"topic", mq.topic}, {"queueId", qid}};
  int32_t code = rc::kGetMaxOffset;
  if (from_where_ == ConsumeFromWhere::CONSUME_FROM_TIMESTAMP) {
    code = rc::kSearchOffsetByTimestamp;
    ext["timestamp"] = std::to_string(consume_timestamp_);
  }
  auto r = instance_->remoting().invoke_sync(addr, MQClientInstance::make_request(code, ext), kCallTimeout);
  if (!r.is_ok() || r->code != rsp::kSuccess) return -1;
  return field_int(*r, "offset", -1);
}

void PushConsumerImpl::schedule_pull(const PQ& pq, std::chrono::milliseconds delay) {
  if (delay.count() == 0) {
    via_gate(gate_, false, [pq](PushConsumerImpl& c) { c.pull(pq); });
    return;
  }
  std::weak_ptr<Gate> weak = gate_;
  instance_->scheduler().schedule(delay, 0ms, [weak, pq] {
    if (auto g = weak.lock()) via_gate(g, false, [pq](PushConsumerImpl& c) { c.pull(pq); });
  });
}

void PushConsumerImpl::pull(const PQ& pq) {
  if (pq->dropped) return;
  {
    std::lock_guard lock(pq->mu);
    if (pq->in_flight.size() > kMaxInFlight) {
      schedule_pull(pq, 50ms);  // flow control
      return;
    }
  }
  std::string addr = instance_->find_broker_master(pq->mq.broker_name);
  if (addr.empty()) {
    schedule_pull(pq, kPullErrorDelay);
    return;
  }
  const Subscription* sub = nullptr;
  for (const auto& s : subscriptions_) {
    if (s.topic == pq->mq.topic) sub = &s;
  }
  if (sub == nullptr) return;
  int64_t commit = -1;
  if (model_ == MessageModel::CLUSTERING) {
    std::lock_guard lock(mu_);
    auto it = offsets_.find(pq->mq);
    if (it != offsets_.end()) commit = it->second;
  }
  int32_t sys_flag = kPullSuspend | kPullSubscription | (commit > 0 ? kPullCommitOffset : 0);
  auto request = MQClientInstance::make_request(
      rc::kPullMessage, {{"consumerGroup", group_},
                         {"topic", pq->mq.topic},
                         {"queueId", std::to_string(pq->mq.queue_id)},
                         {"queueOffset", std::to_string(pq->next_offset)},
                         {"maxMsgNums", std::to_string(pull_batch_)},
                         {"sysFlag", std::to_string(sys_flag)},
                         {"commitOffset", std::to_string(std::max<int64_t>(commit, 0))},
                         {"suspendTimeoutMillis", std::to_string(kSuspendMillis)},
                         {"subscription", sub->expression},
                         {"subVersion", std::to_string(sub->sub_version)},
                         {"expressionType", sub->expression_type}});
  std::weak_ptr<Gate> weak = gate_;
  instance_->remoting().invoke(addr, std::move(request), kPullTimeout,
                               [weak, pq](Result<remoting::RemotingCommand> response) {
                                 auto g = weak.lock();
                                 if (!g) return;
                                 auto shared = std::make_shared<Result<remoting::RemotingCommand>>(std::move(response));
                                 via_gate(g, false, [pq, shared](PushConsumerImpl& c) {
                                   c.on_pull(pq, std::move(*shared));
                                 });
                               });
}

void PushConsumerImpl::on_pull(const PQ& pq, Result<remoting::RemotingCommand> response) {
  if (pq->dropped) return;
  if (!response.is_ok()) {
    instance_->logger().debug("consumer ", group_, ": pull of ", pq->mq.topic, "/", pq->mq.queue_id, ": ",
                              response.status().to_string());
    schedule_pull(pq, kPullErrorDelay);
    return;
  }
  const auto& r = *response;
  const int64_t next = field_int(r, "nextBeginOffset", pq->next_offset);
  switch (r.code) {
    case rsp::kSuccess: {
      auto msgs = decode_messages(r.body, true);
      if (!msgs.is_ok()) {
        instance_->logger().warn("consumer ", group_, ": bad pull body from ", pq->mq.broker_name, ": ",
                                 msgs.status().to_string());
        schedule_pull(pq, kPullErrorDelay);
        return;
      }
      pq->next_offset = next;
      const Subscription* sub = nullptr;
      for (const auto& s : subscriptions_) {
        if (s.topic == pq->mq.topic) sub = &s;
      }
      std::vector<MessageExt> kept;
      for (auto& m : *msgs) {
        if (sub != nullptr && !sub->tags.empty() && !sub->tags.count(std::string(m.tags()))) continue;
        reset_retry_topic(m);
        kept.push_back(std::move(m));
      }
      bool start_orderly = false;
      {
        std::lock_guard lock(pq->mu);
        for (const auto& m : kept) pq->in_flight[m.queue_offset] = true;
        // Filtered-out messages count as consumed: the committed offset may pass them.
        pq->max_seen = std::max(pq->max_seen, next - 1);
        if (orderly_listener_) {
          for (auto& m : kept) pq->pending.emplace(m.queue_offset, std::move(m));
          if (!pq->consuming && !pq->pending.empty()) start_orderly = pq->consuming = true;
        }
      }
      if (orderly_listener_) {
        if (start_orderly) consumers_->post([this, pq] { consume_orderly(pq); });
        if (kept.empty()) update_offset(pq);
        pull(pq);
        return;
      }
      for (size_t i = 0; i < kept.size(); i += static_cast<size_t>(batch_max_)) {
        size_t end = std::min(kept.size(), i + static_cast<size_t>(batch_max_));
        submit_consume(pq, std::vector<MessageExt>(std::make_move_iterator(kept.begin() + static_cast<long>(i)),
                                                   std::make_move_iterator(kept.begin() + static_cast<long>(end))));
      }
      if (kept.empty()) update_offset(pq);
      pull(pq);
      return;
    }
    case rsp::kPullNotFound:
    case rsp::kPullRetryImmediately:
      pq->next_offset = next;
      pull(pq);
      return;
    case rsp::kPullOffsetMoved: {
      instance_->logger().warn("consumer ", group_, ": offset ", pq->next_offset, " of ", pq->mq.topic, "/",
                               pq->mq.queue_id, " moved to ", next);
      pq->next_offset = next;
      {
        std::lock_guard lock(pq->mu);
        pq->in_flight.clear();
        pq->pending.clear();
        pq->max_seen = next - 1;
      }
      update_offset(pq);
      pull(pq);
      return;
    }
    default:
      instance_->logger().info("consumer ", group_, ": pull of ", pq->mq.topic, "/", pq->mq.queue_id, ": code ",
                               r.code, " ", r.remark.value_or(""));
      schedule_pull(pq, kPullErrorDelay);
  }
}

void PushConsumerImpl::submit_consume(const PQ& pq, std::vector<MessageExt> batch) {
  auto shared = std::make_shared<std::vector<MessageExt>>(std::move(batch));
  consumers_->post([this, pq, shared] { consume(pq, std::move(*shared)); });
}

void PushConsumerImpl::consume(const PQ& pq, std::vector<MessageExt> batch) {
  if (pq->dropped || !running_) return;
  ConsumeConcurrentlyStatus status;
  ConsumeConcurrentlyContext context;
  context.message_queue = pq->mq;
  try {
    status = listener_(batch, context);
  } catch (const std::exception& e) {
    instance_->logger().warn("consumer ", group_, ": listener threw: ", e.what());
    status = ConsumeConcurrentlyStatus::RECONSUME_LATER;
  } catch (...) {
    status = ConsumeConcurrentlyStatus::RECONSUME_LATER;
  }
  // RocketMQ's ackIndex: the messages after it failed (all of them with RECONSUME_LATER).
  size_t first_failed = batch.size();
  if (status == ConsumeConcurrentlyStatus::RECONSUME_LATER) {
    first_failed = 0;
  } else if (context.ack_index < static_cast<int>(batch.size()) - 1) {
    first_failed = static_cast<size_t>(std::max(context.ack_index + 1, 0));
  }
  std::vector<MessageExt> again;  // neither send-back path took them: consumed again here
  for (size_t i = first_failed; i < batch.size(); ++i) {
    if (model_ == MessageModel::BROADCASTING) {
      instance_->logger().warn("consumer ", group_, ": BROADCASTING, the message consume failed, drop it: ",
                               client_msg_id(batch[i]), " of ", batch[i].topic);
    } else if (!send_message_back(batch[i], context.delay_level_when_next_consume, pq->mq)) {
      again.push_back(batch[i]);
    }
  }
  {
    std::lock_guard lock(pq->mu);
    for (const auto& m : batch) pq->in_flight.erase(m.queue_offset);
    for (const auto& m : again) pq->in_flight[m.queue_offset] = true;  // the offset stays before them
  }
  update_offset(pq);
  if (again.empty()) return;
  for (auto& m : again) ++m.reconsume_times;
  auto shared = std::make_shared<std::vector<MessageExt>>(std::move(again));
  std::weak_ptr<Gate> weak = gate_;
  instance_->scheduler().schedule(kSendBackFailedDelay, 0ms, [weak, pq, shared] {
    auto g = weak.lock();
    if (!g) return;
    via_gate(g, false, [pq, shared](PushConsumerImpl& c) { c.submit_consume(pq, std::move(*shared)); });
  });
}

void PushConsumerImpl::reset_retry_topic(MessageExt& m) const {
  std::string_view original = m.property(property::kRetryTopic);
  if (!original.empty() && m.topic == retry_topic(group_)) m.topic = std::string(original);
}

bool PushConsumerImpl::send_message_back(const MessageExt& m, int delay_level, const MessageQueue& mq) {
  if (send_back_to_broker(m, delay_level, mq)) return true;
  return send_back_by_producer(m);
}

bool PushConsumerImpl::send_back_to_broker(const MessageExt& m, int delay_level, const MessageQueue& mq) {
  std::string addr = instance_->find_broker_master(mq.broker_name);
  if (addr.empty()) return false;
  auto r = instance_->remoting().invoke_sync(
      addr,
      MQClientInstance::make_request(rc::kConsumerSendMsgBack,
                                     {{"offset", std::to_string(m.commit_log_offset)},
                                      {"group", group_},
                                      {"delayLevel", std::to_string(delay_level)},
                                      {"originMsgId", client_msg_id(m)},
                                      {"originTopic", m.topic},
                                      {"unitMode", "false"},
                                      {"maxReconsumeTimes", std::to_string(max_reconsume_times_)}}),
      kCallTimeout);
  if (r.is_ok() && r->code == rsp::kSuccess) return true;
  instance_->logger().warn("consumer ", group_, ": send-back of ", client_msg_id(m), " to ", addr, " failed (",
                           r.is_ok() ? "code " + std::to_string(r->code) + " " + r->remark.value_or("")
                                     : r.status().to_string(),
                           "); sending it to ", retry_topic(group_), " instead");
  return false;
}

bool PushConsumerImpl::send_back_by_producer(const MessageExt& m) {
  ProducerImpl* producer = inner_producer();
  if (producer == nullptr) return false;
  Message copy;
  copy.topic = retry_topic(group_);
  copy.body = m.body;
  copy.flag = m.flag;
  copy.properties = m.properties;
  std::string origin(m.property(property::kOriginMessageId));
  copy.set_property(property::kOriginMessageId, origin.empty() ? client_msg_id(m) : origin);
  copy.set_property(property::kRetryTopic, m.topic);  // the original topic (reset_retry_topic)
  copy.set_property(property::kReconsumeTime, std::to_string(m.reconsume_times + 1));
  copy.set_property(property::kMaxReconsumeTimes, std::to_string(max_reconsume_times_));
  copy.clear_property(property::kTransactionPrepared);
  copy.set_property(property::kDelayTimeLevel, std::to_string(3 + m.reconsume_times));
  try {
    producer->send(copy, kCallTimeout);
    return true;
  } catch (const std::exception& e) {
    instance_->logger().warn("consumer ", group_, ": re-sending ", client_msg_id(m), " to ", copy.topic,
                             " failed: ", e.what(), "; consuming it again here in ",
                             kSendBackFailedDelay.count(), " ms");
    return false;
  }
}

ProducerImpl* PushConsumerImpl::inner_producer() {
  std::lock_guard lock(producer_mu_);
  if (inner_producer_ || inner_producer_failed_) return inner_producer_.get();
  ProducerSettings settings;
  settings.group = "CLIENT_INNER_PRODUCER_" + group_;
  auto producer = std::make_unique<ProducerImpl>(settings, config_);
  try {
    producer->start();
  } catch (const std::exception& e) {
    instance_->logger().warn("consumer ", group_, ": cannot start its retry producer: ", e.what());
    inner_producer_failed_ = true;
    return nullptr;
  }
  inner_producer_ = std::move(producer);
  return inner_producer_.get();
}

void PushConsumerImpl::consume_orderly(const PQ& pq) {
  if (pq->dropped || !running_) return;
  std::vector<MessageExt> batch;
  {
    std::lock_guard lock(pq->mu);
    for (auto it = pq->pending.begin(); it != pq->pending.end() && batch.size() < static_cast<size_t>(batch_max_);
         ++it) {
      batch.push_back(it->second);
    }
    if (batch.empty()) {
      pq->consuming = false;
      return;
    }
  }
  ConsumeOrderlyStatus status;
  try {
    status = orderly_listener_(batch);
  } catch (const std::exception& e) {
    instance_->logger().warn("consumer ", group_, ": orderly listener threw: ", e.what());
    status = ConsumeOrderlyStatus::SUSPEND_CURRENT_QUEUE_A_MOMENT;
  } catch (...) {
    status = ConsumeOrderlyStatus::SUSPEND_CURRENT_QUEUE_A_MOMENT;
  }
  if (status == ConsumeOrderlyStatus::SUSPEND_CURRENT_QUEUE_A_MOMENT && max_reconsume_times_ != INT_MAX &&
      model_ == MessageModel::CLUSTERING) {
    // RocketMQ's checkReconsumeTimes: once every message of the batch was tried
    // max_reconsume_times times and reached the DLQ, the queue moves on.
    bool all_sent = true;
    for (const auto& m : batch) {
      all_sent = all_sent && m.reconsume_times >= max_reconsume_times_ && send_back_to_broker(m, -1, pq->mq);
    }
    if (all_sent) status = ConsumeOrderlyStatus::SUCCESS;
  }
  if (status == ConsumeOrderlyStatus::SUSPEND_CURRENT_QUEUE_A_MOMENT) {
    {
      std::lock_guard lock(pq->mu);
      for (const auto& m : batch) {
        auto it = pq->pending.find(m.queue_offset);
        if (it != pq->pending.end()) ++it->second.reconsume_times;
      }
    }
    std::weak_ptr<Gate> weak = gate_;
    instance_->scheduler().schedule(kReconsumeDelay, 0ms, [weak, pq] {
      auto g = weak.lock();
      if (!g) return;
      via_gate(g, false, [pq](PushConsumerImpl& c) { c.consumers_->post([&c, pq] { c.consume_orderly(pq); }); });
    });
    return;
  }
  {
    std::lock_guard lock(pq->mu);
    for (const auto& m : batch) {
      pq->pending.erase(m.queue_offset);
      pq->in_flight.erase(m.queue_offset);
    }
  }
  update_offset(pq);
  consumers_->post([this, pq] { consume_orderly(pq); });  // the next batch, letting other queues in
}

void PushConsumerImpl::update_offset(const PQ& pq) {
  if (pq->dropped) return;
  int64_t off = pq->committable();
  if (off < 0) return;
  std::lock_guard lock(mu_);
  auto it = offsets_.find(pq->mq);
  if (it != offsets_.end() && it->second < off) it->second = off;
}

void PushConsumerImpl::persist_all(bool sync) {
  if (model_ == MessageModel::BROADCASTING) {
    write_local_offsets();
    return;
  }
  std::map<MessageQueue, int64_t> snapshot;
  {
    std::lock_guard lock(mu_);
    snapshot = offsets_;
  }
  for (const auto& [mq, off] : snapshot) persist_one(mq, off, sync);
}

void PushConsumerImpl::persist_one(const MessageQueue& mq, int64_t offset, bool sync) {
  if (model_ != MessageModel::CLUSTERING) return;
  std::string addr = instance_->find_broker_master(mq.broker_name);
  if (addr.empty()) return;
  auto request = MQClientInstance::make_request(rc::kUpdateConsumerOffset,
                                                {{"consumerGroup", group_},
                                                 {"topic", mq.topic},
                                                 {"queueId", std::to_string(mq.queue_id)},
                                                 {"commitOffset", std::to_string(offset)}});
  if (sync) {
    auto r = instance_->remoting().invoke_sync(addr, std::move(request), kCallTimeout);
    if (!r.is_ok()) instance_->logger().info("consumer ", group_, ": offset persist: ", r.status().to_string());
  } else {
    request.flag |= remoting::kFlagOneway;
    instance_->remoting().invoke_oneway(addr, std::move(request), kCallTimeout);
  }
}

std::string PushConsumerImpl::local_offset_file() const {
  return local_offset_dir_ + "/" + instance_->client_id() + "/" + group_ + "/offsets.json";
}

// {"offsetTable":[{"topic","brokerName","queueId","offset"}, ...]} (standard JSON; Java's
// file uses fastjson's MessageQueue-object keys, so the files are not shared with Java).
void PushConsumerImpl::load_local_offsets() {
  std::ifstream in(local_offset_file());
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  auto json = parse_json(ss.str());
  if (!json.is_ok()) {
    instance_->logger().warn("consumer ", group_, ": bad offset file ", local_offset_file(), ": ",
                             json.status().to_string());
    return;
  }
  const JsonValue* table = json->find("offsetTable");
  if (table == nullptr || !table->is_array()) return;
  std::lock_guard lock(mu_);
  for (const auto& e : table->values()) {
    const JsonValue *t = e.find("topic"), *b = e.find("brokerName"), *q = e.find("queueId"), *o = e.find("offset");
    if (t == nullptr || b == nullptr || q == nullptr || o == nullptr || !t->is_string() || !b->is_string()) continue;
    auto qid = q->as_int64();
    auto off = o->as_int64();
    if (!qid.is_ok() || !off.is_ok()) continue;
    local_offsets_[MessageQueue{t->text(), b->text(), static_cast<int32_t>(*qid)}] = *off;
  }
}

void PushConsumerImpl::write_local_offsets() {
  JsonValue table = JsonValue::array();
  {
    std::lock_guard lock(mu_);
    for (const auto& [mq, off] : offsets_) local_offsets_[mq] = off;
    for (const auto& [mq, off] : local_offsets_) {
      JsonValue e = JsonValue::object();
      e.set("topic", JsonValue::string(mq.topic));
      e.set("brokerName", JsonValue::string(mq.broker_name));
      e.set("queueId", JsonValue::number(mq.queue_id));
      e.set("offset", JsonValue::number(off));
      table.push_back(std::move(e));
    }
  }
  JsonValue root = JsonValue::object();
  root.set("offsetTable", std::move(table));
  const std::string file = local_offset_file();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
  const std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << serialize_json(root);
    if (!out) {
      instance_->logger().warn("consumer ", group_, ": cannot write ", tmp);
      return;
    }
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) instance_->logger().warn("consumer ", group_, ": cannot write ", file, ": ", ec.message());
}

}  // namespace tern::client::internal

namespace tern::client {

DefaultMQPushConsumer::DefaultMQPushConsumer(std::string consumer_group) : group_(std::move(consumer_group)) {}

DefaultMQPushConsumer::~DefaultMQPushConsumer() { shutdown(); }

void DefaultMQPushConsumer::subscribe(const std::string& topic, const std::string& expression) {
  subscribe(topic, MessageSelector::by_tag(expression));
}

void DefaultMQPushConsumer::subscribe(const std::string& topic, const MessageSelector& selector) {
  if (impl_) throw MQClientException(client_error::kNotRunning, "subscribe before start()");
  subscriptions_.insert_or_assign(topic, selector);
}

void DefaultMQPushConsumer::start() {
  if (impl_) throw MQClientException(client_error::kNotRunning, "consumer " + group_ + " already started");
  auto impl = std::make_unique<internal::PushConsumerImpl>(*this);
  impl->start();
  impl_ = std::move(impl);
}

void DefaultMQPushConsumer::shutdown() {
  if (impl_) impl_->shutdown();
}

}  // namespace tern::client
