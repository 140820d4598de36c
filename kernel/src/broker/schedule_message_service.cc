// ScheduleMessageService: the rewrite, the per-level delivery loop, the restart check.
#include "broker/schedule_message_service.h"

#include <pthread.h>

#include <charconv>

#include <boost/asio/post.hpp>

namespace tern::kernel {

struct ScheduleMessageService::Gate {
  std::mutex mu;
  ScheduleMessageService* self = nullptr;  // null once stopped
};

namespace {

constexpr int32_t kReadAhead = 32;                          // schedule-queue entries read per get
constexpr auto kHoldTimeout = std::chrono::seconds(30);      // an idle level re-checks its queue this often
constexpr int64_t kRecheckHorizonMs = 24LL * 3600 * 1000;    // restart check: look this far past now

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string describe(const MessageExt& m) {
  return "schedule message at commit-log offset " + std::to_string(m.commit_log_offset) + " (UNIQ_KEY " +
         std::string(m.property(property::kUniqueClientMessageId)) + ")";
}

}  // namespace

Result<MessageExt> delivered_copy(const MessageExt& parked) {
  std::string_view real_topic = parked.property(property::kRealTopic);
  std::string_view real_qid = parked.property(property::kRealQueueId);
  int32_t queue_id = -1;
  auto [ptr, ec] = std::from_chars(real_qid.data(), real_qid.data() + real_qid.size(), queue_id);
  if (real_topic.empty() || ec != std::errc() || ptr != real_qid.data() + real_qid.size() || queue_id < 0) {
    return Status::invalid_argument(describe(parked) + " has no usable REAL_TOPIC/REAL_QID (\"" +
                                    std::string(real_topic) + "\", \"" + std::string(real_qid) + "\")");
  }
  MessageExt out;
  static_cast<Message&>(out) = static_cast<const Message&>(parked);
  out.topic = std::string(real_topic);
  out.queue_id = queue_id;
  out.clear_property(property::kDelayTimeLevel);
  out.sys_flag = parked.sys_flag;
  out.born_timestamp = parked.born_timestamp;
  out.born_host = parked.born_host;
  out.store_host = parked.store_host;
  out.reconsume_times = parked.reconsume_times;
  return out;
}

ScheduleMessageService::ScheduleMessageService(ScheduleOptions options, PullHoldService& holds, Logger& logger)
    : options_(std::move(options)),
      holds_(holds),
      logger_(logger),
      levels_(DelayLevels::parse(options_.delay_levels)),
      writer_(options_.file, [this] { return snapshot(); }),
      gate_(std::make_shared<Gate>()) {}

ScheduleMessageService::~ScheduleMessageService() { stop(); }

Status ScheduleMessageService::load() {
  if (!levels_.is_ok()) return levels_.status();
  MetadataLoad::Source source = MetadataLoad::Source::kMissing;
  auto loaded = load_metadata_table<DelayOffsetTable>(writer_.path(), decode_delay_offsets_file, logger_, &source);
  if (!loaded) return loaded.status();
  {
    std::lock_guard lock(mutex_);
    offsets_ = std::move(*loaded);
    for (const auto& [level, offset] : offsets_) {
      if (level > levels_->max_level()) {
        // messageDelayLevel got shorter: that queue's messages stay parked (as in RocketMQ).
        logger_.warn("delayOffset.json has level ", level, " but messageDelayLevel has ", levels_->max_level(),
                     " levels: the messages parked in that level are not delivered");
      }
    }
  }
  writer_.mark_loaded();
  logger_.info("delay levels: ", options_.delay_levels, "; offsets loaded from ", writer_.path(),
               source == MetadataLoad::Source::kMissing ? " (no file yet)" : "");
  return Status::ok();
}

bool ScheduleMessageService::rewrite_delayed(MessageExt& message) const {
  if (!levels_.is_ok()) return false;
  int level = message.delay_time_level();
  if (level <= 0) return false;
  int32_t tran = sys_flag::transaction_type(message.sys_flag);
  if (tran != sys_flag::kTransactionNotType && tran != sys_flag::kTransactionCommitType) return false;
  if (level > levels_->max_level()) {
    level = levels_->max_level();
    message.set_property(property::kDelayTimeLevel, std::to_string(level));
  }
  message.set_property(property::kRealTopic, message.topic);
  message.set_property(property::kRealQueueId, std::to_string(message.queue_id));
  message.topic = std::string(topic_names::kSchedule);
  message.queue_id = DelayLevels::queue_id(level);
  return true;
}

void ScheduleMessageService::start(MessageStore* store) {
  if (store == nullptr || !options_.deliver || !levels_.is_ok() || thread_.joinable() || stopped_) return;
  store_ = store;
  {
    std::lock_guard lock(mutex_);
    for (int n = 1; n <= levels_->max_level(); ++n) {
      auto l = std::make_unique<Level>();
      l->level = n;
      auto it = offsets_.find(n);
      l->offset = it == offsets_.end() ? 0 : it->second;
      l->timer = std::make_unique<boost::asio::steady_timer>(io_);
      levels_state_.push_back(std::move(l));
    }
  }
  {
    std::lock_guard lock(gate_->mu);
    gate_->self = this;
  }
  work_.emplace(io_.get_executor());
  post(gate_, [](ScheduleMessageService& s) {
    for (auto& l : s.levels_state_) s.skip_delivered(*l);
    for (auto& l : s.levels_state_) s.process(*l);
  });
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "schedule");
    io_.run();
  });
  logger_.info("delivering ", levels_->max_level(), " delay levels of ", topic_names::kSchedule);
}

