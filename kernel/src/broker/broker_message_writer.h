// BrokerMessageWriter: the kernel's MessageWriter (tern/broker.h). The delivery services
// hook in here, so every protocol gets them: a timer message goes to TimerMessageService
// (which parks it until due; it leaves messages with a delay level alone: the level wins);
// a message with a delay level is parked in SCHEDULE_TOPIC_XXXX
// (ScheduleMessageService::rewrite_delayed, as RocketMQ's CommitLog.putMessage does);
// anything else is handed to the store as it is. A prepared transaction message comes
// first: it becomes a half message (TransactionalMessageService::to_half) and neither its
// timer nor its delay level applies until it is committed (then the commit comes here).
//
// Thread-safety: put_* from any thread; attach/detach from the main thread while no
// protocol plugin runs (PluginHost's start/stop order guarantees it).
#pragma once

#include <atomic>

#include "broker/timer_message_service.h"
#include "tern/broker.h"
#include "tern/store.h"

namespace tern::kernel {

class ScheduleMessageService;
class TransactionalMessageService;

class BrokerMessageWriter final : public MessageWriter {
 public:
  // `schedule` (may be null: delay levels are then stored as plain messages) must outlive
  // this writer.
  explicit BrokerMessageWriter(const ScheduleMessageService* schedule = nullptr) : schedule_(schedule) {}

  // `store` may be null (no store plugin): puts then fail with Unavailable. `timers` (may
  // be null: timer properties are then stored as they are) must be started. With
  // `transactions` null, prepared messages are stored as they are.
  void attach(MessageStore* store, TimerMessageService* timers = nullptr,
              const TransactionalMessageService* transactions = nullptr) {
    timers_.store(timers);
    transactions_.store(transactions);
    store_.store(store);
  }
  void detach() {
    store_.store(nullptr);
    timers_.store(nullptr);
    transactions_.store(nullptr);
  }

  void put_message(MessageExt message, PutCallback done) override;
  // A batch carrying a delay level or a prepared message is refused with InvalidArgument
  // (RocketMQ's MESSAGE_ILLEGAL for a batch): batches are stored as they are.
  void put_messages(std::vector<MessageExt> messages, PutCallback done) override;

 private:
  const ScheduleMessageService* const schedule_;
  std::atomic<MessageStore*> store_{nullptr};
  std::atomic<TimerMessageService*> timers_{nullptr};
  std::atomic<const TransactionalMessageService*> transactions_{nullptr};
};

}  // namespace tern::kernel
