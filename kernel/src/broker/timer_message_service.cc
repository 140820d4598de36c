// TimerMessageService: parking timed messages, the restart scan, the delivery thread.
#include "broker/timer_message_service.h"

#include <pthread.h>

#include <algorithm>
#include <latch>

#include "broker/metadata_format.h"
#include "broker/timer_message.h"
#include "tern/topic_config.h"

namespace tern::kernel {
namespace {

using Clock = std::chrono::steady_clock;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int64_t kRetryDelayMs = 1000;     // a failed re-put is tried again after this
constexpr int64_t kRollCheckMs = 1000;      // how often waiting entries are checked for rolling
constexpr int64_t kMaxSleepMs = 1000;       // the thread re-reads the clock at least this often
constexpr int64_t kRollMinLeadMs = 60000;   // an entry due sooner than this is not rolled
constexpr int32_t kScanBatch = 256;         // records per read of the restart scan
constexpr int64_t kFailureLogEveryMs = 10000;

// A read of one timer-topic queue for the restart scan.
GetRequest scan_request(int32_t queue_id, int64_t from) {
  GetRequest req;
  req.topic = std::string(topic_names::kTimer);
  req.queue_id = queue_id;
  req.offset = from;
  req.max_count = kScanBatch;
  req.max_bytes = 64 << 20;
  return req;
}

Status not_started() {
  return Status::unavailable("the timer service is not running (broker starting or stopping); send again");
}

}  // namespace

TimerMessageService::TimerMessageService(TimerMessageOptions options, Logger& logger)
    : options_(std::move(options)), logger_(logger), checkpoint_(options_.checkpoint_file, [this] {
        return snapshot();
      }) {}

TimerMessageService::~TimerMessageService() { stop(); }

// --- parking ---

bool TimerMessageService::try_schedule(MessageExt& message, PutCallback& done) {
  if (message.delay_time_level() > 0) {
    drop_timer_properties(&message);
    return false;
  }
  int64_t now = now_ms();
  auto when = requested_deliver_ms(message, now, options_.max_delay.count());
  if (!when.is_ok()) {
    done(when.status());
    return true;
  }
  if (!*when || **when <= now + kTimerImmediateMs) return false;
  to_timer_entry(&message, **when);
  std::vector<MessageExt> one;
  one.push_back(std::move(message));
  park(std::move(one), {**when}, std::move(done));
  return true;
}

bool TimerMessageService::try_schedule(std::vector<MessageExt>& messages, PutCallback& done) {
  bool delayed = std::any_of(messages.begin(), messages.end(), [](const MessageExt& m) {
    return m.delay_time_level() > 0;
  });
  if (delayed) {  // delay levels win; a batch is never split between the two
    for (MessageExt& m : messages) drop_timer_properties(&m);
    return false;
  }
  int64_t now = now_ms();
  std::vector<int64_t> deliver(messages.size(), now);
  bool timed = false;
  for (size_t i = 0; i < messages.size(); ++i) {
    auto when = requested_deliver_ms(messages[i], now, options_.max_delay.count());
    if (!when.is_ok()) {
      done(Status::invalid_argument("message " + std::to_string(i) + " of the batch: " + when.status().message()));
      return true;
    }
    if (*when && **when > now + kTimerImmediateMs) {
      deliver[i] = **when;
      timed = true;
    }
  }
  if (!timed) return false;
  for (size_t i = 0; i < messages.size(); ++i) to_timer_entry(&messages[i], deliver[i]);
  park(std::move(messages), std::move(deliver), std::move(done));
  return true;
}

void TimerMessageService::park(std::vector<MessageExt> messages, std::vector<int64_t> deliver_ms, PutCallback done) {
  MessageStore* s = store();
  if (s == nullptr) {
    done(not_started());
    return;
  }
  auto stored = [this, deliver_ms = std::move(deliver_ms), done = std::move(done)](Result<PutResult> result) {
    if (result.is_ok()) on_parked(*result, deliver_ms);
    done(std::move(result));
  };
  if (messages.size() == 1) {
    s->put_message(std::move(messages.front()), std::move(stored));
  } else {
    s->put_messages(std::move(messages), std::move(stored));
  }
}

void TimerMessageService::on_parked(const PutResult& result, const std::vector<int64_t>& deliver_ms) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < result.messages.size() && i < deliver_ms.size(); ++i) {
      const AppendedMessage& m = result.messages[i];
      schedule_.add(TimerEntry{m.queue_offset, m.commit_log_offset, deliver_ms[i], result.store_timestamp});
      wake = wake || deliver_ms[i] < sleep_until_ms_;
    }
  }
  if (wake) wake_.notify_one();
}

