// libFuzzer target: SQL92 selectors come from clients (a pull request's subscription, a
// heartbeat, CHECK_CLIENT_CONFIG), so parsing and evaluating must take any bytes without
// crashing and keep their invariants:
//   - a refusal is InvalidArgument naming a position (or the length), never anything else;
//   - an accepted selector evaluates over any properties without crashing, and a selector
//     and its negation never both select the same message (three-valued logic).
// The input is the selector; its bytes, cut in pieces, also make the properties it is
// evaluated against, so that property names the selector uses turn up.
// Build with the fuzz preset (clang, TERN_FUZZ=ON); run `fuzz_sql92_selector`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sql92_parser.h"
#include "tern/check.h"
#include "tern/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern;
  using namespace tern::filter_sql92;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  Result<ExpressionPtr> parsed = parse_sql92(text);
  if (!parsed.is_ok()) {
    TERN_CHECK(parsed.status().is_invalid_argument(), "a refusal is InvalidArgument");
    const std::string& m = parsed.status().message();
    TERN_CHECK(m.find("line ") != std::string::npos || m.find("bytes") != std::string::npos,
               "a refusal names the position");
    return 0;
  }
  auto negated = parse_sql92("NOT (" + std::string(text) + ")");

  // Properties: every identifier-like word of the input, valued by the word that follows.
  PropertyMap props;
  std::string word, previous;
  for (char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
        c == '-') {
      word.push_back(c);
    } else if (!word.empty()) {
      if (!previous.empty()) props[previous] = word;
      previous = std::move(word);
      word.clear();
    }
  }
  if (!previous.empty()) props[previous] = word;

  for (const PropertyMap& p : {PropertyMap{}, props}) {
    bool selected = selects(**parsed, p);
    if (negated.is_ok()) TERN_CHECK(!(selected && selects(**negated, p)), "a selector and its negation both selected");
  }
  return 0;
}
