// KvConfigManager: the name server's namespaced key/value table (PUT/GET/DELETE_KV_CONFIG,
// GET_KVLIST_BY_NAMESPACE; the ORDER_TOPIC_CONFIG namespace holds order-topic configs),
// persisted as RocketMQ's kvConfig.json: `{"configTable":{namespace:{key:value}}}`.
//
// The file is rewritten whole and atomically: the JSON goes to <file>.tmp, is fsynced and
// renamed over <file>, whose previous version stays as <file>.bak (load() falls back to
// it). Writes happen on the manager's own writer thread, never on the caller's, because
// changes arrive on io threads: put() and remove() change the table in memory and return;
// the writer saves the newest table shortly after (several changes may share one write).
// flush() waits for everything changed so far to be on disk.
//
// Thread-safety: every method from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>

#include "tern/logger.h"
#include "tern/status.h"

namespace tern::remoting {

class KvConfigManager {
 public:
  using Table = std::map<std::string, std::map<std::string, std::string>>;  // namespace -> key -> value

  // `path` empty: the table lives in memory only.
  KvConfigManager(std::string path, Logger& logger);
  ~KvConfigManager();  // writes what is pending, then stops the writer
  KvConfigManager(const KvConfigManager&) = delete;
  KvConfigManager& operator=(const KvConfigManager&) = delete;

  // Reads the file, replacing the table. OK when neither the file nor its backup exists.
  // Corruption naming the file when it (and its backup) cannot be read as kvConfig.json,
  // so a name server does not start with an empty table and then overwrite the file.
  [[nodiscard]] Status load();

  void put(const std::string& ns, const std::string& key, const std::string& value);
  // False when there was no such key.
  bool remove(const std::string& ns, const std::string& key);
  std::optional<std::string> get(const std::string& ns, const std::string& key) const;
  // The keys of a namespace, or nullopt for a namespace with none.
  std::optional<std::map<std::string, std::string>> list(const std::string& ns) const;
  Table snapshot() const;

  // Waits until every change made before the call is written; the status of the last
  // write (IoError naming the file when it failed). OK at once when memory-only.
  [[nodiscard]] Status flush();

  const std::string& path() const { return path_; }

 private:
  void mark_dirty();
  void writer_loop();

  const std::string path_;
  Logger& logger_;

  mutable std::shared_mutex table_mu_;
  Table table_;  // guarded by table_mu_

  std::mutex writer_mu_;
  std::condition_variable writer_cv_;
  uint64_t changes_ = 0;  // guarded by writer_mu_: changes made
  uint64_t written_ = 0;  // guarded by writer_mu_: changes on disk (or failed to get there)
  Status last_write_;     // guarded by writer_mu_
  bool stopping_ = false; // guarded by writer_mu_
  std::thread writer_;
};

// kvConfig.json's text for `table`, and back. The parser names what is wrong.
std::string encode_kv_config_file(const KvConfigManager::Table& table);
[[nodiscard]] Result<KvConfigManager::Table> parse_kv_config_file(std::string_view text);

}  // namespace tern::remoting
