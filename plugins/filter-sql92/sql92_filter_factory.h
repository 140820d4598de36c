// Sql92FilterFactory: the filter-sql92 plugin object, a FilterFactory for expression type
// "SQL92" that compiles selectors (sql92_parser.h) into Sql92Matchers.
//
// It holds no resources: start() and stop() have nothing to do. Whether the broker accepts
// SQL92 subscriptions at all is the broker's key enablePropertyFilter, checked by the
// protocol before it asks for a matcher.
//
// Thread-safety: compile() may be called concurrently from any thread (filter.h).
#pragma once

#include <memory>
#include <string_view>

#include "tern/filter.h"
#include "tern/status.h"

namespace tern::filter_sql92 {

inline constexpr std::string_view kExpressionType = "SQL92";

class Sql92FilterFactory final : public FilterFactory {
 public:
  Status start() override { return Status::ok(); }
  void stop() override {}

  std::string_view expression_type() const override { return kExpressionType; }
  // A Sql92Matcher for `expression`, or InvalidArgument naming the line and column of the
  // fault, or ResourceExhausted when memory runs out. Never throws.
  Result<std::shared_ptr<const MessageMatcher>> compile(std::string_view expression) const noexcept override;
};

}  // namespace tern::filter_sql92