// --- start, restart scan, stop ---

Status TimerMessageService::start(MessageStore* store) {
  if (store == nullptr || this->store() != nullptr) return Status::ok();
  if (!options_.deliver) {
    logger_.info("timer off on this slave: its master delivers timer messages");
    return Status::ok();
  }
  auto started = Clock::now();
  MetadataLoad::Source source = MetadataLoad::Source::kMissing;
  auto loaded = load_metadata_table<TimerCheckpointFile>(checkpoint_.path(), decode_timer_checkpoint_file, logger_,
                                                         &source);
  TimerCheckpointFile checkpoint;
  bool have_checkpoint = false;
  if (loaded.is_ok()) {
    checkpoint = *loaded;
    have_checkpoint = source != MetadataLoad::Source::kMissing;
  } else if (loaded.status().is_corruption()) {
    logger_.warn(loaded.status().message(), "; the timer reads its whole queue instead (safe, slower)");
  } else {
    return loaded.status();
  }
  checkpoint_.mark_loaded();
  store_.store(store, std::memory_order_release);

  const std::string_view topic = topic_names::kTimer;
  int64_t queue_min = store->min_offset(topic, kTimerQueueId), queue_end = store->max_offset(topic, kTimerQueueId);
  int64_t log_min = store->min_offset(topic, kTimerDoneQueueId), log_end = store->max_offset(topic, kTimerDoneQueueId);
  int64_t from = std::clamp(checkpoint.timer_queue_offset, queue_min, queue_end);
  int64_t log_from = std::clamp(checkpoint.done_log_offset, log_min, log_end);
  if (have_checkpoint && checkpoint.timer_queue_offset < queue_min) {
    logger_.error("timer queue starts at offset ", queue_min, " but the checkpoint says entries from ",
                  checkpoint.timer_queue_offset, " may still wait: retention removed ",
                  queue_min - checkpoint.timer_queue_offset, " entries before they were delivered");
  }
  {
    std::lock_guard lock(mutex_);
    schedule_ = TimerSchedule(from, log_from);
  }
  read_delivery_log(log_from, queue_end);
  read_timer_queue(from, queue_end);

  std::optional<int64_t> next;
  size_t waiting = 0;
  {
    std::lock_guard lock(mutex_);
    next = schedule_.next_deliver_ms();
    waiting = schedule_.waiting();
    stopping_ = false;
  }
  checkpoint_.mark_dirty();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  logger_.info("timer ready in ", ms, " ms: ", waiting, " messages waiting",
               next ? ", next due in " + std::to_string(std::max<int64_t>(0, *next - now_ms())) + " ms" : "",
               " (read timer queue offsets [", from, ", ", queue_end, ") and delivery log [", log_from, ", ", log_end,
               ")", source == MetadataLoad::Source::kMissing ? ", no checkpoint yet" : "", ")");
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "timer");
    run();
  });
  return Status::ok();
}

