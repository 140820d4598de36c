// See lite_pull_consumer_impl.h. Why some things are as they are:
//   - the pull loop is a chain of single pulls owned by an epoch instead of a task that
//     polls flags on a timer (RocketMQ reschedules a paused or full queue every 1 s / 50 ms):
//     a loop that stops is restarted by the event that lets it go on (a poll, a resume,
//     a seek), so a resumed queue pulls at once and an idle one costs nothing;
//   - a seek starts a new epoch and a new pull at once, because the old pull may be held
//     by the broker for 20 s; its answer is discarded when it comes;
//   - a queue's consume offset is computed from its buffer (first buffered message, else
//     the pull offset), so it moves exactly when poll() hands messages out, and a seek
//     moves it to the seek offset;
//   - where a new queue starts is computed on the pull thread (it asks the broker), as
//     RocketMQ's pull task does, so assign() never blocks.
#include "lite_pull_consumer_impl.h"

#include <algorithm>

#include "codes.h"
#include "message_util.h"
#include "mq_admin.h"
#include "pull_api_wrapper.h"
#include "rebalance.h"
#include "response_fields.h"

namespace tern::client::internal {

namespace rsp = remoting::response_code;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kBrokerSuspend = 20000ms;  // brokerSuspendMaxTimeMillis
constexpr auto kPullTimeout = 30000ms;    // consumerTimeoutMillisWhenSuspend: longer than the hold
constexpr auto kCallTimeout = 3000ms;
constexpr auto kMinAutoCommitInterval = 1000ms;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string queue_text(const MessageQueue& mq) {
  return mq.topic + "/" + mq.broker_name + "/" + std::to_string(mq.queue_id);
}

}  // namespace

LitePullConsumerImpl::~LitePullConsumerImpl() { shutdown(); }

// --- Lifecycle.

void LitePullConsumerImpl::start(const DefaultLitePullConsumer& config) {
  const std::string who = "lite pull consumer " + group_;
  if (group_.empty()) throw MQClientException(client_error::kNotRunning, "the consumer group is empty");
  if (Status s = check_topic(group_); !s.is_ok()) {
    throw MQClientException(client_error::kNotRunning, who + ": the group name is not valid: " + s.message());
  }
  {
    std::lock_guard lock(mu_);
    if (running_ || shut_down_) {
      throw MQClientException(client_error::kNotRunning, who + " was already started (a consumer starts once)");
    }
  }
  if (config.resolved_namesrv_addr().empty()) {
    throw MQClientException(client_error::kNoNameServerException,
                            who + ": no name server address; call set_namesrv_addr or set NAMESRV_ADDR");
  }
  Settings s;
  s.client = config;
  s.model = config.message_model_;
  s.from_where = config.consume_from_where_;
  s.consume_timestamp = config.consume_timestamp_ != 0 ? config.consume_timestamp_ : now_ms() - 30 * 60 * 1000;
  s.pull_batch = static_cast<size_t>(std::max(1, config.pull_batch_size_));
  s.threshold_for_queue = static_cast<size_t>(std::max(1, config.pull_threshold_for_queue_));
  s.threshold_bytes_for_queue = static_cast<int64_t>(std::max(1, config.pull_threshold_size_for_queue_)) << 20;
  s.threshold_for_all = static_cast<size_t>(std::max<int64_t>(1, config.pull_threshold_for_all_));
  s.pull_delay_on_error = std::max(config.pull_delay_on_error_, 10ms);
  s.auto_commit = config.auto_commit_;
  s.auto_commit_interval = std::max(config.auto_commit_interval_, kMinAutoCommitInterval);
  s.poll_timeout = config.poll_timeout_;
  s.rebalance_interval = std::max(config.rebalance_interval_, 100ms);
  s.persist_interval = std::max(config.persist_interval_, 100ms);
  s.local_offset_dir = config.local_offset_store_dir_;
  settings_ = std::move(s);

  instance_ = MQClientInstance::acquire(settings_.client);
  offsets_ = make_offset_store(settings_.model, *instance_, group_, settings_.local_offset_dir);
  if (Status st = instance_->register_consumer(group_, this); !st.is_ok()) {
    offsets_.reset();
    instance_.reset();
    throw MQClientException(client_error::kNotRunning, st.message());
  }
  control_ = std::make_unique<Executor>(1);
  puller_ = std::make_unique<Executor>(1);
  gate_->open(this);
  for (const std::string& topic : topics_in_use()) {
    auto r = instance_->update_topic_route(topic, kCallTimeout);
    if (!r.is_ok()) instance_->logger().info(who, ": route of ", topic, ": ", r.status().to_string());
  }
  instance_->send_heartbeat_to_all_brokers();
  {
    std::lock_guard lock(mu_);
    running_ = true;
    started_ = true;
    next_auto_commit_ = Clock::now() + settings_.auto_commit_interval;
    for (auto& [mq, pq] : queues_) maybe_pull_locked(pq);  // assigned before start()
  }
  auto control = &LitePullConsumerImpl::on_control;
  gate_->post(control, [](LitePullConsumerImpl& self) { self.rebalance(); });
  std::weak_ptr<Gate> weak = gate_;
  auto periodic = [weak, control](std::function<void(LitePullConsumerImpl&)> task) {
    return [weak, control, task] {
      if (auto g = weak.lock()) g->post(control, task);
    };
  };
  instance_->scheduler().schedule(settings_.rebalance_interval, settings_.rebalance_interval,
                                  periodic([](LitePullConsumerImpl& self) { self.rebalance(); }));
  instance_->scheduler().schedule(settings_.persist_interval, settings_.persist_interval,
                                  periodic([](LitePullConsumerImpl& self) {
                                    if (Status st = self.offsets_->persist_all(false); !st.is_ok()) {
                                      self.instance_->logger().info("lite pull consumer ", self.group_, ": ",
                                                                    st.to_string());
                                    }
                                  }));
  instance_->logger().info(who, " started in client ", instance_->client_id());
}

