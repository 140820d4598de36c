// Files rewritten whole (the broker's metadata tables, the name server's kvConfig.json):
// a write never leaves a half-written file behind, and the version it replaces stays as
// <file>.bak for a reader to fall back to. Shared by the kernel and plugins (library
// tern_file_io) so there is one implementation of the fsync and rename dance.
//
// These are blocking disk calls: never call them on an io thread.
//
// Thread-safety: free functions; concurrent writers of one path must serialise themselves.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tern/status.h"

namespace tern {

// Replaces `path` with `content`: the bytes go to <path>.tmp and are fsynced, <path>.bak
// is made to hold the current content, the temp file is renamed over `path` and the
// directory is fsynced so the rename survives a crash. Creates the parent directory when
// missing. On failure returns IoError naming the file and the step that failed; `path`
// then still holds its previous content.
Status write_file_atomically(const std::string& path, std::string_view content);

// The whole file; nullopt when it does not exist. IoError naming the file otherwise.
Result<std::optional<std::string>> read_whole_file(const std::string& path);

}  // namespace tern
