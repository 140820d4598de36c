// PluginLoader against real shared objects: a good plugin, one built for another ABI,
// another toolchain, a misnamed one, a shared object that is not a plugin, a file that is
// not a shared object at all, and a missing one.
#include "plugin/plugin_loader.h"

#include <gtest/gtest.h>

namespace tern::kernel {
namespace {

const std::string kDir = TERN_FIXTURE_PLUGIN_DIR;

void expect_contains(const Status& s, const std::string& part) {
  EXPECT_NE(s.message().find(part), std::string::npos) << "'" << part << "' not in: " << s.message();
}

TEST(PluginLoader, LoadsAGoodPluginAndReadsItsDescriptor) {
  PluginLoader loader(kDir);
  auto p = loader.load("fixture-good");
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(std::string(p->descriptor->name), "fixture-good");
  EXPECT_EQ(std::string(p->descriptor->version), "1.2.3");
  EXPECT_EQ(p->descriptor->kind, PluginKind::kProtocol);
  EXPECT_EQ(p->descriptor->config_key_count, 4u);
  EXPECT_EQ(p->path, kDir + "/fixture-good.so");
}

TEST(PluginLoader, RefusesAnotherAbiVersionNamingBoth) {
  auto p = PluginLoader(kDir).load("fixture-wrong-abi");
  ASSERT_FALSE(p.is_ok());
  EXPECT_EQ(p.status().code(), Status::Code::kNotSupported);
  expect_contains(p.status(), "built for plugin ABI version 999");
  expect_contains(p.status(), "provides plugin ABI version " + std::to_string(kPluginAbiVersion));
  expect_contains(p.status(), "fixture-wrong-abi.so");
}

TEST(PluginLoader, RefusesAnotherToolchainNamingBoth) {
  auto p = PluginLoader(kDir).load("fixture-other-toolchain");
  ASSERT_FALSE(p.is_ok());
  expect_contains(p.status(), "toolchain 'libc++'");
  expect_contains(p.status(), std::string("'") + TERN_BUILD_FINGERPRINT + "'");
}

TEST(PluginLoader, RefusesADescriptorNameThatDiffersFromTheFile) {
  auto p = PluginLoader(kDir).load("fixture-misnamed");
  ASSERT_FALSE(p.is_ok());
  expect_contains(p.status(), "declares the name 'some-other-name'");
}

TEST(PluginLoader, RefusesASharedObjectThatIsNotAPlugin) {
  auto p = PluginLoader(kDir).load("fixture-not-a-plugin");
  ASSERT_FALSE(p.is_ok());
  expect_contains(p.status(), "is not a Tern plugin");
  expect_contains(p.status(), "tern_plugin_entry");
}

TEST(PluginLoader, RefusesAFileThatIsNotASharedObject) {
  auto p = PluginLoader(kDir).load("fixture-garbage");
  ASSERT_FALSE(p.is_ok());
  expect_contains(p.status(), "cannot load plugin file " + kDir + "/fixture-garbage.so");
}

TEST(PluginLoader, MissingPluginListsThoseAvailable) {
  auto p = PluginLoader(kDir).load("filter-nope");
  ASSERT_FALSE(p.is_ok());
  EXPECT_TRUE(p.status().is_not_found());
  expect_contains(p.status(), "plugin 'filter-nope' not found");
  expect_contains(p.status(), "fixture-good");
  expect_contains(p.status(), "fixture-wrong-abi");
}

TEST(PluginLoader, MissingDirectoryListsNone) {
  auto p = PluginLoader("/nonexistent/plugins").load("filter-tag");
  ASSERT_FALSE(p.is_ok());
  expect_contains(p.status(), "available in /nonexistent/plugins: none");
}

}  // namespace
}  // namespace tern::kernel