void LitePullConsumerImpl::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;  // never started, or already shut down
    running_ = false;
    shut_down_ = true;
    // Kafka's close(): with auto commit, what poll() returned is committed.
    if (settings_.auto_commit) commit_to_store_locked();
    for (auto& [mq, pq] : queues_) drop_locked(pq);
  }
  cv_.notify_all();
  gate_->close();
  control_->stop();  // a running rebalance finishes; its new queues are dropped at once
  puller_->stop();
  if (Status s = offsets_->persist_all(true); !s.is_ok()) {
    instance_->logger().warn("lite pull consumer ", group_, ": offsets not persisted at shutdown: ", s.to_string());
  }
  instance_->unregister_consumer(group_, kCallTimeout);
  std::unique_lock wait_for_calls(instance_mu_);
  instance_.reset();
}

void LitePullConsumerImpl::require_running(const char* what) const {
  std::lock_guard lock(mu_);
  if (!running_) {
    throw MQClientException(client_error::kNotRunning, "lite pull consumer " + group_ + ": " + what +
                                                           (shut_down_ ? " after shutdown()" : " before start()"));
  }
}

std::shared_lock<std::shared_mutex> LitePullConsumerImpl::enter(const char* what) const {
  std::shared_lock guard(instance_mu_);
  require_running(what);
  return guard;
}

void LitePullConsumerImpl::throw_status(const std::string& what, const Status& s, const std::string& topic,
                                        const std::string& broker) const {
  throw_client_exception("lite pull consumer " + group_, what, s, topic, broker);
}

// --- Subscriptions and assignment.

