// sql92_bench: evaluations per second of the selector `a > 5 AND b = 'x' AND c IS NOT NULL`
// over messages of a dozen properties (half of them selected), and of the TAG matcher
// (`TagA || TagB`, tag-code check then property check) over the same messages, so the
// two figures come from one run on one machine. docs/PERFORMANCE.md records the results.
//
// Usage: sql92_bench [seconds per figure, default 2]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "sql92_filter_factory.h"
#include "tag_filter_factory.h"
#include "tern/message.h"
#include "tern/tag_hash.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<tern::PropertyMap> make_messages() {
  std::vector<tern::PropertyMap> out;
  for (int i = 0; i < 1024; ++i) {
    tern::PropertyMap p{{"a", std::to_string(i % 11)},
                        {"b", i % 3 == 0 ? "y" : "x"},
                        {"TAGS", i % 2 == 0 ? "TagA" : "TagC"},
                        {"KEYS", std::string("order-").append(std::to_string(i))},
                        {"UNIQ_KEY", std::string("7F0000010001").append(std::to_string(100000 + i))},
                        {"WAIT", "true"},
                        {"region", "eu-west"},
                        {"tenant", std::string("t").append(std::to_string(i % 7))},
                        {"trace", "off"},
                        {"priority", std::to_string(i % 5)}};
    if (i % 4 != 0) p["c"] = "present";
    out.push_back(std::move(p));
  }
  return out;
}

// Runs `match` over the messages for about `seconds`; returns evaluations per second and
// the number selected in the last pass over the messages (a checksum against elision).
template <typename F>
std::pair<double, size_t> measure(const std::vector<tern::PropertyMap>& messages, double seconds, F&& match) {
  size_t evaluations = 0, selected = 0;
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    selected = 0;
    for (const auto& m : messages) selected += match(m) ? 1 : 0;
    evaluations += messages.size();
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return {static_cast<double>(evaluations) / elapsed, selected};
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  if (seconds <= 0) seconds = 2.0;
  auto messages = make_messages();

  tern::filter_sql92::Sql92FilterFactory sql;
  const char* selector = "a > 5 AND b = 'x' AND c IS NOT NULL";
  auto sql_matcher = sql.compile(selector);
  tern::filter_tag::TagFilterFactory tag;
  auto tag_matcher = tag.compile("TagA || TagB");
  if (!sql_matcher.is_ok() || !tag_matcher.is_ok()) {
    std::fprintf(stderr, "sql92_bench: compile failed\n");
    return 1;
  }
  std::vector<int64_t> codes;
  for (const auto& m : messages) codes.push_back(tern::tags_code(m.at("TAGS")));

  auto [sql_rate, sql_selected] =
      measure(messages, seconds, [&](const tern::PropertyMap& m) { return (*sql_matcher)->matches_properties(m); });
  size_t i = 0;
  auto [tag_rate, tag_selected] = measure(messages, seconds, [&](const tern::PropertyMap& m) {
    int64_t code = codes[i++ % codes.size()];
    return (*tag_matcher)->matches_tags_code(code) && (*tag_matcher)->matches_properties(m);
  });

  std::printf("messages: %zu, each with %zu-11 properties\n", messages.size(), messages[0].size());
  std::printf("SQL92 `%s`: %.2f M evaluations/s (%zu of %zu selected)\n", selector, sql_rate / 1e6, sql_selected,
              messages.size());
  std::printf("TAG `TagA || TagB` (code, then property): %.2f M evaluations/s (%zu of %zu selected)\n",
              tag_rate / 1e6, tag_selected, messages.size());
  std::printf("ratio TAG / SQL92: %.1f\n", tag_rate / sql_rate);
  return 0;
}
