// TransactionalMessageService (contract in transactional_message_service.h).
#include "broker/transactional_message_service.h"

#include <pthread.h>

#include <charconv>
#include <future>
#include <utility>

#include "tern/topic_config.h"

namespace tern::kernel {
namespace {

constexpr std::string_view kOpTag = "d";  // RocketMQ's TransactionalMessageUtil.REMOVETAG
const std::string kHalfTopic(topic_names::kTransactionHalf);
const std::string kOpTopic(topic_names::kTransactionOpHalf);

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A non-negative integer property, or `fallback` when absent or malformed.
int64_t int_property(const Message& m, std::string_view name, int64_t fallback) {
  std::string_view v = m.property(name);
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || out < 0) return fallback;
  return out;
}

// "group G, topic T, msgId U" for the log.
std::string describe(const MessageExt& half) {
  return "group " + std::string(half.property(property::kProducerGroup)) + ", topic " +
         std::string(half.property(property::kRealTopic)) + ", msgId " +
         std::string(half.property(property::kUniqueClientMessageId));
}

}  // namespace

TransactionalMessageService::TransactionalMessageService(TransactionOptions options, ConsumerOffsets& offsets,
                                                         ClientRegistry& clients, MessageWriter& writer,
                                                         Logger& logger)
    : options_(options), offsets_(offsets), clients_(clients), writer_(writer), logger_(logger) {}

TransactionalMessageService::~TransactionalMessageService() { stop(); }

bool TransactionalMessageService::is_prepared(const MessageExt& message) {
  return message.property(property::kTransactionPrepared) == "true" ||
         sys_flag::transaction_type(message.sys_flag) == sys_flag::kTransactionPreparedType;
}

Status TransactionalMessageService::to_half(MessageExt& message) const {
  if (options_.reject) {
    return Status::permission_denied("the broker refuses transaction messages (rejectTransactionMessage=true); "
                                     "the prepared message to topic " + message.topic + " was not stored");
  }
  if (message.property(property::kProducerGroup).empty()) {
    return Status::invalid_argument("a prepared message to topic " + message.topic +
                                    " must name its producer group (property PGROUP) for the check-back");
  }
  message.set_property(property::kRealTopic, message.topic);
  message.set_property(property::kRealQueueId, std::to_string(message.queue_id));
  message.set_property(property::kTransactionPrepared, "true");
  message.sys_flag = (message.sys_flag & ~sys_flag::kTransactionTypeMask) | sys_flag::kTransactionNotType;
  message.topic = kHalfTopic;
  message.queue_id = 0;
  return Status::ok();
}

// --- Start, stop and the check thread.

void TransactionalMessageService::start(MessageStore* store) {
  store_.store(store);
  if (store == nullptr) return;
  int64_t progress = offsets_.query(kTransactionCheckGroup, kHalfTopic, 0).value_or(0);
  // What ended since the progress: the op queue from its own progress (see check_once).
  std::set<int64_t> done;
  int64_t op = offsets_.query(kTransactionCheckGroup, kOpTopic, 0).value_or(0);
  const int64_t op_max = store->max_offset(kOpTopic, 0);
  while (op < op_max) {
    GetResult r = store->get_messages(GetRequest{kOpTopic, 0, op, 256, 64 << 20, nullptr});
    if (r.status != GetStatus::kFound) {
      if (r.next_begin_offset <= op) break;
      op = r.next_begin_offset;  // retention removed the start
      continue;
    }
    for (const auto& rec : r.records) {
      auto m = store->look_message(rec.commit_log_offset);
      if (!m.is_ok()) continue;
      int64_t offset = -1;
      auto [end, ec] = std::from_chars(m->body.data(), m->body.data() + m->body.size(), offset);
      if (ec == std::errc() && end == m->body.data() + m->body.size() && offset >= progress) done.insert(offset);
    }
    op = r.next_begin_offset;
  }
  const size_t ended = done.size();
  {
    std::lock_guard lock(mu_);
    progress_ = progress;
    done_ = std::move(done);
    stopping_ = false;
  }
  logger_.info("transactions: half messages checked from queue offset ", progress, ", ", ended,
               " ended beyond it; check-back every ", options_.check_interval.count(), " ms after ",
               options_.timeout.count(), " ms, up to ", options_.check_max, " times");
  if (options_.check) {
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "tx-check");
      run();
    });
  }
}

