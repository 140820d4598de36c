// The factory in-process and the built filter-sql92.so loaded the way the kernel's loader
// does (dlopen, then the `tern_plugin_entry` alias): descriptor, create, compile, stop.
#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "sql92_filter_factory.h"
#include "tern/filter.h"
#include "tern/plugin.h"

#ifndef TERN_FILTER_SQL92_SO
#error "TERN_FILTER_SQL92_SO must name the built filter-sql92.so"
#endif

namespace tern::filter_sql92 {
namespace {

TEST(Sql92FilterFactory, CompilesAndRefuses) {
  Sql92FilterFactory factory;
  EXPECT_EQ(factory.expression_type(), "SQL92");
  auto matcher = factory.compile("sequence between 2 and 3 and tag='SqlTest'");
  ASSERT_TRUE(matcher.is_ok()) << matcher.status().to_string();
  EXPECT_TRUE((*matcher)->needs_properties());
  EXPECT_TRUE((*matcher)->matches_properties({{"sequence", "3"}, {"tag", "SqlTest"}}));
  auto bad = factory.compile("a >");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_TRUE(bad.status().is_invalid_argument());
  EXPECT_NE(bad.status().message().find("column 4"), std::string::npos) << bad.status().message();
}

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
  BrokerServices& broker() override { std::abort(); }  // a filter has no use for it

 private:
  NoConfig config_;
};

struct Library {
  void* handle = dlopen(TERN_FILTER_SQL92_SO, RTLD_NOW | RTLD_LOCAL);
  ~Library() {
    if (handle) dlclose(handle);
  }
};

const TernPluginDescriptor* load_descriptor(const Library& library) {
  if (!library.handle) return nullptr;
  auto* alias = static_cast<const void* const*>(dlsym(library.handle, "tern_plugin_entry"));
  if (!alias) return nullptr;
  auto entry = reinterpret_cast<const TernPluginDescriptor* (*)()>(reinterpret_cast<uintptr_t>(*alias));
  return entry();
}

TEST(FilterSql92Plugin, LifeCycleThroughTheSharedObject) {
  Library library;
  ASSERT_NE(library.handle, nullptr) << dlerror();
  const TernPluginDescriptor* descriptor = load_descriptor(library);
  ASSERT_NE(descriptor, nullptr) << dlerror();
  EXPECT_EQ(descriptor->abi_version, kPluginAbiVersion);
  EXPECT_STREQ(descriptor->build_fingerprint, TERN_BUILD_FINGERPRINT);
  EXPECT_EQ(descriptor->kind, PluginKind::kFilter);
  EXPECT_STREQ(descriptor->name, "filter-sql92");
  EXPECT_EQ(descriptor->config_key_count, 0u);

  NoConfig config;
  RecordingLogger logger;
  NoKernel kernel;
  PluginContext context{config, logger, kernel};
  std::unique_ptr<Plugin> plugin(descriptor->create(context));
  ASSERT_NE(plugin, nullptr);
  auto* factory = dynamic_cast<FilterFactory*>(plugin.get());
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(factory->expression_type(), "SQL92");
  ASSERT_TRUE(plugin->start().is_ok());
  {
    auto compiled = factory->compile("a > 5 AND b = 'x' AND c IS NOT NULL");
    ASSERT_TRUE(compiled.is_ok()) << compiled.status().to_string();
    EXPECT_TRUE((*compiled)->matches_properties({{"a", "6"}, {"b", "x"}, {"c", ""}}));
    EXPECT_FALSE((*compiled)->matches_properties({{"a", "6"}, {"b", "x"}}));
    EXPECT_TRUE(factory->compile("a = ").status().is_invalid_argument());
  }
  plugin->stop();
  plugin.reset();
  EXPECT_TRUE(logger.lines.empty());
}

}  // namespace
}  // namespace tern::filter_sql92