void LitePullConsumerImpl::subscribe(const std::string& topic, const MessageSelector& selector) {
  if (Status s = check_topic(topic); !s.is_ok()) {
    throw MQClientException(client_error::kNotRunning, "lite pull consumer " + group_ + ": subscribe: " + s.message(),
                            topic);
  }
  bool running;
  {
    std::lock_guard lock(mu_);
    if (mode_ == Mode::kAssign) {
      throw MQClientException(client_error::kNotRunning,
                              "lite pull consumer " + group_ + ": subscribe(" + topic +
                                  ") after assign(): subscribe and assign are mutually exclusive",
                              topic);
    }
    mode_ = Mode::kSubscribe;
    std::lock_guard sub_lock(sub_mu_);
    subscriptions_.insert_or_assign(topic, SubscriptionData::build(topic, selector, now_ms()));
    running = running_;
  }
  if (!running) return;
  gate_->post(&LitePullConsumerImpl::on_control,
              [topic](LitePullConsumerImpl& c) {
                auto r = c.instance_->update_topic_route(topic, kCallTimeout);
                if (!r.is_ok()) {
                  c.instance_->logger().info("lite pull consumer ", c.group_, ": route of ", topic, ": ",
                                             r.status().to_string());
                }
                c.instance_->send_heartbeat_to_all_brokers();
                c.rebalance_topic(topic);
              });
}

void LitePullConsumerImpl::unsubscribe(const std::string& topic) {
  std::vector<MessageQueue> removed;
  bool running;
  {
    std::lock_guard lock(mu_);
    {
      std::lock_guard sub_lock(sub_mu_);
      subscriptions_.erase(topic);
    }
    removed = remove_queues_locked([&](const MessageQueue& mq) { return mq.topic == topic; });
    running = running_;
  }
  if (!running) return;
  gate_->post(&LitePullConsumerImpl::on_control,
              [removed](LitePullConsumerImpl& c) {
                c.release_queues(removed);
                c.instance_->send_heartbeat_to_all_brokers();
              });
}

void LitePullConsumerImpl::assign(const std::vector<MessageQueue>& queues) {
  const std::string who = "lite pull consumer " + group_;
  if (queues.empty()) throw MQClientException(client_error::kNotRunning, who + ": assign() of no queue");
  std::vector<MessageQueue> removed;
  std::set<std::string> new_topics;
  bool running;
  {
    std::lock_guard lock(mu_);
    if (mode_ == Mode::kSubscribe) {
      throw MQClientException(client_error::kNotRunning,
                              who + ": assign() after subscribe(): subscribe and assign are mutually exclusive",
                              queues.front().topic);
    }
    mode_ = Mode::kAssign;
    const std::set<MessageQueue> wanted(queues.begin(), queues.end());
    removed = remove_queues_locked([&](const MessageQueue& mq) { return !wanted.count(mq); });
    add_queues_locked(wanted);  // pulling starts at start() when not running yet
    for (const auto& mq : wanted) new_topics.insert(mq.topic);
    std::lock_guard sub_lock(sub_mu_);
    assigned_topics_ = new_topics;
    running = running_;
  }
  if (running && !removed.empty()) {
    std::shared_lock guard(instance_mu_);
    if (instance_) release_queues(removed);
  }
}

std::vector<MessageQueue> LitePullConsumerImpl::assignment() const {
  std::lock_guard lock(mu_);
  std::vector<MessageQueue> out;
  for (const auto& [mq, pq] : queues_) out.push_back(mq);
  return out;
}

void LitePullConsumerImpl::release_queues(const std::vector<MessageQueue>& removed) {
  for (const auto& mq : removed) {
    if (Status s = offsets_->persist(mq, true); !s.is_ok()) {
      instance_->logger().info("lite pull consumer ", group_, ": ", s.to_string());
    }
    offsets_->remove(mq);
  }
}

std::vector<std::string> LitePullConsumerImpl::topics_in_use() const {
  std::lock_guard lock(sub_mu_);
  std::vector<std::string> out;
  for (const auto& [topic, sub] : subscriptions_) out.push_back(topic);
  for (const auto& topic : assigned_topics_) out.push_back(topic);
  return out;
}

JsonValue LitePullConsumerImpl::consumer_data() const {
  std::vector<SubscriptionData> subs;
  {
    std::lock_guard lock(sub_mu_);
    for (const auto& [topic, sub] : subscriptions_) subs.push_back(sub);
  }
  return consumer_data_json(group_, ConsumeType::kActively, settings_.model, settings_.from_where, subs);
}

