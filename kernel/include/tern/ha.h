// HA plugins: replication of the commit log from a master to its slaves. On a master the
// service ships commit-log bytes (MessageStore::read_commit_log) to connected slaves; on a
// slave it appends them (MessageStore::append_commit_log). A SYNC_MASTER answers a send
// only after a slave confirmed it: the store asks through await_replicated().
//
// Thread-safety: every method is safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "tern/plugin.h"
#include "tern/status.h"

namespace tern {

class ReplicationService : public Plugin {
 public:
  // Tells the service the master's commit log grew to `max_offset` (wakes the shippers).
  virtual void on_appended(int64_t max_offset) = 0;
  // Runs `done` once a slave has confirmed bytes up to `offset`: OK, Timeout after
  // `timeout`, or Unavailable when no slave is connected.
  virtual void await_replicated(int64_t offset, std::chrono::milliseconds timeout,
                                std::function<void(Status)> done) = 0;
  // The highest offset confirmed by any slave (master) or appended locally (slave).
  virtual int64_t replicated_offset() const = 0;
};

}  // namespace tern
