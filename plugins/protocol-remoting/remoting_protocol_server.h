// RemotingProtocolServer: the protocol-remoting plugin object. It runs the broker side of
// RocketMQ remoting (RemotingBroker) and, when embeddedNamesrv is on (mqbroker
// --standalone), a name server in the same process, which the broker then registers with.
//
// Thread-safety: start/stop from the kernel's main thread. Connections, timers and
// handlers run on the plugin's own io threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "remoting_broker.h"
#include "name_server.h"
#include "runtime/io_context_pool.h"
#include "tern/protocol.h"

namespace tern::remoting {

class RemotingProtocolServer final : public ProtocolServer {
 public:
  explicit RemotingProtocolServer(PluginContext& context) : context_(context) {}
  ~RemotingProtocolServer() override { stop(); }

  Status start() override;
  void stop() override;
  std::string protocol_name() const override { return "RocketMQ remoting"; }
  std::vector<std::string> listening_addresses() const override;

 private:
  PluginContext& context_;
  // The plugin's own io threads (ioThreads of them): see plugin.h on Asio and plugins.
  std::unique_ptr<kernel::IoContextPool> io_pool_;
  std::unique_ptr<NameServer> name_server_;
  std::unique_ptr<RemotingBroker> broker_;
};

}  // namespace tern::remoting
