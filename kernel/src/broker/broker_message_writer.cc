#include "broker/broker_message_writer.h"

#include <utility>

namespace tern::kernel {
namespace {

Status no_store() {
  return Status::unavailable("this broker has no message store running (no store plugin loaded, or shutting down)");
}

}  // namespace

void BrokerMessageWriter::put_message(MessageExt message, PutCallback done) {
  MessageStore* store = store_.load();
  if (store == nullptr) {
    done(no_store());
    return;
  }
  TimerMessageService* timers = timers_.load();
  if (timers != nullptr && timers->try_schedule(message, done)) return;
  store->put_message(std::move(message), std::move(done));
}

void BrokerMessageWriter::put_messages(std::vector<MessageExt> messages, PutCallback done) {
  MessageStore* store = store_.load();
  if (store == nullptr) {
    done(no_store());
    return;
  }
  TimerMessageService* timers = timers_.load();
  if (timers != nullptr && timers->try_schedule(messages, done)) return;
  store->put_messages(std::move(messages), std::move(done));
}

}  // namespace tern::kernel