void TransactionalMessageService::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  store_.store(nullptr);
}

void TransactionalMessageService::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.check_interval, [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    check_once();
    lock.lock();
  }
}

void TransactionalMessageService::check_once() {
  std::lock_guard pass(check_mu_);
  MessageStore* store = store_.load();
  if (store == nullptr) return;
  const int64_t now = wall_clock_ms();
  const int64_t max = store->max_offset(kHalfTopic, 0);
  // Captured before looking at done_: every op written later is kept (see below).
  const int64_t op_max = store->max_offset(kOpTopic, 0);
  int64_t offset;
  {
    std::lock_guard lock(mu_);
    offset = progress_;
  }
  bool walking = true;
  while (walking && offset < max) {
    GetResult r = store->get_messages(GetRequest{kHalfTopic, 0, offset, 32, 64 << 20, nullptr});
    if (r.status != GetStatus::kFound) {
      if (r.next_begin_offset > offset) {  // retention removed the start: those are gone
        offset = r.next_begin_offset;
        continue;
      }
      break;
    }
    for (const auto& rec : r.records) {
      {
        std::lock_guard lock(mu_);
        if (done_.count(rec.queue_offset) != 0) {
          offset = rec.queue_offset + 1;
          continue;
        }
      }
      auto half = store->look_message(rec.commit_log_offset);
      if (!half.is_ok()) {  // removed meanwhile
        offset = rec.queue_offset + 1;
        continue;
      }
      if (!check_one(*store, *half, now)) {
        walking = false;
        break;
      }
      offset = rec.queue_offset + 1;
    }
    if (walking && r.next_begin_offset > offset) offset = r.next_begin_offset;
  }
  bool none_pending;
  {
    std::lock_guard lock(mu_);
    progress_ = std::max(progress_, offset);
    done_.erase(done_.begin(), done_.lower_bound(progress_));
    none_pending = done_.empty();
  }
  offsets_.commit(kTransactionCheckGroup, kHalfTopic, 0, offset);
  // With nothing ended beyond the progress, the ops read so far are needed no more.
  if (none_pending) offsets_.commit(kTransactionCheckGroup, kOpTopic, 0, op_max);
}

bool TransactionalMessageService::check_one(MessageStore& store, const MessageExt& half, int64_t now_ms) {
  const int64_t times = int_property(half, property::kTransactionCheckTimes, 0);
  if (times >= options_.check_max) {
    if (!mark_done(half.queue_offset)) return true;
    logger_.warn("transactions: dropping the half message of ", describe(half), " after ", times,
                 " check-backs without an outcome (transactionCheckMax)");
    write_op(store, half.queue_offset, half);
    return true;
  }
  const int64_t immunity_ms = int_property(half, property::kCheckImmunityTimeInSeconds, -1);
  const int64_t wait_ms = immunity_ms >= 0 ? immunity_ms * 1000 : options_.timeout.count();
  if (now_ms - half.store_timestamp < wait_ms) return false;  // the rest are younger still
  if (!mark_done(half.queue_offset)) return true;  // ended just now

  // A new copy carries the count; the check names it, so its answer ends the transaction.
  MessageExt copy = half;
  copy.set_property(property::kTransactionCheckTimes, std::to_string(times + 1));
  std::promise<Result<PutResult>> stored;
  store.put_message(copy, [&stored](Result<PutResult> r) { stored.set_value(std::move(r)); });
  Result<PutResult> put = stored.get_future().get();
  if (!put.is_ok() || put->messages.empty()) {
    unmark_done(half.queue_offset);
    logger_.error("transactions: cannot store the checked copy of the half message of ", describe(half), ": ",
                  put.is_ok() ? "no message stored" : put.status().message(), "; will retry");
    return false;
  }
  write_op(store, half.queue_offset, half);
  const AppendedMessage& at = put->messages.front();
  copy.queue_offset = at.queue_offset;
  copy.commit_log_offset = at.commit_log_offset;
  copy.msg_id = at.msg_id;
  copy.store_timestamp = put->store_timestamp;
  copy.topic = std::string(half.property(property::kRealTopic));
  copy.queue_id = static_cast<int32_t>(int_property(half, property::kRealQueueId, 0));
  const std::string group(half.property(property::kProducerGroup));
  if (auto channel = clients_.any_producer_channel(group)) {
    logger_.info("transactions: checking back the half message of ", describe(half), " (check ", times + 1, " of ",
                 options_.check_max, ") with ", channel->remote_address());
    channel->check_transaction_state(group, copy);
  } else {
    logger_.info("transactions: no producer of group ", group, " online to check back the half message of ",
                 describe(half), " (check ", times + 1, " of ", options_.check_max, ")");
  }
  return true;
}

