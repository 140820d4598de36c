// ClientMember: one producer or consumer of a group as the client managers keep it: who
// it is, its connection (weakly: a closed connection simply expires) and when it was last
// heard from.
//
// Thread-safety: a plain value; the managers guard it with their own locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "tern/broker.h"

namespace tern::kernel {

struct ClientMember {
  std::weak_ptr<ClientChannel> channel;
  const ClientChannel* channel_key = nullptr;  // identity for channel_closed(); never dereferenced
  ClientInfo info;                             // last_update_ms: wall clock of the last heartbeat
  std::chrono::steady_clock::time_point last_seen;

  // A member whose connection object is gone counts as gone.
  bool alive() const { return !channel.expired(); }
  bool expired(std::chrono::steady_clock::time_point now, std::chrono::milliseconds timeout) const {
    return !alive() || now - last_seen > timeout;
  }
  // Refreshes the member from a heartbeat received over `ch` (whose remote_address() the
  // caller asked before taking its lock: channels are plugin code).
  void refresh(const std::shared_ptr<ClientChannel>& ch, std::string remote_address, std::string_view client_id,
               std::string_view language, int32_t version) {
    channel = ch;
    channel_key = ch.get();
    info.client_id = std::string(client_id);
    info.remote_address = std::move(remote_address);
    info.language = std::string(language);
    info.version = version;
    info.last_update_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    last_seen = std::chrono::steady_clock::now();
  }
};

}  // namespace tern::kernel