void TimerMessageService::read_delivery_log(int64_t from, int64_t timer_end) {
  MessageStore* s = store();
  GetRequest req = scan_request(kTimerDoneQueueId, from);
  while (true) {
    GetResult r = s->get_messages(req);
    for (const StoredRecord& rec : r.records) {
      auto m = s->look_message(rec.commit_log_offset);
      auto offsets = m.is_ok() ? decode_timer_done_offsets(m->body) : Result<std::vector<int64_t>>(m.status());
      if (!offsets.is_ok()) {
        logger_.error("timer delivery-log record at queue offset ", rec.queue_offset,
                      " is unreadable (the entries it lists may be delivered again): ", offsets.status().message());
        continue;
      }
      int64_t max_listed = -1;
      std::lock_guard lock(mutex_);
      for (int64_t o : *offsets) {
        if (o >= timer_end) continue;  // not an entry of this queue: ignore rather than trust
        schedule_.finish(o);
        max_listed = std::max(max_listed, o);
      }
      schedule_.logged(rec.queue_offset, max_listed);
    }
    if (r.records.empty() || r.next_begin_offset <= req.offset) break;
    req.offset = r.next_begin_offset;
  }
}

void TimerMessageService::read_timer_queue(int64_t from, int64_t end) {
  MessageStore* s = store();
  GetRequest req = scan_request(kTimerQueueId, from);
  int64_t expected = from;  // offsets the store skipped (holes, removed records) hold nothing to deliver
  size_t unreadable = 0;
  auto skip_to = [&](int64_t offset) {
    std::lock_guard lock(mutex_);
    for (; expected < offset; ++expected) schedule_.finish(expected);
  };
  while (req.offset < end) {
    GetResult r = s->get_messages(req);
    for (const StoredRecord& rec : r.records) {
      if (rec.queue_offset >= end) break;
      skip_to(rec.queue_offset);
      expected = rec.queue_offset + 1;
      {
        std::lock_guard lock(mutex_);
        if (schedule_.is_done(rec.queue_offset)) continue;  // the delivery log lists it: no need to read it
      }
      auto m = s->look_message(rec.commit_log_offset);
      auto due = m.is_ok() ? timer_out_ms(*m) : Result<int64_t>(m.status());
      std::lock_guard lock(mutex_);
      if (!due.is_ok()) {
        if (unreadable++ < 10) {
          logger_.error("timer entry at queue offset ", rec.queue_offset, " cannot be delivered: ",
                        due.status().message());
        }
        schedule_.finish(rec.queue_offset);
        continue;
      }
      schedule_.add(TimerEntry{rec.queue_offset, rec.commit_log_offset, *due, m->store_timestamp});
    }
    if (r.next_begin_offset <= req.offset) break;
    req.offset = r.next_begin_offset;
  }
  skip_to(end);
  if (unreadable > 0) logger_.error(unreadable, " timer entries could not be read and will not be delivered");
}

void TimerMessageService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  store_.store(nullptr, std::memory_order_release);
}

// --- the timer thread ---

void TimerMessageService::run() {
  int64_t next_roll_check = 0;
  const int64_t window = options_.roll_window.count();
  const int64_t lead = std::min(kRollMinLeadMs, window / 2);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    int64_t now = now_ms();
    std::vector<TimerEntry> due = schedule_.take_due(now, kTimerBatch);
    std::vector<TimerEntry> stale;
    if (now >= next_roll_check && due.size() < kTimerBatch) {
      stale = schedule_.take_stale(now - window, now + lead, kTimerBatch - due.size());
      next_roll_check = now + kRollCheckMs;
    }
    if (!due.empty() || !stale.empty()) {
      lock.unlock();
      process(due, stale);
      lock.lock();
      continue;
    }
    int64_t until = std::min(now + kMaxSleepMs, schedule_.next_deliver_ms().value_or(now + kMaxSleepMs));
    if (schedule_.waiting() > 0) until = std::min(until, next_roll_check);
    sleep_until_ms_ = until;
    wake_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(until - now, 0)));
    sleep_until_ms_ = std::numeric_limits<int64_t>::max();
  }
}