void ScheduleMessageService::stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lock(gate_->mu);
    gate_->self = nullptr;
  }
  if (thread_.joinable()) {
    work_.reset();
    io_.stop();
    thread_.join();
    logger_.info("schedule delivery stopped after ", delivered_.load(), " deliveries");
  }
  levels_state_.clear();  // the timers, before the io_context they belong to
}

DelayOffsetTable ScheduleMessageService::offsets() const {
  std::lock_guard lock(mutex_);
  return offsets_;
}

void ScheduleMessageService::post(const std::shared_ptr<Gate>& gate,
                                  std::function<void(ScheduleMessageService&)> task) {
  std::lock_guard lock(gate->mu);
  ScheduleMessageService* self = gate->self;
  if (self == nullptr) return;
  boost::asio::post(self->io_, [gate, task = std::move(task)] {
    ScheduleMessageService* s = nullptr;
    {
      std::lock_guard inner(gate->mu);
      s = gate->self;
    }
    if (s != nullptr) task(*s);
  });
}

void ScheduleMessageService::process(Level& l) {
  l.state = LevelState::kIdle;
  const int32_t queue_id = DelayLevels::queue_id(l.level);
  for (;;) {
    if (l.pending.empty()) {
      GetRequest request;
      request.topic = std::string(topic_names::kSchedule);
      request.queue_id = queue_id;
      request.offset = l.offset;
      request.max_count = kReadAhead;
      GetResult got = store_->get_messages(request);
      switch (got.status) {
        case GetStatus::kFound:
          for (const auto& r : got.records) l.pending.emplace_back(r.queue_offset, r.commit_log_offset);
          if (l.pending.empty()) {
            if (got.next_begin_offset <= l.offset) return hold(l);
            set_offset(l, got.next_begin_offset);
          }
          continue;
        case GetStatus::kOffsetTooSmall:
          logger_.warn("delay level ", l.level, ": offset ", l.offset, " was removed by retention; resuming at ",
                       got.min_offset);
          set_offset(l, got.min_offset);
          continue;
        case GetStatus::kOffsetOverflowBadly:
          // The queue is shorter than the saved offset (a store recovered without its tail).
          logger_.warn("delay level ", l.level, ": offset ", l.offset, " is past the queue's end ", got.max_offset,
                       "; resuming there");
          set_offset(l, got.max_offset);
          continue;
        case GetStatus::kMessageWasRemoving:
        case GetStatus::kOffsetFoundNull:
        case GetStatus::kNoMatchedMessage:
          if (got.next_begin_offset > l.offset) {
            set_offset(l, got.next_begin_offset);
            continue;
          }
          return hold(l);
        case GetStatus::kOffsetOverflowOne:
        case GetStatus::kNoMessageInQueue:
        case GetStatus::kNoMatchedLogicQueue:
          return hold(l);
      }
      return hold(l);
    }
    auto [queue_offset, commit_log_offset] = l.pending.front();
    auto parked = store_->look_message(commit_log_offset);
    if (!parked) {
      logger_.error("delay level ", l.level, ": cannot read the schedule message at commit-log offset ",
                    commit_log_offset, " (", parked.status().to_string(), "); skipping it");
      l.pending.pop_front();
      set_offset(l, queue_offset + 1);
      continue;
    }
    const int64_t now = wall_ms();
    const int64_t due = levels_->due_ms(l.level, parked->store_timestamp, now);
    if (due > now) return wait_until(l, std::chrono::milliseconds(due - now));
    return deliver(l, *parked, queue_offset);
  }
}

void ScheduleMessageService::wait_until(Level& l, std::chrono::milliseconds delay) {
  l.state = LevelState::kTimer;
  l.timer->expires_after(delay);
  const int level = l.level;
  // The handler runs on the delivery thread (the timer is io_'s); after stop() it never runs.
  l.timer->async_wait([this, level](const boost::system::error_code& ec) {
    if (ec) return;
    Level& lv = *levels_state_[static_cast<size_t>(level - 1)];
    if (lv.state == LevelState::kTimer) process(lv);
  });
}