void LitePullConsumerImpl::on_route_changed(const std::string& topic, const TopicRouteData&) {
  {
    std::lock_guard lock(sub_mu_);
    if (!subscriptions_.count(topic)) return;
  }
  gate_->post(&LitePullConsumerImpl::on_control,
              [topic](LitePullConsumerImpl& c) { c.rebalance_topic(topic); });
}

void LitePullConsumerImpl::on_consumer_ids_changed() {
  gate_->post(&LitePullConsumerImpl::on_control,
              [](LitePullConsumerImpl& c) { c.rebalance(); });
}

// --- Rebalance (control thread).

void LitePullConsumerImpl::rebalance() {
  std::vector<std::string> topics;
  {
    std::lock_guard lock(mu_);
    if (!running_ || mode_ != Mode::kSubscribe) return;
    std::lock_guard sub_lock(sub_mu_);
    for (const auto& [topic, sub] : subscriptions_) topics.push_back(topic);
  }
  for (const auto& topic : topics) rebalance_topic(topic);
}

void LitePullConsumerImpl::rebalance_topic(const std::string& topic) {
  auto mine = allocated_queues(*instance_, group_, settings_.model, topic);
  if (!mine) return;
  std::set<MessageQueue> wanted(mine->begin(), mine->end());
  std::vector<MessageQueue> removed;
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    {
      std::lock_guard sub_lock(sub_mu_);
      if (!subscriptions_.count(topic)) return;  // unsubscribed meanwhile
    }
    removed = remove_queues_locked(
        [&](const MessageQueue& mq) { return mq.topic == topic && !wanted.count(mq); });
    add_queues_locked(wanted);
  }
  release_queues(removed);
}

// --- The pull loop.

void LitePullConsumerImpl::drop_locked(const PQ& pq) {
  pq->dropped = true;
  ++pq->epoch;
  pq->pulling = false;
  buffered_ -= pq->reset(pq->pull_offset());
}

std::vector<MessageQueue> LitePullConsumerImpl::remove_queues_locked(
    const std::function<bool(const MessageQueue&)>& leave) {
  std::vector<MessageQueue> removed;
  for (auto it = queues_.begin(); it != queues_.end();) {
    if (leave(it->first)) {
      drop_locked(it->second);
      removed.push_back(it->first);
      it = queues_.erase(it);
    } else {
      ++it;
    }
  }
  return removed;
}

void LitePullConsumerImpl::add_queues_locked(const std::set<MessageQueue>& wanted) {
  for (const auto& mq : wanted) {
    auto& pq = queues_[mq];
    if (pq) continue;
    pq = std::make_shared<ProcessQueue>(mq);
    maybe_pull_locked(pq);
  }
}

void LitePullConsumerImpl::maybe_pull_locked(const PQ& pq) {
  if (!running_ || pq->dropped || pq->paused || pq->pulling) return;
  // Flow control: the loop stops here; a poll that takes messages restarts it.
  if (pq->count() >= settings_.threshold_for_queue || pq->body_bytes() >= settings_.threshold_bytes_for_queue ||
      buffered_ >= settings_.threshold_for_all) {
    return;
  }
  pq->pulling = true;
  const uint64_t epoch = pq->epoch;
  gate_->post(&LitePullConsumerImpl::on_puller,
              [pq, epoch](LitePullConsumerImpl& c) { c.pull(pq, epoch); });
}

void LitePullConsumerImpl::retry_pull_later(const PQ& pq, uint64_t epoch) {
  Gate::post_later(
      instance_->scheduler(), gate_, settings_.pull_delay_on_error,
      &LitePullConsumerImpl::on_puller,
      [pq, epoch](LitePullConsumerImpl& c) { c.pull(pq, epoch); });
}

