// Reads StoreConfig from the broker's keys (see docs/configuration.md for each).
#include "store_config.h"

namespace tern::store_mmap {

StoreConfig StoreConfig::from(const ConfigView& c) {
  using std::chrono::milliseconds;
  StoreConfig s;
  s.commit_log_dir = c.get_string("storePathCommitLog");
  s.consume_queue_dir = c.get_string("storePathConsumeQueue");
  s.index_dir = c.get_string("storePathIndex");
  s.checkpoint_file = c.get_string("storeCheckpoint");
  s.abort_file = c.get_string("abortFile");
  s.commit_log_segment_size = c.get_int("mappedFileSizeCommitLog");
  s.consume_queue_file_size = c.get_int("mappedFileSizeConsumeQueue");
  s.flush_disk_type = c.get_string("flushDiskType") == "SYNC_FLUSH" ? FlushDiskType::kSyncFlush : FlushDiskType::kAsyncFlush;
  s.sync_flush_timeout = milliseconds(c.get_int("syncFlushTimeout"));
  s.flush_interval_commit_log = milliseconds(c.get_int("flushIntervalCommitLog"));
  s.flush_least_bytes = c.get_int("flushCommitLogLeastPages") * 4096;
  s.flush_thorough_interval = milliseconds(c.get_int("flushCommitLogThoroughInterval"));
  s.flush_interval_consume_queue = milliseconds(c.get_int("flushIntervalConsumeQueue"));
  s.max_message_size = static_cast<int32_t>(c.get_int("maxMessageSize"));
  s.message_index_enable = c.get_bool("messageIndexEnable");
  s.max_hash_slots = static_cast<int32_t>(c.get_int("maxHashSlotNum"));
  s.max_index_count = static_cast<int32_t>(c.get_int("maxIndexNum"));
  s.max_msgs_num_batch = static_cast<int32_t>(c.get_int("maxMsgsNumBatch"));
  s.file_reserved_time = std::chrono::hours(c.get_int("fileReservedTime"));
  s.delete_hours.clear();
  for (const std::string& h : c.get_list("deleteWhen", ';')) s.delete_hours.push_back(std::stoi(h));
  s.disk_max_used_space_ratio = static_cast<int>(c.get_int("diskMaxUsedSpaceRatio"));
  s.disk_space_warning_ratio = static_cast<int>(c.get_int("diskSpaceWarningLevelRatio"));
  s.clean_interval = milliseconds(c.get_int("cleanResourceInterval"));
  s.slave = c.get_string("brokerRole") == "SLAVE";
  return s;
}

StoreConfig StoreConfig::under_root(const std::string& root) {
  StoreConfig s;
  s.commit_log_dir = root + "/commitlog";
  s.consume_queue_dir = root + "/consumequeue";
  s.index_dir = root + "/index";
  s.checkpoint_file = root + "/checkpoint";
  s.abort_file = root + "/abort";
  return s;
}

}  // namespace tern::store_mmap
