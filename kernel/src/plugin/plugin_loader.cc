// PluginLoader: the checks run in order of what is safe to read. The stable prefix of the
// descriptor (ABI version, size, fingerprint) keeps its layout across versions, so it is
// read first; nothing else of a plugin built for another ABI is touched.
#include "plugin/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <boost/dll/shared_library.hpp>

namespace tern::kernel {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

bool is_empty(const char* s) { return s == nullptr || *s == '\0'; }

Status check_descriptor(const TernPluginDescriptor& d, const std::string& path, const std::string& stem) {
  const std::string who = "plugin " + path;
  if (d.abi_version != kPluginAbiVersion) {
    return Status::not_supported(who + " was built for plugin ABI version " + std::to_string(d.abi_version) +
                                 ", but this broker provides plugin ABI version " + std::to_string(kPluginAbiVersion) +
                                 "; rebuild the plugin against this broker's headers");
  }
  if (d.descriptor_size != sizeof(TernPluginDescriptor)) {
    return Status::not_supported(who + " has a descriptor of " + std::to_string(d.descriptor_size) +
                                 " bytes, but this broker's is " + std::to_string(sizeof(TernPluginDescriptor)) +
                                 " bytes for the same ABI version; rebuild the plugin against this broker's headers");
  }
  if (is_empty(d.build_fingerprint) || std::strcmp(d.build_fingerprint, TERN_BUILD_FINGERPRINT) != 0) {
    return Status::not_supported(who + " was built with toolchain '" +
                                 std::string(d.build_fingerprint ? d.build_fingerprint : "") + "', but this broker with '" +
                                 TERN_BUILD_FINGERPRINT + "'; rebuild it with the same C++ standard library");
  }
  auto kind = static_cast<uint32_t>(d.kind);
  if (kind < static_cast<uint32_t>(PluginKind::kProtocol) || kind > static_cast<uint32_t>(PluginKind::kHa)) {
    return Status::invalid_argument(who + " declares unknown plugin kind " + std::to_string(kind));
  }
  if (is_empty(d.name) || is_empty(d.version) || d.create == nullptr || d.config_prefix == nullptr ||
      (d.config_key_count > 0 && d.config_keys == nullptr)) {
    return Status::invalid_argument(who + " has an incomplete descriptor (name, version, create or config keys missing)");
  }
  if (stem != d.name) {
    return Status::invalid_argument(who + " declares the name '" + d.name + "'; a plugin named '" + d.name +
                                    "' must be in a file named " + d.name + ".so");
  }
  for (uint32_t i = 0; i < d.config_key_count; ++i) {
    const ConfigKeySpec& k = d.config_keys[i];
    if (is_empty(k.name) || k.default_value == nullptr || k.constraint == nullptr || k.description == nullptr) {
      return Status::invalid_argument(who + " declares config key #" + std::to_string(i) + " with a null field");
    }
  }
  if (d.config_key_count > 0 && is_empty(d.config_prefix)) {
    return Status::invalid_argument(who + " declares config keys but no config prefix");
  }
  return Status::ok();
}

}  // namespace

PluginLoader::PluginLoader(std::string plugin_dir) : plugin_dir_(std::move(plugin_dir)) {}

std::vector<std::string> PluginLoader::available() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(plugin_dir_, ec)) {
    if (entry.path().extension() == ".so") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<LoadedPlugin> PluginLoader::load(std::string_view name) const {
  std::filesystem::path path = std::filesystem::path(plugin_dir_) / (std::string(name) + ".so");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::not_found("plugin '" + std::string(name) + "' not found: no " + path.string() +
                             " (available in " + plugin_dir_ + ": " + join(available()) + ")");
  }
  return load_file(path.string());
}

Result<LoadedPlugin> PluginLoader::load_file(const std::string& path) const {
  auto library = std::make_shared<boost::dll::shared_library>();
  boost::system::error_code ec;
  library->load(path, boost::dll::load_mode::rtld_now, ec);
  if (ec) {
    // dlerror() carries the real reason (an undefined symbol, a wrong ELF class) but boost
    // folds it into a long what() string; ask the dynamic loader directly for its words.
    std::string reason = ec.message();
    if (void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      ::dlclose(handle);
    } else if (const char* err = ::dlerror()) {
      reason = err;
    }
    return Status::invalid_argument("cannot load plugin file " + path + ": " + reason);
  }
  if (!library->has(kPluginEntrySymbol)) {
    return Status::invalid_argument(path + " is not a Tern plugin: it does not export the entry point '" +
                                    kPluginEntrySymbol + "' (declare it with TERN_PLUGIN_ENTRY)");
  }
  const TernPluginDescriptor* descriptor = nullptr;
  try {
    auto entry = library->get_alias<const TernPluginDescriptor*()>(kPluginEntrySymbol);
    descriptor = entry();
  } catch (const std::exception& e) {
    return Status::invalid_argument(path + " is not a Tern plugin: reading '" + kPluginEntrySymbol + "' failed: " + e.what());
  }
  if (descriptor == nullptr) {
    return Status::invalid_argument("plugin " + path + " returned no descriptor from " + kPluginEntrySymbol);
  }
  std::string stem = std::filesystem::path(path).stem().string();
  TERN_RETURN_IF_ERROR(check_descriptor(*descriptor, path, stem));
  return LoadedPlugin{std::move(library), descriptor, path};
}

}  // namespace tern::kernel
