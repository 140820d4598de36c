// EffectiveConfig: every declared key with the value in force and where it came from.
// Sources, later winning: the declared default (possibly overridden by a mode such as
// --standalone), the config file, the environment, the command line.
//
// Validation is explicit and reports every problem at once, each naming the key, the
// value and the file line, so an operator fixes a file in one pass.
//
// Thread-safety: mutated only during start-up on the main thread; afterwards read-only
// and safe to read from any thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tern/config.h"

namespace tern::kernel {

class EffectiveConfig final : public ConfigView {
 public:
  // `variables` resolves ${name} in defaults (besides ${otherKey} and ${env:NAME|fallback}).
  explicit EffectiveConfig(std::map<std::string, std::string, std::less<>> variables = {});

  // Declares keys, named "<prefix>.<name>" when prefix is not empty. `owner` says who
  // declared them ("broker", "plugin protocol-mqtt"). Declaring a name twice is a bug.
  void declare(std::span<const ConfigKeySpec> specs, std::string_view prefix, std::string_view owner);
  // Another spelling of a declared key; set() stores under the key.
  void add_alias(std::string_view alias, std::string_view key);

  // Records a value and its origin ("conf/broker.properties:12", "-n", "NAMESRV_ADDR").
  // A later set of the same key wins, as in Java Properties; the earlier one is reported
  // by warnings().
  void set(std::string_view key, std::string value, std::string origin);
  // Changes a key's default; the key stays "not set".
  void override_default(std::string_view key, std::string value);

  enum class Scope { kBrokerKeys, kPluginKeys };  // keys without or with a '.' prefix
  // One line per unknown key or bad value in `scope`, naming origin, key and value.
  std::vector<std::string> problems(Scope scope) const;
  // Non-fatal notes: keys set twice, keys Tern accepts but ignores.
  std::vector<std::string> warnings() const;

  std::string get_string(std::string_view key) const override;
  bool is_set(std::string_view key) const override;
  // Where the value in force came from: an origin given to set(), or "default".
  std::string origin(std::string_view key) const;

  // "key=value" lines for every declared key, in declaration order; a valid
  // properties file. With important_only, only the keys flagged kImportant.
  void print(std::ostream& out, bool important_only) const;

  // The keys declared under `prefix`, named without it. Must not outlive this object.
  std::unique_ptr<ConfigView> scoped_view(std::string prefix) const;

 private:
  struct Value {
    std::string text;
    std::string origin;
    size_t sequence;  // order of set() calls: problems are reported in file order
  };
  struct Entry {
    const ConfigKeySpec* spec = nullptr;  // null: set but not declared (yet)
    std::string owner;
    std::optional<std::string> default_override;
    std::vector<Value> values;  // every set, in order; the last is in force
  };

  const Entry* find(std::string_view key) const;
  std::string resolve_default(const Entry& entry, std::string_view key, int depth) const;
  std::string suggestion_for(std::string_view key) const;

  std::map<std::string, std::string, std::less<>> variables_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::map<std::string, std::string, std::less<>> aliases_;  // alias -> key
  std::vector<std::string> declared_order_;
  size_t next_sequence_ = 0;
};

}  // namespace tern::kernel
