// StoreConfig: the broker keys the store reads (RocketMQ's MessageStoreConfig names),
// read once at start into typed fields. The kernel has validated every value already.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tern/config.h"
#include "tern/store.h"

namespace tern::store_mmap {

struct StoreConfig {
  std::string commit_log_dir;
  std::string consume_queue_dir;
  std::string index_dir;
  std::string checkpoint_file;
  std::string abort_file;
  int64_t commit_log_segment_size = 1 << 30;
  int64_t consume_queue_file_size = 300000 * 20;
  FlushDiskType flush_disk_type = FlushDiskType::kAsyncFlush;
  std::chrono::milliseconds sync_flush_timeout{5000};
  std::chrono::milliseconds flush_interval_commit_log{500};
  int64_t flush_least_bytes = 4 * 4096;
  std::chrono::milliseconds flush_thorough_interval{10000};
  std::chrono::milliseconds flush_interval_consume_queue{1000};
  int32_t max_message_size = 4 * 1024 * 1024;
  bool message_index_enable = true;
  int32_t max_hash_slots = 5000000;
  int32_t max_index_count = 20000000;
  int32_t max_msgs_num_batch = 64;  // most results of one query by key
  std::chrono::hours file_reserved_time{72};
  std::vector<int> delete_hours{4};
  int disk_max_used_space_ratio = 75;   // % above which retention deletes at once
  int disk_space_warning_ratio = 90;    // % above which writes are refused
  std::chrono::milliseconds clean_interval{10000};
  bool slave = false;

  static StoreConfig from(const ConfigView& broker);
  // The defaults with the store's files under `root`, as storePathRootDir lays them out
  // (for tools and tests that open a store without a broker).
  static StoreConfig under_root(const std::string& root);
};

}  // namespace tern::store_mmap
