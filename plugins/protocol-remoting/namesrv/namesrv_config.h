// The name server's configuration keys: RocketMQ's NamesrvConfig and NettyServerConfig
// keys (those Tern does not use are declared kNoEffect, so an existing namesrv.properties
// loads with a warning for them), plus Tern's bindIP and brokerExpiredTime.
// docs/configuration.md lists them for people. Declared by `mqnamesrv`, and available to
// whoever embeds a NameServer (mqbroker --standalone) to declare under its own prefix.
//
// Thread-safety: constant data and pure functions.
#pragma once

#include <span>
#include <string_view>

#include "name_server.h"
#include "tern/config.h"

namespace tern::remoting {

// Every name-server key, in the order `mqnamesrv -p` prints them.
std::span<const ConfigKeySpec> namesrv_config_keys();

// Other spellings of a key: RocketMQ 5's NettyServerConfig calls bindIP bindAddress.
struct NamesrvKeyAlias {
  std::string_view alias;
  std::string_view key;
};
std::span<const NamesrvKeyAlias> namesrv_config_aliases();

// NameServerOptions from the keys above, already validated against their specs (the
// ConfigView's owner does that). config_properties is left empty for the caller to fill.
NameServerOptions name_server_options_from(const ConfigView& config);

}  // namespace tern::remoting