void LitePullConsumerImpl::pull(const PQ& pq, uint64_t epoch) {
  int64_t offset;
  {
    std::lock_guard lock(mu_);
    if (!running_ || pq->dropped || pq->epoch != epoch) return;  // a newer loop, if any, owns the queue
    offset = pq->pull_offset();
  }
  const MessageQueue& mq = pq->mq();
  const std::string addr = ensure_broker(mq);
  if (addr.empty()) {
    instance_->logger().info("lite pull consumer ", group_, ": no master address of broker ", mq.broker_name,
                             " for ", queue_text(mq));
    retry_pull_later(pq, epoch);
    return;
  }
  if (offset < 0) {
    const int64_t from =
        compute_pull_from_where(*instance_, *offsets_, mq, settings_.from_where, settings_.consume_timestamp);
    std::lock_guard lock(mu_);
    if (!running_ || pq->dropped || pq->epoch != epoch) return;
    if (from < 0) {
      retry_pull_later(pq, epoch);
      return;
    }
    pq->set_pull_offset(from);
    offset = from;
    instance_->logger().info("lite pull consumer ", group_, ": ", queue_text(mq), " starts at offset ", from);
  }
  std::shared_ptr<const SubscriptionData> sub;
  {
    std::lock_guard lock(sub_mu_);
    auto it = subscriptions_.find(mq.topic);
    if (it != subscriptions_.end()) sub = std::make_shared<const SubscriptionData>(it->second);
  }
  if (!sub) {  // assign mode (an unsubscribed topic's queues are dropped already)
    sub = std::make_shared<const SubscriptionData>(SubscriptionData::build(mq.topic, MessageSelector::by_tag("*"), 0));
  }
  auto request = make_pull_request(group_, mq, *sub, offset, static_cast<int>(settings_.pull_batch),
                                   kPullSuspend | kPullSubscription, 0, kBrokerSuspend);
  std::weak_ptr<Gate> weak = gate_;
  instance_->remoting().invoke(
      addr, std::move(request), kPullTimeout, [weak, pq, epoch, offset, sub](Result<remoting::RemotingCommand> r) {
        auto g = weak.lock();
        if (!g) return;
        auto shared = std::make_shared<Result<remoting::RemotingCommand>>(std::move(r));
        g->post(&LitePullConsumerImpl::on_puller,
                [pq, epoch, offset, sub, shared](LitePullConsumerImpl& c) {
                  c.on_pull(pq, epoch, offset, sub, std::move(*shared));
                });
      });
}

void LitePullConsumerImpl::on_pull(const PQ& pq, uint64_t epoch, int64_t offset,
                                   const std::shared_ptr<const SubscriptionData>& sub,
                                   Result<remoting::RemotingCommand> response) {
  Result<PullResult> result =
      response.is_ok() ? process_pull_response(*response, *sub, offset) : Result<PullResult>(response.status());
  std::unique_lock lock(mu_);
  if (!running_ || pq->dropped || pq->epoch != epoch) return;
  if (!result.is_ok()) {
    lock.unlock();
    instance_->logger().info("lite pull consumer ", group_, ": pull of ", queue_text(pq->mq()), " at ", offset,
                             " from broker ", pq->mq().broker_name, ": ", result.status().to_string());
    retry_pull_later(pq, epoch);
    return;
  }
  bool got = false;
  switch (result->status) {
    case PullStatus::kFound:
      got = !result->msgs.empty();
      buffered_ += result->msgs.size();
      pq->put(std::move(result->msgs), result->next_begin_offset);
      break;
    case PullStatus::kOffsetIllegal:
      instance_->logger().warn("lite pull consumer ", group_, ": offset ", offset, " of ", queue_text(pq->mq()),
                               " is not valid (min ", result->min_offset, ", max ", result->max_offset,
                               "); pulling from ", result->next_begin_offset);
      pq->set_pull_offset(result->next_begin_offset);
      break;
    case PullStatus::kNoNewMsg:
    case PullStatus::kNoMatchedMsg:
      pq->set_pull_offset(result->next_begin_offset);
      break;
  }
  pq->pulling = false;
  maybe_pull_locked(pq);
  lock.unlock();
  if (got) cv_.notify_all();
}