bool TransactionalMessageService::mark_done(int64_t half_offset) {
  std::lock_guard lock(mu_);
  if (half_offset < progress_) return false;
  return done_.insert(half_offset).second;
}

void TransactionalMessageService::unmark_done(int64_t half_offset) {
  std::lock_guard lock(mu_);
  done_.erase(half_offset);
}

void TransactionalMessageService::write_op(MessageStore& store, int64_t half_offset, const MessageExt& half) {
  MessageExt op;
  op.topic = kOpTopic;
  op.queue_id = 0;
  op.body = std::to_string(half_offset);
  op.set_tags(std::string(kOpTag));
  op.set_property(property::kWaitStoreMsgOk, "false");
  op.born_timestamp = wall_clock_ms();
  op.born_host = half.store_host;
  op.store_host = half.store_host;
  store.put_message(std::move(op), [this, half_offset](Result<PutResult> r) {
    if (!r.is_ok()) {
      logger_.error("transactions: cannot record the end of the half message at queue offset ", half_offset, ": ",
                    r.status().message(), " (after a restart it may be checked back again)");
    }
  });
}

// --- END_TRANSACTION.

void TransactionalMessageService::end_transaction(EndTransactionRequest request, std::function<void(Status)> done) {
  MessageStore* store = store_.load();
  if (store == nullptr) {
    done(Status::unavailable("this broker has no message store running; transaction of msgId " + request.msg_id +
                             " not ended"));
    return;
  }
  auto half = store->look_message(request.commit_log_offset);
  if (!half.is_ok() || half->topic != kHalfTopic) {
    done(Status::not_found("no half message at commit-log offset " + std::to_string(request.commit_log_offset) +
                           " (msgId " + request.msg_id + ", producer group " + request.producer_group + ")"));
    return;
  }
  if (half->property(property::kProducerGroup) != request.producer_group) {
    done(Status::invalid_argument("the half message at commit-log offset " +
                                  std::to_string(request.commit_log_offset) + " belongs to producer group " +
                                  std::string(half->property(property::kProducerGroup)) + ", not " +
                                  request.producer_group));
    return;
  }
  if (half->queue_offset != request.tran_state_table_offset) {
    done(Status::invalid_argument("the half message at commit-log offset " +
                                  std::to_string(request.commit_log_offset) + " has queue offset " +
                                  std::to_string(half->queue_offset) + ", not tranStateTableOffset " +
                                  std::to_string(request.tran_state_table_offset)));
    return;
  }
  if (request.outcome == EndTransactionRequest::Outcome::kUnknown) {
    done(Status::ok());  // the check-back goes on
    return;
  }
  if (!mark_done(half->queue_offset)) {
    done(Status::not_found("the transaction of " + describe(*half) +
                           " already ended, or was checked back since (the answer to the check ends it)"));
    return;
  }
  if (request.outcome == EndTransactionRequest::Outcome::kRollback) {
    write_op(*store, half->queue_offset, *half);
    done(Status::ok());
    return;
  }
  MessageExt commit = *half;
  commit.topic = std::string(half->property(property::kRealTopic));
  commit.queue_id = static_cast<int32_t>(int_property(*half, property::kRealQueueId, 0));
  commit.clear_property(property::kRealTopic);
  commit.clear_property(property::kRealQueueId);
  commit.clear_property(property::kTransactionPrepared);
  commit.clear_property(property::kTransactionCheckTimes);
  commit.sys_flag = (half->sys_flag & ~sys_flag::kTransactionTypeMask) | sys_flag::kTransactionCommitType;
  commit.prepared_transaction_offset = request.commit_log_offset;
  const int64_t half_offset = half->queue_offset;
  writer_.put_message(std::move(commit), [this, store, half = std::move(*half), half_offset,
                                          done = std::move(done)](Result<PutResult> r) {
    if (!r.is_ok()) {
      unmark_done(half_offset);
      done(r.status().with_context("commit of the transaction of " + describe(half)));
      return;
    }
    write_op(*store, half_offset, half);
    done(Status::ok());
  });
}

}  // namespace tern::kernel
