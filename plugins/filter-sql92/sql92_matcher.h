// Sql92Matcher: a compiled SQL92 selector as the broker's MessageMatcher (tern/filter.h).
// The consume-queue unit carries only a tag hash, which says nothing about properties, so
// matches_tags_code() lets everything through and the decision is matches_properties():
// the selector evaluated over the stored message's properties (user properties and system
// ones such as TAGS and KEYS, as RocketMQ's MessageEvaluationContext sees them) is TRUE.
//
// Thread-safety: immutable; both match methods may run concurrently on any thread.
#pragma once

#include <cstdint>
#include <utility>

#include "sql92_expression.h"
#include "tern/filter.h"

namespace tern::filter_sql92 {

class Sql92Matcher final : public MessageMatcher {
 public:
  explicit Sql92Matcher(ExpressionPtr selector) : selector_(std::move(selector)) {}

  bool matches_tags_code(int64_t) const override { return true; }
  bool matches_properties(const PropertyMap& properties) const override { return selects(*selector_, properties); }
  bool needs_properties() const override { return true; }

 private:
  ExpressionPtr selector_;
};

}  // namespace tern::filter_sql92