// --- Polling and committing.

void LitePullConsumerImpl::take_locked(std::vector<MessageExt>* out) {
  if (queues_.empty()) return;
  auto it = queues_.upper_bound(poll_cursor_);
  size_t taken = 0;
  for (size_t i = 0; i < queues_.size() && out->size() < settings_.pull_batch; ++i, ++it) {
    if (it == queues_.end()) it = queues_.begin();
    const PQ& pq = it->second;
    if (pq->paused || pq->dropped || pq->empty()) continue;
    size_t n = pq->take(settings_.pull_batch - out->size(), out);
    taken += n;
    buffered_ -= n;
    poll_cursor_ = it->first;
  }
  if (taken == 0) return;
  for (auto& [mq, pq] : queues_) maybe_pull_locked(pq);  // restart loops stopped by flow control
}

void LitePullConsumerImpl::commit_to_store_locked() {
  for (const auto& [mq, pq] : queues_) {
    const int64_t offset = pq->consume_offset();
    if (!pq->dropped && offset >= 0) offsets_->update(mq, offset, false);
  }
}

std::vector<MessageExt> LitePullConsumerImpl::poll(std::chrono::milliseconds timeout) {
  if (timeout.count() < 0) {
    throw MQClientException(client_error::kNotRunning, "lite pull consumer " + group_ + ": poll with a negative timeout");
  }
  require_running("poll");
  std::vector<MessageExt> out;
  std::unique_lock lock(mu_);
  if (settings_.auto_commit && Clock::now() >= next_auto_commit_) {
    commit_to_store_locked();  // what earlier polls returned; sent by the periodic persist
    next_auto_commit_ = Clock::now() + settings_.auto_commit_interval;
  }
  const auto deadline = Clock::now() + timeout;
  while (running_) {
    take_locked(&out);
    if (!out.empty() || cv_.wait_until(lock, deadline) == std::cv_status::timeout) break;
  }
  if (out.empty() && running_) take_locked(&out);
  return out;
}

void LitePullConsumerImpl::commit_sync() {
  auto guard = enter("commit_sync");
  std::vector<MessageQueue> queues;
  {
    std::lock_guard lock(mu_);
    commit_to_store_locked();
    for (const auto& [mq, pq] : queues_) queues.push_back(mq);
  }
  if (settings_.model == MessageModel::BROADCASTING) {
    if (Status s = offsets_->persist_all(true); !s.is_ok()) {
      throw MQClientException(client_error::kNotRunning, "lite pull consumer " + group_ + ": commit_sync: " + s.message());
    }
    return;
  }
  Status first;
  MessageQueue failed;
  for (const auto& mq : queues) {
    Status s = offsets_->persist(mq, true);
    if (!s.is_ok() && first.is_ok()) {
      first = s;
      failed = mq;
    }
  }
  if (!first.is_ok()) {
    std::string addr = instance_->find_broker_master(failed.broker_name);
    throw_status("commit_sync", first, failed.topic, addr.empty() ? failed.broker_name : failed.broker_name + "@" + addr);
  }
}

int64_t LitePullConsumerImpl::committed(const MessageQueue& mq) {
  auto guard = enter("committed");
  if (auto memory = offsets_->read_memory(mq)) return *memory;
  if (settings_.model == MessageModel::CLUSTERING) ensure_broker(mq);
  auto stored = offsets_->read_store(mq);
  if (stored.is_ok()) return *stored;
  if (stored.status().is_not_found()) return -1;
  std::string addr = instance_->find_broker_master(mq.broker_name);
  throw_status("committed", stored.status(), mq.topic, addr.empty() ? mq.broker_name : mq.broker_name + "@" + addr);
}

// --- Seeking.

