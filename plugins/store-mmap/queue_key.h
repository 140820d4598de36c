// QueueKey: a (topic, queue id) map key that can be looked up with a string_view, so the
// put, dispatch and pull paths, which ask on every message, allocate nothing to find one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace tern::store_mmap {

using QueueKey = std::pair<std::string, int32_t>;
using QueueKeyView = std::pair<std::string_view, int32_t>;

struct QueueKeyLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return QueueKeyView(a.first, a.second) < QueueKeyView(b.first, b.second);
  }
};

}  // namespace tern::store_mmap
