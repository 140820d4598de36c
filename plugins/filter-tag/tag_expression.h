// TagExpression: a RocketMQ TAG subscription expression ("TagA || TagB", "*") parsed into
// the set of tags it names. This is the codec of the filter-tag plugin: pure parsing, no
// I/O, so it can be tested and fuzzed alone. TagMatcher (tag_matcher.h) turns the result
// into a MessageMatcher.
//
// Syntax and semantics follow RocketMQ 4.x FilterAPI.buildSubscriptionData, so that a
// consumer sees the same messages as on a Java broker:
//   - the whole expression, trimmed, is "" or "*": every message matches, also those with
//     no tag;
//   - otherwise it is split on "||" (leftmost first, non-overlapping, like Java's
//     String.split("\\|\\|")), each piece is trimmed like Java's String.trim() (bytes
//     <= 0x20 at both ends), empty pieces are dropped, and the rest are the tags. A single
//     '|' is part of a tag, and "*" inside a list ("TagA || *") is a literal tag, as in
//     RocketMQ.
// Where RocketMQ is accidental we decide and document (see README.md):
//   - "TagA ||", "|| TagA", "TagA |||| TagB": the empty pieces are dropped (as RocketMQ);
//   - an expression of whitespace only is "*" (RocketMQ would match nothing);
//   - an expression that contains "||" but no tag ("||", " || ") is refused with
//     InvalidArgument (RocketMQ throws for "||" and matches nothing for " || ").
//
// Thread-safety: parse_tag_expression() is a pure function; a TagExpression is a value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tern/status.h"

namespace tern::filter_tag {

struct TagExpression {
  // True for "", "*" and whitespace: every message matches and `tags` is empty.
  bool match_all = false;
  // The tags named, trimmed, sorted and without duplicates; not empty unless match_all.
  std::vector<std::string> tags;
};

// Parses `expression` as described above. Returns InvalidArgument, naming the expression
// and the offset of its first "||", when the expression contains "||" but names no tag.
// Never throws except std::bad_alloc.
[[nodiscard]] Result<TagExpression> parse_tag_expression(std::string_view expression);

// Java's String.trim() on UTF-8 bytes: drops bytes <= 0x20 (space and ASCII control
// characters) at both ends. Byte-wise is exact because no byte of a multi-byte UTF-8
// sequence is below 0x80.
std::string_view java_trim(std::string_view text);

}  // namespace tern::filter_tag
