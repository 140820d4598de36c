// StoreCheckpoint: the checkpoint file, storeCheckpoint. Its first 24 bytes are RocketMQ's
// (physic, logics and index message timestamps); Tern adds the dispatched offset: every
// record below it has its consume-queue unit and index entries flushed, and its own bytes
// flushed. Recovery re-reads the commit log from there. Written atomically (temp + rename)
// with a CRC, so a torn checkpoint is detected and recovery falls back to a full scan.
//
// Thread-safety: one writer (the checkpoint thread); read at start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tern/status.h"

namespace tern::store_mmap {

struct Checkpoint {
  int64_t physic_msg_timestamp = 0;
  int64_t logics_msg_timestamp = 0;
  int64_t index_msg_timestamp = 0;
  int64_t dispatched_offset = 0;
};

// nullopt when the file is absent; Corruption (naming the file) when it fails its CRC.
Result<std::optional<Checkpoint>> read_checkpoint(const std::string& path);
Status write_checkpoint(const std::string& path, const Checkpoint& checkpoint);

}  // namespace tern::store_mmap
