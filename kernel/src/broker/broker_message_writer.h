// BrokerMessageWriter: the kernel's MessageWriter (tern/broker.h). Today it hands every
// message to the store as it is; the delivery services (delay levels and timers, prepared
// transaction messages) hook in here, so every protocol gets them.
//
// Thread-safety: put_* from any thread; attach/detach from the main thread while no
// protocol plugin runs (PluginHost's start/stop order guarantees it).
#pragma once

#include <atomic>

#include "tern/broker.h"
#include "tern/store.h"

namespace tern::kernel {

class BrokerMessageWriter final : public MessageWriter {
 public:
  // `store` may be null (no store plugin): puts then fail with Unavailable.
  void attach(MessageStore* store) { store_.store(store); }
  void detach() { store_.store(nullptr); }

  void put_message(MessageExt message, PutCallback done) override;
  void put_messages(std::vector<MessageExt> messages, PutCallback done) override;

 private:
  std::atomic<MessageStore*> store_{nullptr};
};

}  // namespace tern::kernel
