// Filter plugins: a FilterFactory compiles a subscription expression of one type ("TAG",
// "SQL92") once into a MessageMatcher; the broker then asks the matcher about each
// candidate message, cheapest check first:
//   1. matches_tags_code() on the consume-queue unit (the tag hash, no commit-log read);
//   2. matches_properties() on the message's properties, only when check 1 passed.
// A message that fails either check is skipped on the broker and never crosses the wire.
//
// Thread-safety: compile() and both match methods may be called concurrently from any
// thread; a compiled matcher is immutable.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "tern/message.h"
#include "tern/plugin.h"
#include "tern/status.h"

namespace tern {

class MessageMatcher {
 public:
  virtual ~MessageMatcher() = default;
  // The tag hash stored in the message's consume-queue unit (see tag_hash.h). Returns
  // false only when the message certainly does not match.
  virtual bool matches_tags_code(int64_t tags_code) const = 0;
  // The full decision, given the stored message's properties.
  virtual bool matches_properties(const PropertyMap& properties) const = 0;
  // False when matches_tags_code() alone decides, so the broker can skip reading properties.
  virtual bool needs_properties() const = 0;
};

class FilterFactory : public Plugin {
 public:
  // The expression type this factory compiles, as clients name it ("TAG", "SQL92").
  virtual std::string_view expression_type() const = 0;
  // Compiles `expression`. On a malformed expression returns InvalidArgument whose message
  // names the position of the fault.
  virtual Result<std::shared_ptr<const MessageMatcher>> compile(std::string_view expression) const = 0;
};

}  // namespace tern