std::string LitePullConsumerImpl::ensure_broker(const MessageQueue& mq) {
  std::string addr = instance_->find_broker_master(mq.broker_name);
  if (addr.empty()) {  // an assigned topic not routed yet, or a broker without a master now
    (void)instance_->update_topic_route(mq.topic, kCallTimeout);
    addr = instance_->find_broker_master(mq.broker_name);
  }
  return addr;
}

int64_t LitePullConsumerImpl::broker_offset(const std::string& what, const MessageQueue& mq,
                                            remoting::RemotingCommand request) {
  ensure_broker(mq);
  std::string broker;
  auto r = invoke_broker_master(*instance_, mq.broker_name, std::move(request), kCallTimeout, &broker);
  if (!r.is_ok()) throw_status(what + " of " + queue_text(mq), r.status(), mq.topic, broker);
  if (r->code != rsp::kSuccess) {
    throw MQBrokerException(r->code, r->remark.value_or(""),
                            "lite pull consumer " + group_ + ": " + what + " of " + queue_text(mq) + ": broker " +
                                broker + " answered code " + std::to_string(r->code) + ": " + r->remark.value_or(""),
                            mq.topic, broker);
  }
  const int64_t offset = ext_int(*r, "offset", -1);
  if (offset < 0) {
    throw MQClientException(client_error::kConnectBrokerException,
                            "lite pull consumer " + group_ + ": " + what + " of " + queue_text(mq) + ": broker " +
                                broker + " answered no offset",
                            mq.topic, broker);
  }
  return offset;
}

void LitePullConsumerImpl::seek_checked(const MessageQueue& mq, int64_t offset, int64_t min, int64_t max) {
  const std::string who = "lite pull consumer " + group_;
  if (offset < min || offset > max) {
    throw MQClientException(client_error::kNotRunning,
                            who + ": seek offset " + std::to_string(offset) + " of " + queue_text(mq) +
                                " is out of range: min offset " + std::to_string(min) + ", max offset " +
                                std::to_string(max),
                            mq.topic);
  }
  {
    std::lock_guard lock(mu_);
    auto it = queues_.find(mq);
    if (running_ && it != queues_.end()) {
      const PQ& pq = it->second;
      ++pq->epoch;  // the pull in flight, if any, is discarded when it answers
      pq->pulling = false;
      buffered_ -= pq->reset(offset);
      maybe_pull_locked(pq);
      return;
    }
  }
  require_running("seek");
  throw_not_assigned("seek", mq);
}

void LitePullConsumerImpl::throw_not_assigned(const char* what, const MessageQueue& mq) const {
  bool subscribe_mode;
  {
    std::lock_guard lock(mu_);
    subscribe_mode = mode_ == Mode::kSubscribe;
  }
  throw MQClientException(client_error::kNotRunning,
                          "lite pull consumer " + group_ + ": " + what + " of " + queue_text(mq) +
                              ": the queue is not assigned to this consumer" +
                              (subscribe_mode ? " (a rebalance may have moved it)" : ""),
                          mq.topic);
}

void LitePullConsumerImpl::seek(const MessageQueue& mq, int64_t offset) {
  auto guard = enter("seek");
  bool assigned;
  {
    std::lock_guard lock(mu_);
    assigned = queues_.count(mq) != 0;
  }
  if (!assigned) throw_not_assigned("seek", mq);
  const int64_t min = broker_offset("GET_MIN_OFFSET", mq, min_offset_request(mq));
  const int64_t max = broker_offset("GET_MAX_OFFSET", mq, max_offset_request(mq));
  seek_checked(mq, offset, min, max);
}

void LitePullConsumerImpl::seek_to_begin(const MessageQueue& mq) {
  auto guard = enter("seek_to_begin");
  const int64_t min = broker_offset("GET_MIN_OFFSET", mq, min_offset_request(mq));
  seek_checked(mq, min, min, min);
}

void LitePullConsumerImpl::seek_to_end(const MessageQueue& mq) {
  auto guard = enter("seek_to_end");
  const int64_t max = broker_offset("GET_MAX_OFFSET", mq, max_offset_request(mq));
  seek_checked(mq, max, max, max);
}

