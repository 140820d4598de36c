// BrokerMessageWriter: the kernel's MessageWriter (tern/broker.h). A message with a delay
// level is parked in SCHEDULE_TOPIC_XXXX (ScheduleMessageService::rewrite_delayed, as
// RocketMQ's CommitLog.putMessage does); everything else goes to the store as it is.
// Further delivery services (timers, prepared transaction messages) hook in here too.
//
// Thread-safety: put_* from any thread; attach/detach from the main thread while no
// protocol plugin runs (PluginHost's start/stop order guarantees it).
#pragma once

#include <atomic>

#include "tern/broker.h"
#include "tern/store.h"

namespace tern::kernel {

class ScheduleMessageService;

class BrokerMessageWriter final : public MessageWriter {
 public:
  // `schedule` (may be null: delay levels are then stored as plain messages) must outlive
  // this writer.
  explicit BrokerMessageWriter(const ScheduleMessageService* schedule = nullptr) : schedule_(schedule) {}

  // `store` may be null (no store plugin): puts then fail with Unavailable.
  void attach(MessageStore* store) { store_.store(store); }
  void detach() { store_.store(nullptr); }

  void put_message(MessageExt message, PutCallback done) override;
  // A batch carrying a delay level is refused with InvalidArgument (RocketMQ's
  // MESSAGE_ILLEGAL for a batch): batches are stored as they are.
  void put_messages(std::vector<MessageExt> messages, PutCallback done) override;

 private:
  const ScheduleMessageService* const schedule_;
  std::atomic<MessageStore*> store_{nullptr};
};

}  // namespace tern::kernel
