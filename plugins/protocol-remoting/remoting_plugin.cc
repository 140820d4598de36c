// The protocol-remoting plugin's entry point: its descriptor, its own keys and create().
// The broker-wide keys it reads (listenPort, bindIP, brokerIP1, namesrvAddr, ...) belong
// to the kernel.
#include <exception>

#include "remoting_protocol_server.h"
#include "tern/plugin.h"

namespace tern::remoting {
namespace {

const ConfigKeySpec kKeys[] = {
    {"frameMaxLength", ConfigType::kInt, "16777216", "1024..1073741824",
     "largest remoting frame accepted (bytes); a bigger one closes the connection", 0},
};

Plugin* create(PluginContext& context) noexcept {
  try {
    return new RemotingProtocolServer(context);
  } catch (const std::exception& e) {
    context.logger.error("cannot create the remoting server: ", e.what());
    return nullptr;
  }
}

}  // namespace

const TernPluginDescriptor kDescriptor = {
    TERN_PLUGIN_ABI_PREFIX,
    PluginKind::kProtocol,
    "protocol-remoting",
    "1.0.0",
    "RocketMQ 4.x remoting: the broker side, and a name server when embeddedNamesrv is on",
    "remoting",
    kKeys,
    sizeof kKeys / sizeof kKeys[0],
    &create,
};

}  // namespace tern::remoting

TERN_PLUGIN_ENTRY(tern::remoting::kDescriptor)
