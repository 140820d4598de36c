// PluginLoader: opens plugin shared objects (<pluginDir>/<name>.so) with boost.dll and
// checks their descriptor before anything of the plugin runs. It refuses, with a message
// that says why: a missing plugin (listing those available), a file that does not load
// (the loader's own error, e.g. the missing symbol), a shared object that is not a Tern
// plugin, another ABI version or toolchain (naming both sides), and a malformed descriptor.
//
// Thread-safety: const methods are safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tern/plugin.h"
#include "tern/status.h"

namespace boost::dll {
class shared_library;
}

namespace tern::kernel {

// An opened plugin whose descriptor passed every check. The descriptor points into the
// library: it stays valid while `library` is alive.
struct LoadedPlugin {
  std::shared_ptr<boost::dll::shared_library> library;
  const TernPluginDescriptor* descriptor = nullptr;
  std::string path;
};

class PluginLoader {
 public:
  explicit PluginLoader(std::string plugin_dir);

  // Finds and loads <plugin_dir>/<name>.so.
  Result<LoadedPlugin> load(std::string_view name) const;
  // Loads a plugin from a path; its descriptor name must be the file's stem.
  Result<LoadedPlugin> load_file(const std::string& path) const;
  // Names of the *.so files in the plugin directory, sorted.
  std::vector<std::string> available() const;

  const std::string& plugin_dir() const { return plugin_dir_; }

 private:
  std::string plugin_dir_;
};

// The symbol every plugin exports (TERN_PLUGIN_ENTRY).
inline constexpr const char* kPluginEntrySymbol = "tern_plugin_entry";

}  // namespace tern::kernel
