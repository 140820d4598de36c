// BrokerRegistrar: keeps the broker registered with every name server of namesrvAddr:
// REGISTER_BROKER with the topic table every registerNameServerPeriod (30 s), at once when
// the topic table changes, and UNREGISTER_BROKER at stop. A name server that cannot be
// reached is logged (naming it) and tried again next period; the others are unaffected.
//
// Thread-safety: trigger() from any thread; start/stop from the owner.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker_context.h"
#include "remoting_client.h"

namespace tern::remoting {

struct RegistrarOptions {
  std::vector<std::string> name_servers;  // "host:port"
  std::chrono::milliseconds period{30000};
  std::chrono::milliseconds timeout{6000};
  std::string ha_server_address;  // "ip:haListenPort"
};

class BrokerRegistrar {
 public:
  BrokerRegistrar(const BrokerContext& context, RegistrarOptions options, RemotingClient& client);
  ~BrokerRegistrar();  // stop()

  // Registers once synchronously (so routes exist when start-up is reported), then keeps
  // registering on its own thread.
  void start();
  // Registers again soon (the topic table changed).
  void trigger();
  // Unregisters from every name server and stops the thread. Idempotent.
  void stop();

  // Registers with every name server now; the number that accepted.
  size_t register_all();

 private:
  void loop();
  RemotingCommand make_request(int32_t code) const;

  const BrokerContext& ctx_;
  RegistrarOptions options_;
  RemotingClient& client_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool triggered_ = false;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::thread thread_;
  std::vector<std::string> failing_;  // name servers whose last registration failed; loop thread only
};

}  // namespace tern::remoting
