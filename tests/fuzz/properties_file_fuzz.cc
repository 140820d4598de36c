// Fuzzes broker.properties parsing and validation: any bytes must parse or fail with a
// Status, and every parsed entry must validate (with its did-you-mean search) without
// crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/broker_config_keys.h"
#include "config/effective_config.h"
#include "config/properties_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto entries = tern::kernel::parse_properties(text, "fuzz.properties");
  if (!entries.is_ok()) return 0;
  tern::kernel::EffectiveConfig config({{"exeDir", "/x"}, {"hostname", "h"}});
  config.declare(tern::kernel::broker_config_keys(), "", "broker");
  for (const auto& alias : tern::kernel::broker_config_aliases()) config.add_alias(alias.alias, alias.key);
  for (const auto& e : *entries) config.set(e.key, e.value, "fuzz.properties:" + std::to_string(e.line));
  (void)config.problems(tern::kernel::EffectiveConfig::Scope::kBrokerKeys);
  (void)config.problems(tern::kernel::EffectiveConfig::Scope::kPluginKeys);
  (void)config.warnings();
  return 0;
}
