// See push_consumer_impl.h.
#include "push_consumer_impl.h"

#include <algorithm>
#include <climits>

#include "codes.h"
#include "mq_admin.h"
#include "pull_api_wrapper.h"
#include "rebalance.h"
#include "tern/topic_config.h"

namespace tern::client::internal {

using namespace std::chrono_literals;
namespace rc = remoting::request_code;
namespace rsp = remoting::response_code;

namespace {

constexpr auto kPullTimeout = 30000ms;
constexpr auto kSuspend = 15000ms;
constexpr auto kCallTimeout = 3000ms;
constexpr auto kPullErrorDelay = 3000ms;
constexpr auto kReconsumeDelay = 1000ms;       // orderly: SUSPEND_CURRENT_QUEUE_A_MOMENT
constexpr auto kSendBackFailedDelay = 5000ms;  // concurrent: both send-back paths failed (RocketMQ's 5 s)
constexpr int kDefaultMaxReconsumeTimes = 16;
constexpr size_t kMaxInFlight = 1000;  // pullThresholdForQueue
constexpr auto kConsumeLockWait = 1000ms;    // rebalance waits this long for a batch in progress (RocketMQ)
constexpr auto kTryLockLaterDelay = 100ms;   // a lapsed lock is asked for again after this (RocketMQ)

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string retry_topic(const std::string& group) { return std::string(topic_names::retry_topic(group)); }

// The client's id of a message: its UNIQ_KEY, else the broker's offset id.
std::string client_msg_id(const MessageExt& m) {
  std::string_view uniq = m.property(property::kUniqueClientMessageId);
  return uniq.empty() ? m.msg_id : std::string(uniq);
}

}  // namespace

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
      persist_interval_(c.persist_interval_),
      lock_interval_(c.rebalance_lock_interval_),
      lock_max_live_(c.rebalance_lock_max_live_),
      local_offset_dir_(c.local_offset_store_dir_) {
  const int64_t version = now_ms();
  for (const auto& [topic, selector] : c.subscriptions_) {
    subscriptions_.push_back(SubscriptionData::build(topic, selector, version));
  }
  if (model_ == MessageModel::CLUSTERING) {
    subscriptions_.push_back(SubscriptionData::build(retry_topic(group_), MessageSelector::by_tag("*"), version));
  }
}

PushConsumerImpl::~PushConsumerImpl() { shutdown(); }

std::vector<std::string> PushConsumerImpl::topics_in_use() const {
  std::vector<std::string> out;
  for (const auto& s : subscriptions_) out.push_back(s.topic);
  return out;
}

JsonValue PushConsumerImpl::consumer_data() const {
  return consumer_data_json(group_, ConsumeType::kPassively, model_, from_where_, subscriptions_);
}

void PushConsumerImpl::on_consumer_ids_changed() {
  via_gate(gate_, true, [](PushConsumerImpl& c) { c.rebalance(); });
}

void PushConsumerImpl::on_reset_offsets(const std::string& topic, const std::map<MessageQueue, int64_t>& offsets) {
  via_gate(gate_, true, [topic, offsets](PushConsumerImpl& c) { c.reset_offsets(topic, offsets); });
}

const SubscriptionData* PushConsumerImpl::subscription_of(const std::string& topic) const {
  for (const auto& s : subscriptions_) {
    if (s.topic == topic) return &s;
  }
  return nullptr;
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
  gate->post([control](PushConsumerImpl& c) -> Executor& { return control ? *c.control_ : *c.puller_; },
             [task = std::move(task)](PushConsumerImpl& c) {
               if (c.running_) task(c);
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
  offsets_ = make_offset_store(model_, *instance_, group_, local_offset_dir_);
  if (Status s = instance_->register_consumer(group_, this); !s.is_ok()) {
    instance_.reset();
    throw MQClientException(client_error::kNotRunning, s.message());
  }
  control_ = std::make_unique<Executor>(1);
  puller_ = std::make_unique<Executor>(1);
  consumers_ = std::make_unique<Executor>(threads_);
  gate_->open(this);
  running_ = true;
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
  if (orderly_clustering()) {  // RocketMQ: 1 s after start, then every lock interval
    instance_->scheduler().schedule(std::min(lock_interval_, std::chrono::milliseconds(1000)), lock_interval_,
                                    periodic(true, [](PushConsumerImpl& c) { c.lock_all(); }));
  }
  instance_->logger().info("push consumer ", group_, " started in client ", instance_->client_id());
}

void PushConsumerImpl::shutdown() {
  if (shut_down_ || !instance_) return;
  shut_down_ = true;
  gate_->close();
  control_->stop();  // a running rebalance finishes
  {
    std::lock_guard lock(mu_);
    for (auto& [mq, pq] : queues_) pq->dropped = true;
  }
  running_ = false;
  consumers_->stop();  // batches started finish; queued ones see the drop and skip
  puller_->stop();
  // No batch runs any more: queues still waiting to be released go now.
  for (auto& [mq, pq] : releasing_) (void)release(pq, std::chrono::milliseconds(0));
  releasing_.clear();
  {
    std::lock_guard lock(mu_);
    for (auto& [mq, pq] : queues_) {
      int64_t off = pq->committable();
      if (off >= 0) offsets_->update(mq, off, true);
    }
  }
  persist_all(true);
  {
    std::lock_guard lock(producer_mu_);
    if (inner_producer_) inner_producer_->shutdown();
    inner_producer_.reset();
  }
  // After the offsets: whoever locks a queue next starts where this consumer stopped.
  if (orderly_clustering()) unlock_all();
  instance_->unregister_consumer(group_, kCallTimeout);
  instance_.reset();
}

void PushConsumerImpl::rebalance() {
  if (!releasing_.empty()) finish_releases();
  for (const auto& s : subscriptions_) rebalance_topic(s.topic);
}

void PushConsumerImpl::rebalance_topic(const std::string& topic) {
  auto mine = allocated_queues(*instance_, group_, model_, topic);
  if (!mine) return;
  std::set<MessageQueue> wanted(mine->begin(), mine->end());
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
    instance_->logger().info("consumer ", group_, " (", instance_->client_id(), ") releases ", pq->mq.topic, "/",
                             pq->mq.broker_name, "/", pq->mq.queue_id);
    if (!release(pq, kConsumeLockWait)) {
      // Finished when the batch ends (consume_orderly asks) or at the next rebalance.
      instance_->logger().info("consumer ", group_, ": ", pq->mq.topic, "/", pq->mq.broker_name, "/", pq->mq.queue_id,
                               " is released once its batch in progress ends");
      releasing_[pq->mq] = pq;
    }
  }
  std::set<MessageQueue> locked;
  if (orderly_clustering()) {
    // A queue is pulled only once locked; one still being released here waits for that.
    std::vector<MessageQueue> lockable;
    for (const auto& mq : added) {
      if (!releasing_.count(mq)) lockable.push_back(mq);
    }
    locked = lock_new_queues(lockable);
    if (locked.size() < added.size()) schedule_lock_retry(topic);
  }
  for (const auto& mq : added) {
    if (orderly_clustering() && !locked.count(mq)) continue;
    // After the lock: the previous owner's offset is persisted.
    int64_t from = compute_pull_from_where(*instance_, *offsets_, mq, from_where_, consume_timestamp_);
    if (from < 0) {  // retried at the next rebalance
      if (orderly_clustering()) unlock_batch(mq.broker_name, {mq}, true);
      continue;
    }
    take_queue(mq, from, ProcessQueue::steady_ms());
  }
}

void PushConsumerImpl::take_queue(const MessageQueue& mq, int64_t from, int64_t locked_at_ms) {
  auto pq = std::make_shared<ProcessQueue>();
  pq->mq = mq;
  pq->next_offset = from;
  if (orderly_clustering()) {
    pq->last_lock_ms = locked_at_ms;
    pq->locked = true;
  }
  {
    std::lock_guard lock(mu_);
    queues_[mq] = pq;
  }
  offsets_->update(mq, from, false);
  instance_->logger().info("consumer ", group_, " (", instance_->client_id(), ") takes ", mq.topic, "/",
                           mq.broker_name, "/", mq.queue_id, " from offset ", from);
  puller_->post([this, pq] {
    if (running_) pull(pq);
  });
}

void PushConsumerImpl::reset_offsets(const std::string& topic, const std::map<MessageQueue, int64_t>& offsets) {
  for (const auto& [mq, offset] : offsets) {
    if (mq.topic != topic) continue;
    PQ old;
    {
      std::lock_guard lock(mu_);
      auto it = queues_.find(mq);
      if (it == queues_.end()) continue;  // not ours now: the broker already holds the offset
      old = it->second;
      queues_.erase(it);
    }
    old->dropped = true;  // its pulls and consume tasks stop; consumed offsets are not committed
    offsets_->remove(mq);
    instance_->logger().info("consumer ", group_, " (", instance_->client_id(), ") resets ", mq.topic, "/",
                             mq.broker_name, "/", mq.queue_id, " to offset ", offset, " (broker request)");
    if (orderly_clustering()) {
      // The queue stays this member's (its broker lock is kept): the batch in progress
      // ends before the queue starts again, so two batches of it never run at once.
      std::unique_lock consuming(old->consume_lock, std::defer_lock);
      (void)consuming.try_lock_for(kConsumeLockWait);
    }
    take_queue(mq, offset, old->last_lock_ms);
  }
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
  if (orderly_clustering() && !pq->locked) {  // RocketMQ: "pull message later because not locked in broker"
    schedule_pull(pq, kPullErrorDelay);
    return;
  }
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
  const SubscriptionData* sub = subscription_of(pq->mq.topic);
  if (sub == nullptr) return;
  int64_t commit = -1;
  if (model_ == MessageModel::CLUSTERING) commit = offsets_->read_memory(pq->mq).value_or(-1);
  int32_t sys_flag = kPullSuspend | kPullSubscription | (commit > 0 ? kPullCommitOffset : 0);
  auto request = make_pull_request(group_, pq->mq, *sub, pq->next_offset, pull_batch_, sys_flag,
                                   std::max<int64_t>(commit, 0), kSuspend);
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
  const SubscriptionData* sub = subscription_of(pq->mq.topic);
  if (sub == nullptr) return;
  Result<PullResult> result = response.is_ok() ? process_pull_response(*response, *sub, pq->next_offset)
                                               : Result<PullResult>(response.status());
  if (!result.is_ok()) {
    instance_->logger().info("consumer ", group_, ": pull of ", pq->mq.topic, "/", pq->mq.broker_name, "/",
                             pq->mq.queue_id, " at ", pq->next_offset, ": ", result.status().to_string());
    schedule_pull(pq, kPullErrorDelay);
    return;
  }
  const int64_t next = result->next_begin_offset;
  switch (result->status) {
    case PullStatus::kFound: {
      pq->next_offset = next;
      std::vector<MessageExt>& kept = result->msgs;
      for (auto& m : kept) reset_retry_topic(m);
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
    case PullStatus::kNoNewMsg:
    case PullStatus::kNoMatchedMsg:
      pq->next_offset = next;
      pull(pq);
      return;
    case PullStatus::kOffsetIllegal: {
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
  if (orderly_clustering() && !lock_usable(*pq)) {
    try_lock_later(pq, kTryLockLaterDelay);  // consumption resumes once the broker renews the lock
    return;
  }
  // Held through the listener and the offset bookkeeping: a rebalance taking the queue
  // away waits for it before it persists the offset and unlocks (release()).
  std::unique_lock consuming(pq->consume_lock);
  if (pq->dropped) return;
  // The batch ended on a queue taken away meanwhile: its release may be waiting.
  auto released_if_dropped = [this, &pq, &consuming] {
    consuming.unlock();
    if (pq->dropped && orderly_clustering()) via_gate(gate_, true, [](PushConsumerImpl& c) { c.finish_releases(); });
  };
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
    released_if_dropped();
    schedule_consume_orderly(pq, kReconsumeDelay);
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
  released_if_dropped();
  consumers_->post([this, pq] { consume_orderly(pq); });  // the next batch, letting other queues in
}

void PushConsumerImpl::schedule_consume_orderly(const PQ& pq, std::chrono::milliseconds delay) {
  std::weak_ptr<Gate> weak = gate_;
  instance_->scheduler().schedule(delay, 0ms, [weak, pq] {
    auto g = weak.lock();
    if (!g) return;
    via_gate(g, false, [pq](PushConsumerImpl& c) { c.consumers_->post([&c, pq] { c.consume_orderly(pq); }); });
  });
}

bool PushConsumerImpl::release(const PQ& pq, std::chrono::milliseconds wait) {
  std::unique_lock consuming(pq->consume_lock, std::defer_lock);
  if (orderly_clustering() && !consuming.try_lock_for(wait)) return false;
  int64_t off = pq->committable();
  if (off >= 0) offsets_->update(pq->mq, off, false);
  if (Status s = offsets_->persist(pq->mq, true); !s.is_ok()) {
    instance_->logger().info("consumer ", group_, ": ", s.to_string());
  }
  offsets_->remove(pq->mq);
  // After the offset: the next owner locks the queue and reads it (oneway, as RocketMQ).
  if (orderly_clustering()) unlock_batch(pq->mq.broker_name, {pq->mq}, true);
  return true;
}

void PushConsumerImpl::update_offset(const PQ& pq) {
  if (pq->dropped) return;
  int64_t off = pq->committable();
  if (off >= 0) offsets_->update_if_present(pq->mq, off);
}

void PushConsumerImpl::persist_all(bool sync) {
  if (Status s = offsets_->persist_all(sync); !s.is_ok()) {
    instance_->logger().info("consumer ", group_, ": offset persist: ", s.to_string());
  }
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

internal::PushConsumerImpl& DefaultMQPushConsumer::running(const char* what) {
  if (!impl_) throw MQClientException(client_error::kNotRunning, "consumer " + group_ + ": " + what + " before start()");
  return *impl_;
}

MessageExt DefaultMQPushConsumer::view_message(const std::string& offset_msg_id) {
  return internal::view_message_or_throw(running("view_message").instance(), "consumer " + group_, offset_msg_id);
}

MessageExt DefaultMQPushConsumer::view_message(const std::string& topic, const std::string& msg_id) {
  return internal::view_message_or_throw(running("view_message").instance(), "consumer " + group_, topic, msg_id);
}

QueryResult DefaultMQPushConsumer::query_message(const std::string& topic, const std::string& key, int max_num,
                                                 int64_t begin_ms, int64_t end_ms) {
  return internal::query_message_or_throw(running("query_message").instance(), "consumer " + group_, topic, key,
                                          max_num, begin_ms, end_ms);
}

}  // namespace tern::client