void LitePullConsumerImpl::pause(const std::vector<MessageQueue>& queues, bool paused) {
  {
    std::lock_guard lock(mu_);
    for (const auto& mq : queues) {
      auto it = queues_.find(mq);
      if (it == queues_.end()) continue;
      it->second->paused = paused;
      maybe_pull_locked(it->second);
    }
  }
  if (!paused) cv_.notify_all();  // their buffered messages may be polled now
}

// --- Queries.

std::vector<MessageQueue> LitePullConsumerImpl::fetch_message_queues(const std::string& topic) {
  auto guard = enter("fetch_message_queues");
  auto queues = fetch_subscribe_message_queues(*instance_, topic, kCallTimeout);
  if (!queues.is_ok()) {
    throw MQClientException(client_error::kNotFoundTopicException,
                            "lite pull consumer " + group_ + ": no route info of topic " + topic + ": " +
                                queues.status().message(),
                            topic);
  }
  return *queues;
}

int64_t LitePullConsumerImpl::offset_for_timestamp(const MessageQueue& mq, int64_t timestamp_ms) {
  auto guard = enter("offset_for_timestamp");
  return broker_offset("SEARCH_OFFSET_BY_TIMESTAMP", mq, search_offset_request(mq, timestamp_ms));
}

}  // namespace tern::client::internal

namespace tern::client {

DefaultLitePullConsumer::DefaultLitePullConsumer(std::string consumer_group)
    : group_(std::move(consumer_group)), impl_(std::make_unique<internal::LitePullConsumerImpl>(group_)) {}

DefaultLitePullConsumer::~DefaultLitePullConsumer() { shutdown(); }

void DefaultLitePullConsumer::start() { impl_->start(*this); }
void DefaultLitePullConsumer::shutdown() { impl_->shutdown(); }

void DefaultLitePullConsumer::subscribe(const std::string& topic, const std::string& expression) {
  impl_->subscribe(topic, MessageSelector::by_tag(expression));
}
void DefaultLitePullConsumer::subscribe(const std::string& topic, const MessageSelector& selector) {
  impl_->subscribe(topic, selector);
}
void DefaultLitePullConsumer::unsubscribe(const std::string& topic) { impl_->unsubscribe(topic); }
void DefaultLitePullConsumer::assign(const std::vector<MessageQueue>& queues) { impl_->assign(queues); }
std::vector<MessageQueue> DefaultLitePullConsumer::assignment() const { return impl_->assignment(); }

std::vector<MessageExt> DefaultLitePullConsumer::poll() { return impl_->poll(impl_->poll_timeout()); }
std::vector<MessageExt> DefaultLitePullConsumer::poll(std::chrono::milliseconds timeout) {
  return impl_->poll(timeout);
}

void DefaultLitePullConsumer::seek(const MessageQueue& mq, int64_t offset) { impl_->seek(mq, offset); }
void DefaultLitePullConsumer::seek_to_begin(const MessageQueue& mq) { impl_->seek_to_begin(mq); }
void DefaultLitePullConsumer::seek_to_end(const MessageQueue& mq) { impl_->seek_to_end(mq); }
void DefaultLitePullConsumer::pause(const std::vector<MessageQueue>& queues) { impl_->pause(queues, true); }
void DefaultLitePullConsumer::resume(const std::vector<MessageQueue>& queues) { impl_->pause(queues, false); }

std::vector<MessageQueue> DefaultLitePullConsumer::fetch_message_queues(const std::string& topic) {
  return impl_->fetch_message_queues(topic);
}
int64_t DefaultLitePullConsumer::offset_for_timestamp(const MessageQueue& mq, int64_t timestamp_ms) {
  return impl_->offset_for_timestamp(mq, timestamp_ms);
}
void DefaultLitePullConsumer::commit_sync() { impl_->commit_sync(); }
int64_t DefaultLitePullConsumer::committed(const MessageQueue& mq) { return impl_->committed(mq); }

}  // namespace tern::client