void ScheduleMessageService::hold(Level& l) {
  l.state = LevelState::kHolding;
  const int level = l.level;
  std::shared_ptr<Gate> gate = gate_;
  holds_.hold(topic_names::kSchedule, DelayLevels::queue_id(level), l.offset,
              std::chrono::steady_clock::now() + kHoldTimeout, [gate, level](bool) {
                post(gate, [level](ScheduleMessageService& s) {
                  Level& lv = *s.levels_state_[static_cast<size_t>(level - 1)];
                  if (lv.state == LevelState::kHolding) s.process(lv);
                });
              });
}

void ScheduleMessageService::deliver(Level& l, const MessageExt& parked, int64_t queue_offset) {
  auto copy = delivered_copy(parked);
  if (!copy) {
    logger_.error("delay level ", l.level, ": ", copy.status().message(), "; skipping it");
    l.pending.pop_front();
    set_offset(l, queue_offset + 1);
    return process(l);
  }
  l.state = LevelState::kPutting;
  const int level = l.level;
  std::shared_ptr<Gate> gate = gate_;
  store_->put_message(std::move(*copy), [gate, level, queue_offset](Result<PutResult> result) {
    auto shared = std::make_shared<Result<PutResult>>(std::move(result));
    post(gate, [level, queue_offset, shared](ScheduleMessageService& s) {
      s.on_put(*s.levels_state_[static_cast<size_t>(level - 1)], queue_offset, std::move(*shared));
    });
  });
}

void ScheduleMessageService::on_put(Level& l, int64_t queue_offset, Result<PutResult> result) {
  if (!result.is_ok()) {
    if (result.status().is_invalid_argument()) {
      // The store will never take it (an illegal real topic, ...): dropping it unblocks the level.
      logger_.error("delay level ", l.level, ": the store refused the due message at queue offset ", queue_offset,
                    ": ", result.status().to_string(), "; it is dropped");
    } else {
      logger_.warn("delay level ", l.level, ": delivering queue offset ", queue_offset, " failed (",
                   result.status().to_string(), "); trying again in ", options_.retry_after_failed_put.count(), " ms");
      return wait_until(l, options_.retry_after_failed_put);
    }
  } else {
    ++delivered_;
  }
  if (!l.pending.empty() && l.pending.front().first == queue_offset) l.pending.pop_front();
  set_offset(l, queue_offset + 1);
  process(l);
}

void ScheduleMessageService::set_offset(Level& l, int64_t offset) {
  l.offset = offset;
  {
    std::lock_guard lock(mutex_);
    offsets_[l.level] = offset;
  }
  writer_.mark_dirty();  // written every flushDelayOffsetInterval and at stop
}

void ScheduleMessageService::skip_delivered(Level& l) {
  int64_t skipped = 0;
  for (bool more = true; more;) {
    GetRequest request;
    request.topic = std::string(topic_names::kSchedule);
    request.queue_id = DelayLevels::queue_id(l.level);
    request.offset = l.offset;
    request.max_count = kReadAhead;
    GetResult got = store_->get_messages(request);
    if (got.status != GetStatus::kFound || got.records.empty()) break;
    const int64_t now = wall_ms();
    for (const auto& r : got.records) {
      auto parked = store_->look_message(r.commit_log_offset);
      if (!parked || levels_->due_ms(l.level, parked->store_timestamp, now) > now || !was_delivered(*parked)) {
        more = false;
        break;
      }
      set_offset(l, r.queue_offset + 1);
      ++skipped;
    }
  }
  if (skipped > 0) {
    logger_.warn("delay level ", l.level, ": ", skipped, " message(s) past the saved offset were delivered before ",
                 "the last stop; resuming at offset ", l.offset);
  }
}

bool ScheduleMessageService::was_delivered(const MessageExt& parked) {
  std::string_view key = parked.property(property::kUniqueClientMessageId);
  std::string_view real_topic = parked.property(property::kRealTopic);
  if (key.empty() || real_topic.empty()) return false;
  auto found = store_->query_by_key(real_topic, key, 64, parked.store_timestamp, wall_ms() + kRecheckHorizonMs);
  if (!found) return false;  // no index: at-least-once
  for (const auto& record : found->records) {
    if (record.commit_log_offset <= parked.commit_log_offset) continue;  // an earlier round of a retried message
    auto copy = store_->look_message(record.commit_log_offset);
    if (copy && copy->property(property::kUniqueClientMessageId) == key) return true;
  }
  return false;
}

std::string ScheduleMessageService::snapshot() const {
  DelayOffsetTable copy;
  {
    std::lock_guard lock(mutex_);
    copy = offsets_;
  }
  return encode_delay_offsets_file(copy);
}

}  // namespace tern::kernel
