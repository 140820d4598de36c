// Tern's release version (the plugin ABI version is in plugin.h).
#pragma once

namespace tern {
inline constexpr const char* kTernVersion = "0.1.0";
}  // namespace tern
