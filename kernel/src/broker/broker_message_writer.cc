#include "broker/broker_message_writer.h"

#include <utility>

#include "broker/schedule_message_service.h"
#include "broker/transactional_message_service.h"

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
  const TransactionalMessageService* transactions = transactions_.load();
  if (transactions != nullptr && TransactionalMessageService::is_prepared(message)) {
    if (Status s = transactions->to_half(message); !s.is_ok()) {
      done(std::move(s));
      return;
    }
    store->put_message(std::move(message), std::move(done));
    return;
  }
  TimerMessageService* timers = timers_.load();
  if (timers != nullptr && timers->try_schedule(message, done)) return;
  if (schedule_ != nullptr) schedule_->rewrite_delayed(message);
  store->put_message(std::move(message), std::move(done));
}

void BrokerMessageWriter::put_messages(std::vector<MessageExt> messages, PutCallback done) {
  MessageStore* store = store_.load();
  if (store == nullptr) {
    done(no_store());
    return;
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    if (TransactionalMessageService::is_prepared(messages[i])) {
      done(Status::invalid_argument("message " + std::to_string(i) + " of a batch to topic " + messages[i].topic +
                                    " is a prepared transaction message; batches cannot be transactional"));
      return;
    }
    if (messages[i].delay_time_level() > 0) {
      done(Status::invalid_argument("message " + std::to_string(i) + " of a batch to topic " + messages[i].topic +
                                    " has a delay level (DELAY=" + std::string(messages[i].property(
                                                                        property::kDelayTimeLevel)) +
                                    "); batches cannot be delayed, send it alone"));
      return;
    }
  }
  TimerMessageService* timers = timers_.load();
  if (timers != nullptr && timers->try_schedule(messages, done)) return;
  store->put_messages(std::move(messages), std::move(done));
}

}  // namespace tern::kernel
