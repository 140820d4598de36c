// Loads the built filter-tag.so the way the kernel's loader does (dlopen, then the
// `tern_plugin_entry` alias) and drives it through its descriptor: create, start,
// compile, stop, delete. Proves the entry point, the descriptor fields and that the code
// inside the shared object behaves like the library the other tests use.
#include <dlfcn.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <cstdlib>

#include "tern/filter.h"
#include "tern/plugin.h"

#ifndef TERN_FILTER_TAG_SO
#error "TERN_FILTER_TAG_SO must name the built filter-tag.so"
#endif

namespace tern::filter_tag {
namespace {

class NoConfig final : public ConfigView {
 public:
  std::string get_string(std::string_view) const override { return {}; }
  bool is_set(std::string_view) const override { return false; }
};

class RecordingLogger final : public Logger {
 public:
  void log(LogLevel, std::string_view message) override { lines.emplace_back(message); }
  bool should_log(LogLevel) const override { return true; }
  std::vector<std::string> lines;
};

class NoKernel final : public KernelServices {
 public:
  const ConfigView& broker_config() const override { return config_; }
  MessageStore* store() override { return nullptr; }
  const FilterFactory* filter_factory(std::string_view) const override { return nullptr; }
  ReplicationService* replication() override { return nullptr; }
  // A filter plugin has no business with the broker services; reaching here is a bug.
  BrokerServices& broker() override { std::abort(); }

 private:
  NoConfig config_;
};

struct Library {
  void* handle = dlopen(TERN_FILTER_TAG_SO, RTLD_NOW | RTLD_LOCAL);
  ~Library() {
    if (handle) dlclose(handle);
  }
};

const TernPluginDescriptor* load_descriptor(const Library& library) {
  if (!library.handle) return nullptr;
  // boost.dll's alias: a variable holding the address of the entry function.
  auto* alias = static_cast<const void* const*>(dlsym(library.handle, "tern_plugin_entry"));
  if (!alias) return nullptr;
  auto entry = reinterpret_cast<const TernPluginDescriptor* (*)()>(reinterpret_cast<uintptr_t>(*alias));
  return entry();
}

TEST(FilterTagPlugin, DescriptorDescribesATagFilter) {
  Library library;
  ASSERT_NE(library.handle, nullptr) << dlerror();
  const TernPluginDescriptor* descriptor = load_descriptor(library);
  ASSERT_NE(descriptor, nullptr) << dlerror();
  EXPECT_EQ(descriptor->abi_version, kPluginAbiVersion);
  EXPECT_EQ(descriptor->descriptor_size, sizeof(TernPluginDescriptor));
  EXPECT_STREQ(descriptor->build_fingerprint, TERN_BUILD_FINGERPRINT);
  EXPECT_EQ(descriptor->kind, PluginKind::kFilter);
  EXPECT_STREQ(descriptor->name, "filter-tag");
  EXPECT_STREQ(descriptor->version, "1.0.0");
  EXPECT_NE(std::string_view(descriptor->description), "");
  EXPECT_STREQ(descriptor->config_prefix, "");
  EXPECT_EQ(descriptor->config_key_count, 0u);
  EXPECT_NE(descriptor->create, nullptr);
}

TEST(FilterTagPlugin, LifeCycleThroughTheSharedObject) {
  Library library;
  ASSERT_NE(library.handle, nullptr) << dlerror();
  const TernPluginDescriptor* descriptor = load_descriptor(library);
  ASSERT_NE(descriptor, nullptr);

  NoConfig config;
  RecordingLogger logger;
  NoKernel kernel;
  PluginContext context{config, logger, kernel};
  std::unique_ptr<Plugin> plugin(descriptor->create(context));
  ASSERT_NE(plugin, nullptr);
  auto* factory = dynamic_cast<FilterFactory*>(plugin.get());
  ASSERT_NE(factory, nullptr) << "the plugin object is not a FilterFactory";
  EXPECT_EQ(factory->expression_type(), "TAG");
  ASSERT_TRUE(plugin->start().is_ok());

  {
    auto compiled = factory->compile("Aa || TagB");
    ASSERT_TRUE(compiled.is_ok()) << compiled.status().to_string();
    std::shared_ptr<const MessageMatcher> matcher = compiled.value();
    EXPECT_TRUE(matcher->matches_tags_code(2112));
    EXPECT_TRUE(matcher->matches_properties({{"TAGS", "Aa"}}));
    EXPECT_FALSE(matcher->matches_properties({{"TAGS", "BB"}}));
    EXPECT_TRUE(factory->compile("||").status().is_invalid_argument());
  }  // matchers made by the plugin go before the library, as the kernel guarantees

  plugin->stop();
  plugin.reset();
  EXPECT_TRUE(logger.lines.empty());
}

}  // namespace
}  // namespace tern::filter_tag
