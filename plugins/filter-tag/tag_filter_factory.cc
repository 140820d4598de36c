// TagFilterFactory::compile: the only plugin method with work to do. It catches
// everything because no exception may cross the plugin boundary (plugin.h); the only one
// that can occur is std::bad_alloc.
#include "tag_filter_factory.h"

#include <exception>
#include <new>
#include <string>
#include <utility>

#include "tag_expression.h"
#include "tag_matcher.h"

namespace tern::filter_tag {

Result<std::shared_ptr<const MessageMatcher>> TagFilterFactory::compile(std::string_view expression) const noexcept {
  try {
    Result<TagExpression> parsed = parse_tag_expression(expression);
    if (!parsed) return parsed.status();
    return std::shared_ptr<const MessageMatcher>(std::make_shared<const TagMatcher>(std::move(parsed).value()));
  } catch (const std::bad_alloc&) {
    return Status::resource_exhausted("out of memory compiling a TAG expression of " +
                                      std::to_string(expression.size()) + " bytes");
  } catch (const std::exception& e) {
    return Status::internal(std::string("compiling a TAG expression: ") + e.what());
  }
}

}  // namespace tern::filter_tag
