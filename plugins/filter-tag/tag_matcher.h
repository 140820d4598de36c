// TagMatcher: the MessageMatcher of a compiled TAG expression (see filter.h for how the
// broker uses a matcher, tag_expression.h for the expression's semantics).
//
// Two checks, cheapest first, as RocketMQ does them:
//   - matches_tags_code(): is the consume-queue tag hash one of the subscribed tags'
//     hashes? Hashes collide ("Aa" and "BB" both hash to 2112), so a pass only means
//     "maybe";
//   - matches_properties(): is the message's real tag (property TAGS) one of the
//     subscribed tags? This removes the collisions. RocketMQ does this second check in the
//     client (PullAPIWrapper.processPullResult); Tern does it on the broker so that a
//     colliding message never crosses the wire, and the client's own check still passes.
// A match-all matcher ("*") passes both checks and does not need properties.
//
// Thread-safety: immutable after construction; all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tag_expression.h"
#include "tern/filter.h"
#include "tern/message.h"

namespace tern::filter_tag {

class TagMatcher final : public MessageMatcher {
 public:
  explicit TagMatcher(TagExpression expression);

  // True for match-all, or when the low 32 bits of `tags_code` are the hash of a
  // subscribed tag. Only the low 32 bits count because RocketMQ compares
  // tagsCode.intValue() and every tag hash is a sign-extended 32-bit value.
  bool matches_tags_code(int64_t tags_code) const noexcept override;
  // True for match-all, or when property TAGS is present and equal, byte for byte, to a
  // subscribed tag. A message without TAGS matches only match-all.
  bool matches_properties(const PropertyMap& properties) const noexcept override;
  // False for match-all only.
  bool needs_properties() const noexcept override { return !match_all_; }

  bool match_all() const { return match_all_; }
  // The subscribed tags, sorted; empty for match-all.
  const std::vector<std::string>& tags() const { return tags_; }
  // Their hashes (tern::java_string_hash), sorted and unique; empty for match-all.
  const std::vector<int32_t>& codes() const { return codes_; }

 private:
  bool match_all_;
  std::vector<std::string> tags_;
  std::vector<int32_t> codes_;
};

}  // namespace tern::filter_tag
