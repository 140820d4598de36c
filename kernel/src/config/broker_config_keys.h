// The broker's own configuration keys: RocketMQ 4.x's BrokerConfig, MessageStoreConfig
// and NettyServerConfig keys with RocketMQ's defaults, plus Tern's runtime keys (plugins,
// pluginDir, logDir, logLevel, ioThreads). docs/configuration.md lists them for people.
#pragma once

#include <span>
#include <string_view>

#include "tern/config.h"

namespace tern::kernel {

// Every broker key, in the order `mqbroker -p` prints them.
std::span<const ConfigKeySpec> broker_config_keys();

// Older or alternative spellings RocketMQ accepts for a key: {alias, key}.
struct ConfigKeyAlias {
  std::string_view alias;
  std::string_view key;
};
std::span<const ConfigKeyAlias> broker_config_aliases();

}  // namespace tern::kernel
