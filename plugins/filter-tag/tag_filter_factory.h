// TagFilterFactory: the filter-tag plugin object, a FilterFactory for expression type
// "TAG" that compiles RocketMQ tag expressions into TagMatchers (tag_matcher.h).
//
// It holds no resources: start() and stop() have nothing to do, and compile() needs
// nothing but its argument.
//
// Thread-safety: compile() may be called concurrently from any thread (filter.h).
#pragma once

#include <memory>
#include <string_view>

#include "tern/filter.h"
#include "tern/status.h"

namespace tern::filter_tag {

inline constexpr std::string_view kExpressionType = "TAG";

class TagFilterFactory final : public FilterFactory {
 public:
  Status start() override { return Status::ok(); }
  void stop() override {}

  std::string_view expression_type() const override { return kExpressionType; }
  // A TagMatcher for `expression`, or InvalidArgument when it contains "||" but names no
  // tag (tag_expression.h), or ResourceExhausted when memory runs out. Never throws.
  Result<std::shared_ptr<const MessageMatcher>> compile(std::string_view expression) const noexcept override;
};

}  // namespace tern::filter_tag