void TimerMessageService::process(const std::vector<TimerEntry>& due, const std::vector<TimerEntry>& stale) {
  MessageStore* s = store();
  struct Outcome {
    TimerEntry entry;
    bool roll = false;
    bool dropped = false;  // unreadable: nothing to deliver
    Status status;
  };
  std::vector<Outcome> outcomes(due.size() + stale.size());
  std::latch answered(static_cast<std::ptrdiff_t>(outcomes.size()));
  int64_t now = now_ms();
  for (size_t i = 0; i < outcomes.size(); ++i) {
    Outcome& o = outcomes[i];
    o.roll = i >= due.size();
    o.entry = o.roll ? stale[i - due.size()] : due[i];
    auto entry = s->look_message(o.entry.commit_log_offset);
    Result<MessageExt> out = !entry.is_ok() ? Result<MessageExt>(entry.status())
                             : o.roll       ? Result<MessageExt>(timer_entry_to_roll(*entry))
                                            : timer_entry_to_delivery(*entry, now);
    if (!out.is_ok()) {
      logger_.error("timer entry at queue offset ", o.entry.queue_offset, " (commit-log offset ",
                    o.entry.commit_log_offset, ") cannot be delivered and is dropped: ", out.status().message());
      o.dropped = true;
      answered.count_down();
      continue;
    }
    auto answer = [this, &o, &answered](Result<PutResult> r) {
      if (r.is_ok() && o.roll) on_parked(*r, {o.entry.deliver_ms});
      o.status = r.status();
      answered.count_down();
    };
    s->put_message(std::move(*out), std::move(answer));
  }
  answered.wait();

  std::vector<int64_t> finished;
  size_t failed = 0;
  std::string failure;
  {
    std::lock_guard lock(mutex_);
    for (const Outcome& o : outcomes) {
      if (o.dropped || o.status.is_ok()) {
        schedule_.finish(o.entry.queue_offset);
        finished.push_back(o.entry.queue_offset);
      } else {
        schedule_.retry(o.entry.queue_offset, o.roll ? o.entry.deliver_ms : now_ms() + kRetryDelayMs);
        if (failed++ == 0) failure = o.status.message();
      }
    }
  }
  if (failed > 0 && now_ms() - failures_logged_at_ms_ >= kFailureLogEveryMs) {
    failures_logged_at_ms_ = now_ms();
    logger_.error("timer: ", failed, " re-puts failed (retried in ", kRetryDelayMs, " ms): ", failure);
  }
  if (!finished.empty()) log_finished(finished);
}

void TimerMessageService::log_finished(const std::vector<int64_t>& offsets) {
  MessageExt record;
  record.topic = std::string(topic_names::kTimer);
  record.queue_id = kTimerDoneQueueId;
  record.body = encode_timer_done_offsets(offsets);
  record.born_timestamp = now_ms();
  int64_t max_listed = *std::max_element(offsets.begin(), offsets.end());
  std::latch answered(1);
  Result<PutResult> result = Status::internal("no answer");
  store()->put_message(std::move(record), [&](Result<PutResult> r) {
    result = std::move(r);
    answered.count_down();
  });
  answered.wait();
  if (!result.is_ok() || result->messages.empty()) {
    logger_.warn("timer: cannot store the delivery-log record of ", offsets.size(),
                 " delivered messages (a restart before the checkpoint passes them may deliver them again): ",
                 result.status().message());
    return;
  }
  {
    std::lock_guard lock(mutex_);
    schedule_.logged(result->messages.front().queue_offset, max_listed);
  }
  checkpoint_.mark_dirty();
}

// --- checkpoint ---

std::string TimerMessageService::snapshot() const {
  TimerCheckpointFile file;
  {
    std::lock_guard lock(mutex_);
    file.timer_queue_offset = schedule_.low_watermark();
    file.done_log_offset = schedule_.done_log_watermark();
  }
  return encode_timer_checkpoint_file(file);
}

size_t TimerMessageService::waiting() const {
  std::lock_guard lock(mutex_);
  return schedule_.waiting();
}

int64_t TimerMessageService::low_watermark() const {
  std::lock_guard lock(mutex_);
  return schedule_.low_watermark();
}

}  // namespace tern::kernel
