// Sql92FilterFactory::compile: parse once, wrap the tree in a matcher. It catches
// everything because no exception may cross the plugin boundary (plugin.h).
#include "sql92_filter_factory.h"

#include <exception>
#include <new>
#include <string>
#include <utility>

#include "sql92_matcher.h"
#include "sql92_parser.h"

namespace tern::filter_sql92 {

Result<std::shared_ptr<const MessageMatcher>> Sql92FilterFactory::compile(std::string_view expression) const noexcept {
  try {
    Result<ExpressionPtr> parsed = parse_sql92(expression);
    if (!parsed) return parsed.status();
    return std::shared_ptr<const MessageMatcher>(std::make_shared<const Sql92Matcher>(std::move(parsed).value()));
  } catch (const std::bad_alloc&) {
    return Status::resource_exhausted("out of memory compiling a SQL92 selector of " +
                                      std::to_string(expression.size()) + " bytes");
  } catch (const std::exception& e) {
    return Status::internal(std::string("compiling a SQL92 selector: ") + e.what());
  }
}

}  // namespace tern::filter_sql92
