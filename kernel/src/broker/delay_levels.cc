// DelayLevels: parsing messageDelayLevel and the due-time arithmetic.
#include "broker/delay_levels.h"

#include <algorithm>

#include "config/value_check.h"

namespace tern::kernel {

Result<DelayLevels> DelayLevels::parse(std::string_view text) {
  DelayLevels table;
  while (!text.empty()) {
    size_t sp = text.find(' ');
    std::string_view token = text.substr(0, sp);
    if (!token.empty()) {
      auto ms = parse_duration_ms(token);
      if (!ms) {
        return Status::invalid_argument("messageDelayLevel: \"" + std::string(token) + "\" (level " +
                                        std::to_string(table.delays_ms_.size() + 1) +
                                        ") is not a duration such as 1s, 5m, 2h, 1d or 100ms");
      }
      table.delays_ms_.push_back(*ms);
    }
    if (sp == std::string_view::npos) break;
    text.remove_prefix(sp + 1);
  }
  if (table.delays_ms_.empty()) return Status::invalid_argument("messageDelayLevel: the table has no level");
  return table;
}

int DelayLevels::cap(int level) const { return std::clamp(level, 1, max_level()); }

int64_t DelayLevels::due_ms(int level, int64_t store_timestamp_ms, int64_t now_ms) const {
  const int64_t delay = delay_ms(level);
  const int64_t due = store_timestamp_ms + delay;
  if (due > now_ms + delay) return now_ms;
  return due;
}

}  // namespace tern::kernel
