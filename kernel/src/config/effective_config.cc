// EffectiveConfig: defaults, sources, validation and printing of the broker's keys.
#include "config/effective_config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "config/value_check.h"
#include "tern/check.h"

namespace tern::kernel {
namespace {

// Levenshtein distance, capped: only small distances matter for "did you mean".
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

class ScopedConfigView final : public ConfigView {
 public:
  ScopedConfigView(const EffectiveConfig& parent, std::string prefix) : parent_(parent), prefix_(std::move(prefix)) {}
  std::string get_string(std::string_view key) const override { return parent_.get_string(full(key)); }
  bool is_set(std::string_view key) const override { return parent_.is_set(full(key)); }

 private:
  std::string full(std::string_view key) const { return prefix_ + "." + std::string(key); }
  const EffectiveConfig& parent_;
  std::string prefix_;
};

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

EffectiveConfig::EffectiveConfig(std::map<std::string, std::string, std::less<>> variables)
    : variables_(std::move(variables)) {}

void EffectiveConfig::declare(std::span<const ConfigKeySpec> specs, std::string_view prefix, std::string_view owner) {
  for (const ConfigKeySpec& spec : specs) {
    std::string name = prefix.empty() ? std::string(spec.name) : std::string(prefix) + "." + spec.name;
    Entry& entry = entries_[name];
    TERN_CHECK(entry.spec == nullptr, ("config key declared twice: " + name).c_str());
    entry.spec = &spec;
    entry.owner = owner;
    declared_order_.push_back(name);
  }
}

void EffectiveConfig::add_alias(std::string_view alias, std::string_view key) {
  aliases_.insert_or_assign(std::string(alias), std::string(key));
}

void EffectiveConfig::set(std::string_view key, std::string value, std::string origin) {
  auto alias = aliases_.find(key);
  std::string name(alias == aliases_.end() ? key : std::string_view(alias->second));
  entries_[name].values.push_back({std::move(value), std::move(origin), next_sequence_++});
}

void EffectiveConfig::override_default(std::string_view key, std::string value) {
  auto it = entries_.find(key);
  TERN_CHECK(it != entries_.end() && it->second.spec, ("default override of an undeclared key: " + std::string(key)).c_str());
  it->second.default_override = std::move(value);
}

const EffectiveConfig::Entry* EffectiveConfig::find(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::string EffectiveConfig::suggestion_for(std::string_view key) const {
  std::string best;
  size_t best_distance = std::max<size_t>(2, key.size() / 4) + 1;
  for (const std::string& name : declared_order_) {
    // The distance is at least the length difference: skip names that cannot be near.
    size_t length_gap = key.size() > name.size() ? key.size() - name.size() : name.size() - key.size();
    if (length_gap >= best_distance) continue;
    size_t d = edit_distance(key, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best.empty() ? "" : " (did you mean " + quoted(best) + "?)";
}

std::vector<std::string> EffectiveConfig::problems(Scope scope) const {
  std::vector<std::pair<size_t, std::string>> found;
  for (const auto& [key, entry] : entries_) {
    bool plugin_key = key.find('.') != std::string::npos;
    if (plugin_key != (scope == Scope::kPluginKeys) || entry.values.empty()) continue;
    const Value& v = entry.values.back();
    if (!entry.spec) {
      std::string msg = v.origin + ": unknown key " + quoted(key);
      if (plugin_key) {
        std::string prefix = key.substr(0, key.find('.'));
        bool prefix_known = std::any_of(declared_order_.begin(), declared_order_.end(), [&](const std::string& n) {
          return n.compare(0, prefix.size() + 1, prefix + ".") == 0;
        });
        if (!prefix_known) msg += ": no loaded plugin has the config prefix " + quoted(prefix);
      }
      found.emplace_back(v.sequence, msg + suggestion_for(key));
      continue;
    }
    if (auto expected = check_config_value(*entry.spec, v.text)) {
      found.emplace_back(v.sequence, v.origin + ": bad value " + quoted(v.text) + " for key " + quoted(key) +
                                         ": expected " + *expected);
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

std::vector<std::string> EffectiveConfig::warnings() const {
  std::vector<std::string> out;
  for (const auto& [key, entry] : entries_) {
    if (entry.values.size() > 1) {
      for (size_t i = 0; i + 1 < entry.values.size(); ++i) {
        out.push_back(entry.values[i].origin + ": key " + quoted(key) + " is set again at " +
                      entry.values.back().origin + ", which wins");
      }
    }
    if (entry.spec && !entry.values.empty() && (entry.spec->flags & config_flag::kNoEffect)) {
      out.push_back(entry.values.back().origin + ": key " + quoted(key) + " has no effect in Tern: " +
                    entry.spec->description);
    }
  }
  return out;
}

std::string EffectiveConfig::resolve_default(const Entry& entry, std::string_view key, int depth) const {
  TERN_CHECK(depth < 8, ("config defaults refer to each other in a cycle at " + std::string(key)).c_str());
  std::string text = entry.default_override ? *entry.default_override : std::string(entry.spec->default_value);
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("${", pos);
    if (open == std::string::npos) break;
    size_t close = text.find('}', open);
    TERN_CHECK(close != std::string::npos, ("unterminated ${ in the default of " + std::string(key)).c_str());
    out.append(text, pos, open - pos);
    std::string ref = text.substr(open + 2, close - open - 2);
    if (ref.rfind("env:", 0) == 0) {
      std::string name = ref.substr(4), fallback;
      if (size_t bar = name.find('|'); bar != std::string::npos) {
        fallback = name.substr(bar + 1);
        name.resize(bar);
      }
      const char* env = std::getenv(name.c_str());
      out += (env && *env) ? env : fallback;
    } else if (auto var = variables_.find(ref); var != variables_.end()) {
      out += var->second;
    } else {
      const Entry* other = find(ref);
      TERN_CHECK(other && other->spec, ("default of " + std::string(key) + " names unknown ${" + ref + "}").c_str());
      out += other->values.empty() ? resolve_default(*other, ref, depth + 1) : other->values.back().text;
    }
    pos = close + 1;
  }
  out.append(text, std::min(pos, text.size()), std::string::npos);
  return out;
}

std::string EffectiveConfig::get_string(std::string_view key) const {
  const Entry* entry = find(key);
  TERN_CHECK(entry && entry->spec, ("read of an undeclared config key: " + std::string(key)).c_str());
  if (!entry->values.empty()) return entry->values.back().text;
  return resolve_default(*entry, key, 0);
}

bool EffectiveConfig::is_set(std::string_view key) const {
  const Entry* entry = find(key);
  TERN_CHECK(entry && entry->spec, ("read of an undeclared config key: " + std::string(key)).c_str());
  return !entry->values.empty();
}

std::string EffectiveConfig::origin(std::string_view key) const {
  const Entry* entry = find(key);
  return entry && !entry->values.empty() ? entry->values.back().origin : "default";
}

void EffectiveConfig::print(std::ostream& out, bool important_only) const {
  std::string owner;
  for (const std::string& key : declared_order_) {
    const Entry& entry = entries_.find(key)->second;
    if (important_only && !(entry.spec->flags & config_flag::kImportant)) continue;
    if (entry.owner != owner) {
      out << "# " << entry.owner << "\n";
      owner = entry.owner;
    }
    out << key << "=" << get_string(key) << "\n";
  }
}

std::unique_ptr<ConfigView> EffectiveConfig::scoped_view(std::string prefix) const {
  return std::make_unique<ScopedConfigView>(*this, std::move(prefix));
}

}  // namespace tern::kernel
