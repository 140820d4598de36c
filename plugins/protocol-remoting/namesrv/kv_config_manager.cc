// KvConfigManager (contract in kv_config_manager.h). The file is written with the
// kernel's shared atomic write (fs/atomic_file.h, library tern_file_io).
#include "kv_config_manager.h"

#include "fs/atomic_file.h"
#include "json/json.h"

namespace tern::remoting {

std::string encode_kv_config_file(const KvConfigManager::Table& table) {
  std::string out = "{\"configTable\":{";
  bool first_ns = true;
  for (const auto& [ns, kv] : table) {
    if (!first_ns) out.push_back(',');
    first_ns = false;
    append_json_string(&out, ns);
    out.append(":{");
    bool first = true;
    for (const auto& [key, value] : kv) {
      if (!first) out.push_back(',');
      first = false;
      append_json_string(&out, key);
      out.push_back(':');
      append_json_string(&out, value);
    }
    out.push_back('}');
  }
  out.append("}}");
  return out;
}

Result<KvConfigManager::Table> parse_kv_config_file(std::string_view text) {
  auto parsed = parse_json(text);
  if (!parsed) return parsed.status();
  if (!parsed->is_object()) return Status::invalid_argument("not a JSON object");
  KvConfigManager::Table table;
  const JsonValue* config = parsed->find("configTable");
  if (config == nullptr || config->is_null()) return table;
  if (!config->is_object()) return Status::invalid_argument("configTable is not an object");
  for (size_t i = 0; i < config->size(); ++i) {
    const std::string& ns = config->keys()[i];
    const JsonValue& kv = config->values()[i];
    if (!kv.is_object()) return Status::invalid_argument("namespace \"" + ns + "\" is not an object");
    auto& out = table[ns];
    for (size_t j = 0; j < kv.size(); ++j) {
      const JsonValue& v = kv.values()[j];
      if (v.is_null()) continue;
      if (!v.is_string() && !v.is_number() && !v.is_bool()) {
        return Status::invalid_argument("value of \"" + ns + "\" / \"" + kv.keys()[j] + "\" is not a string");
      }
      out[kv.keys()[j]] = v.is_bool() ? (v.as_bool() ? "true" : "false") : v.text();
    }
  }
  return table;
}

KvConfigManager::KvConfigManager(std::string path, Logger& logger) : path_(std::move(path)), logger_(logger) {
  if (!path_.empty()) writer_ = std::thread([this] { writer_loop(); });
}

KvConfigManager::~KvConfigManager() {
  if (!writer_.joinable()) return;
  {
    std::lock_guard lock(writer_mu_);
    stopping_ = true;
  }
  writer_cv_.notify_all();
  writer_.join();
}

Status KvConfigManager::load() {
  if (path_.empty()) return Status::ok();
  std::string problems;
  for (const std::string& candidate : {path_, path_ + ".bak"}) {
    auto content = read_whole_file(candidate);
    if (!content) return content.status();
    if (!content->has_value()) continue;
    auto table = parse_kv_config_file(**content);
    if (!table) {
      problems += (problems.empty() ? "" : "; ") + candidate + ": " + table.status().message();
      continue;
    }
    size_t keys = 0;
    for (const auto& [ns, kv] : *table) keys += kv.size();
    {
      std::unique_lock lock(table_mu_);
      table_ = std::move(*table);
    }
    if (candidate != path_) logger_.warn("KV config ", path_, " unusable (", problems, "); loaded its backup ", candidate);
    logger_.info("loaded KV config from ", candidate, ": ", keys, " key(s)");
    return Status::ok();
  }
  if (!problems.empty()) return Status::corruption("cannot load KV config " + problems);
  return Status::ok();
}

void KvConfigManager::put(const std::string& ns, const std::string& key, const std::string& value) {
  {
    std::unique_lock lock(table_mu_);
    table_[ns][key] = value;
  }
  logger_.info("put KV config: namespace ", ns, " key ", key, " value ", value);
  mark_dirty();
}

bool KvConfigManager::remove(const std::string& ns, const std::string& key) {
  bool removed = false;
  {
    std::unique_lock lock(table_mu_);
    auto n = table_.find(ns);
    if (n != table_.end()) {
      removed = n->second.erase(key) != 0;
      if (n->second.empty()) table_.erase(n);
    }
  }
  if (removed) {
    logger_.info("deleted KV config: namespace ", ns, " key ", key);
    mark_dirty();
  }
  return removed;
}

std::optional<std::string> KvConfigManager::get(const std::string& ns, const std::string& key) const {
  std::shared_lock lock(table_mu_);
  auto n = table_.find(ns);
  if (n == table_.end()) return std::nullopt;
  auto k = n->second.find(key);
  if (k == n->second.end()) return std::nullopt;
  return k->second;
}

std::optional<std::map<std::string, std::string>> KvConfigManager::list(const std::string& ns) const {
  std::shared_lock lock(table_mu_);
  auto n = table_.find(ns);
  if (n == table_.end()) return std::nullopt;
  return n->second;
}

KvConfigManager::Table KvConfigManager::snapshot() const {
  std::shared_lock lock(table_mu_);
  return table_;
}

void KvConfigManager::mark_dirty() {
  if (path_.empty()) return;
  {
    std::lock_guard lock(writer_mu_);
    ++changes_;
  }
  writer_cv_.notify_all();
}

Status KvConfigManager::flush() {
  if (path_.empty()) return Status::ok();
  std::unique_lock lock(writer_mu_);
  uint64_t target = changes_;
  writer_cv_.wait(lock, [&] { return written_ >= target; });
  return last_write_;
}

void KvConfigManager::writer_loop() {
  std::unique_lock lock(writer_mu_);
  for (;;) {
    writer_cv_.wait(lock, [&] { return stopping_ || written_ < changes_; });
    if (written_ >= changes_) return;  // stopping with nothing pending
    uint64_t target = changes_;
    lock.unlock();
    std::string content = encode_kv_config_file(snapshot());  // holds every change up to `target`
    Status s = write_file_atomically(path_, content);
    if (!s.is_ok()) logger_.error("cannot save KV config: ", s.message());
    lock.lock();
    written_ = target;
    last_write_ = std::move(s);
    writer_cv_.notify_all();
  }
}

}  // namespace tern::remoting
