// PushConsumerImpl, orderly listener in CLUSTERING: the broker's queue locks (RocketMQ's
// RebalanceImpl.lock / lockAll / unlockAll and ConsumeMessageOrderlyService's
// tryLockLaterAndReconsume). The rest of the orderly path (consume_orderly, release)
// lives with the consumer in push_consumer_impl.cc; the contract is at the top of
// push_consumer_impl.h.
//
// All of it runs on the control thread (rebalance, lockAll, relock), except what
// shutdown() calls once that thread stopped (the last releases, unlock_all).
#include <algorithm>

#include "codes.h"
#include "lock_batch_body.h"
#include "push_consumer_impl.h"

namespace tern::client::internal {

namespace rc = remoting::request_code;
namespace rsp = remoting::response_code;
using namespace std::chrono_literals;

namespace {

constexpr auto kLockTimeout = 1000ms;        // RocketMQ's lockBatchMQ / unlockBatchMQ timeout
constexpr auto kLockRetryDelay = 1000ms;     // Tern: a refused new queue is asked for again after this
constexpr auto kRelockFailedDelay = 3000ms;  // RocketMQ: consumption retried after a failed relock

std::string name_of(const MessageQueue& mq) {
  return mq.topic + "/" + mq.broker_name + "/" + std::to_string(mq.queue_id);
}

std::map<std::string, std::vector<MessageQueue>> by_broker(const std::vector<MessageQueue>& mqs) {
  std::map<std::string, std::vector<MessageQueue>> out;
  for (const auto& mq : mqs) out[mq.broker_name].push_back(mq);
  return out;
}

}  // namespace

Result<std::set<MessageQueue>> PushConsumerImpl::lock_batch(const std::string& broker_name,
                                                            const std::vector<MessageQueue>& mqs) {
  std::string addr = instance_->find_broker_master(broker_name);
  if (addr.empty()) return Status::not_found("no master address of broker " + broker_name);
  remoting::LockBatchRequest body{group_, instance_->client_id(), false, mqs};
  auto r = instance_->remoting().invoke_sync(
      addr, MQClientInstance::make_request(rc::kLockBatchMq, {}, remoting::encode_lock_batch_request(body)),
      kLockTimeout);
  if (!r.is_ok()) return r.status();
  if (r->code != rsp::kSuccess) {
    return Status::unavailable("LOCK_BATCH_MQ to " + broker_name + "@" + addr + ": code " + std::to_string(r->code) +
                               " " + r->remark.value_or(""));
  }
  auto locked = remoting::decode_lock_batch_response(r->body);
  if (!locked.is_ok())
    return Status::corruption("LOCK_BATCH_MQ from " + broker_name + ": " + locked.status().message());
  return std::set<MessageQueue>(locked->begin(), locked->end());
}

void PushConsumerImpl::unlock_batch(const std::string& broker_name, const std::vector<MessageQueue>& mqs, bool oneway) {
  std::string addr = instance_->find_broker_master(broker_name);
  if (addr.empty() || mqs.empty()) return;
  remoting::LockBatchRequest body{group_, instance_->client_id(), false, mqs};
  auto request = MQClientInstance::make_request(rc::kUnlockBatchMq, {}, remoting::encode_lock_batch_request(body));
  if (oneway) {
    request.flag |= remoting::kFlagOneway;
    instance_->remoting().invoke_oneway(addr, std::move(request), kLockTimeout);
    return;
  }
  auto r = instance_->remoting().invoke_sync(addr, std::move(request), kLockTimeout);
  if (!r.is_ok() || r->code != rsp::kSuccess) {
    instance_->logger().info("consumer ", group_, ": UNLOCK_BATCH_MQ to ", broker_name, ": ",
                             r.is_ok() ? "code " + std::to_string(r->code) : r.status().to_string(),
                             " (the locks expire on the broker)");
  }
}

std::set<MessageQueue> PushConsumerImpl::lock_new_queues(const std::vector<MessageQueue>& mqs) {
  std::set<MessageQueue> granted;
  for (const auto& [broker, qs] : by_broker(mqs)) {
    auto locked = lock_batch(broker, qs);
    if (!locked.is_ok()) {
      instance_->logger().info("consumer ", group_, ": cannot lock queues of ", broker, ": ",
                               locked.status().to_string());
      continue;
    }
    for (const auto& mq : qs) {
      if (locked->count(mq)) {
        granted.insert(mq);
      } else {
        instance_->logger().info("consumer ", group_, ": ", name_of(mq),
                                 " is locked by another member (releasing it, or its lock has not expired); "
                                 "asking again soon");
      }
    }
  }
  return granted;
}

void PushConsumerImpl::schedule_lock_retry(const std::string& topic) {
  if (!lock_retry_topics_.insert(topic).second) return;
  std::weak_ptr<Gate> weak = gate_;
  instance_->scheduler().schedule(std::min(kLockRetryDelay, rebalance_interval_), 0ms, [weak, topic] {
    if (auto g = weak.lock()) {
      via_gate(g, true, [topic](PushConsumerImpl& c) {
        c.lock_retry_topics_.erase(topic);
        c.rebalance_topic(topic);
      });
    }
  });
}

void PushConsumerImpl::lock_all() {
  std::vector<PQ> held;
  {
    std::lock_guard lock(mu_);
    for (const auto& [mq, pq] : queues_) held.push_back(pq);
  }
  for (const auto& [mq, pq] : releasing_) held.push_back(pq);  // still ours until released
  std::map<std::string, std::vector<PQ>> brokers;
  for (const auto& pq : held) brokers[pq->mq.broker_name].push_back(pq);
  for (const auto& [broker, pqs] : brokers) {
    std::vector<MessageQueue> mqs;
    for (const auto& pq : pqs) mqs.push_back(pq->mq);
    auto locked = lock_batch(broker, mqs);
    if (!locked.is_ok()) {
      // Nothing changes: past the client-side lifetime consumption pauses by itself.
      instance_->logger().info("consumer ", group_, ": cannot renew the queue locks on ", broker, ": ",
                               locked.status().to_string());
      continue;
    }
    for (const auto& pq : pqs) {
      if (locked->count(pq->mq)) {
        pq->mark_locked();
      } else if (releasing_.erase(pq->mq) > 0) {
        instance_->logger().warn("consumer ", group_, ": ", name_of(pq->mq),
                                 " passed to another member before its release");
      } else {
        drop_lost(pq);
      }
    }
  }
}

void PushConsumerImpl::unlock_all() {
  std::vector<MessageQueue> mqs;
  {
    std::lock_guard lock(mu_);
    for (const auto& [mq, pq] : queues_) mqs.push_back(mq);
  }
  for (const auto& [broker, qs] : by_broker(mqs)) unlock_batch(broker, qs, false);
}

bool PushConsumerImpl::lock_usable(const ProcessQueue& pq) const {
  return pq.locked && pq.lock_age_ms() <= lock_max_live_.count();
}

void PushConsumerImpl::try_lock_later(const PQ& pq, std::chrono::milliseconds delay) {
  std::weak_ptr<Gate> weak = gate_;
  instance_->scheduler().schedule(delay, 0ms, [weak, pq] {
    if (auto g = weak.lock()) via_gate(g, true, [pq](PushConsumerImpl& c) { c.relock(pq); });
  });
}

void PushConsumerImpl::relock(const PQ& pq) {
  if (pq->dropped) return;
  auto locked = lock_batch(pq->mq.broker_name, {pq->mq});
  if (!locked.is_ok()) {
    instance_->logger().info("consumer ", group_, ": cannot lock ", name_of(pq->mq), ": ", locked.status().to_string());
    schedule_consume_orderly(pq, kRelockFailedDelay);  // which asks again while the lock is lapsed
    return;
  }
  if (!locked->count(pq->mq)) {
    drop_lost(pq);
    return;
  }
  pq->mark_locked();
  consumers_->post([this, pq] { consume_orderly(pq); });
}

void PushConsumerImpl::drop_lost(const PQ& pq) {
  pq->locked = false;
  pq->dropped = true;
  bool current = false;
  {
    std::lock_guard lock(mu_);
    auto it = queues_.find(pq->mq);
    current = it != queues_.end() && it->second == pq;
    if (current) queues_.erase(it);
  }
  if (current) offsets_->remove(pq->mq);  // the new owner's offset counts, not this one's
  instance_->logger().warn("consumer ", group_, ": the broker gave ", name_of(pq->mq),
                           " to another member (this client's lock was not renewed in time); it stops consuming it");
  schedule_lock_retry(pq->mq.topic);
}

void PushConsumerImpl::finish_releases() {
  for (auto it = releasing_.begin(); it != releasing_.end();) {
    if (release(it->second, 0ms)) {
      it = releasing_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace tern::client::internal
