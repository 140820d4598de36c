// Protocol plugins: a ProtocolServer listens on its own ports (from its config keys) and
// serves clients on the kernel's io pool, calling the store, filters and delivery services
// through KernelServices so that every protocol gets the same semantics.
//
// Thread-safety: start/stop on the main thread; connection handlers on io threads.
#pragma once

#include <string>
#include <vector>

#include "tern/plugin.h"

namespace tern {

class ProtocolServer : public Plugin {
 public:
  // The protocol's name as users know it ("RocketMQ remoting", "MQTT", "AMQP 1.0").
  virtual std::string protocol_name() const = 0;
  // "ip:port" of each socket it listens on; empty before start.
  virtual std::vector<std::string> listening_addresses() const = 0;
};

}  // namespace tern
