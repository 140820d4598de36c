// filter-keys: an example vendor plugin. It adds the subscription expression type "KEYS":
// the expression is a '||'-separated list of business keys, and a message matches when
// one of its KEYS is in the list ("order-17 || order-18"). It shows the whole vendor
// story in one file: a FilterFactory, a MessageMatcher, a config key read through the
// kernel (`keys.caseSensitive`), logging, and the descriptor with its one entry point.
#include <algorithm>
#include <cctype>
#include <memory>
#include <set>
#include <string>

#include "tern/filter.h"
#include "tern/plugin.h"

namespace {

std::string fold(std::string_view s, bool case_sensitive) {
  std::string out(s);
  if (!case_sensitive) {
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  }
  return out;
}

class KeysMatcher final : public tern::MessageMatcher {
 public:
  KeysMatcher(std::set<std::string> keys, bool case_sensitive) : keys_(std::move(keys)), case_sensitive_(case_sensitive) {}
  // The consume-queue unit holds only the tag hash, which says nothing about keys.
  bool matches_tags_code(int64_t) const override { return true; }
  bool matches_properties(const tern::PropertyMap& properties) const override {
    auto it = properties.find(tern::property::kKeys);
    if (it == properties.end()) return false;
    for (std::string_view key : tern::split_keys(it->second)) {
      if (keys_.count(fold(key, case_sensitive_))) return true;
    }
    return false;
  }
  bool needs_properties() const override { return true; }

 private:
  std::set<std::string> keys_;
  bool case_sensitive_;
};

class KeysFilterFactory final : public tern::FilterFactory {
 public:
  explicit KeysFilterFactory(tern::PluginContext& ctx) : ctx_(ctx) {}
  tern::Status start() override {
    case_sensitive_ = ctx_.config.get_bool("caseSensitive");
    ctx_.logger.info("filter-keys ready: expression type KEYS, caseSensitive=", case_sensitive_ ? "true" : "false");
    return tern::Status::ok();
  }
  void stop() override {}
  std::string_view expression_type() const override { return "KEYS"; }
  tern::Result<std::shared_ptr<const tern::MessageMatcher>> compile(std::string_view expression) const override {
    std::set<std::string> keys;
    size_t pos = 0;
    while (pos <= expression.size()) {
      size_t end = expression.find("||", pos);
      std::string_view item = expression.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) keys.insert(fold(item, case_sensitive_));
      if (end == std::string_view::npos) break;
      pos = end + 2;
    }
    if (keys.empty()) {
      return tern::Status::invalid_argument("KEYS expression '" + std::string(expression) + "' names no key");
    }
    return std::shared_ptr<const tern::MessageMatcher>(std::make_shared<KeysMatcher>(std::move(keys), case_sensitive_));
  }

 private:
  tern::PluginContext& ctx_;
  bool case_sensitive_ = true;
};

const tern::ConfigKeySpec kKeys[] = {
    {"caseSensitive", tern::ConfigType::kBool, "true", "", "compare keys case-sensitively", tern::config_flag::kImportant},
};

tern::Plugin* create(tern::PluginContext& ctx) { return new (std::nothrow) KeysFilterFactory(ctx); }

const TernPluginDescriptor kDescriptor = {
    TERN_PLUGIN_ABI_PREFIX,
    tern::PluginKind::kFilter,
    "filter-keys",
    "1.0.0",
    "example vendor filter: subscribe by message keys",
    "keys",
    kKeys,
    1,
    &create,
};

}  // namespace

TERN_PLUGIN_ENTRY(kDescriptor)
