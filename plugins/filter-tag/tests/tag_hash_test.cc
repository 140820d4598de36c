// The tag hash (tern::java_string_hash / tern::tags_code from the kernel's tag_hash.h)
// checked against values computed by Java itself, and the TAG matcher checked against the
// same values, so that tagsCodes written by RocketMQ brokers and by Tern agree.
//
// Every expected value below came from OpenJDK 17.0.15's String.hashCode(), printed by
// java_string_hash_values.java in this folder (run it with
// `java plugins/filter-tag/tests/java_string_hash_values.java`; its output is the table
// rows verbatim). The core of that program is:
//
//   byte[] utf8 = ...;  // the tag's bytes as a client sends them
//   int expected = new String(utf8, StandardCharsets.UTF_8).hashCode();
//
// Decoding the bytes (rather than hashing a Java literal) covers malformed UTF-8 the way a
// Java broker sees it.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "tag_expression.h"
#include "tag_matcher.h"
#include "tern/tag_hash.h"

namespace tern::filter_tag {
namespace {

// A literal's bytes, embedded NULs included.
template <size_t N>
constexpr std::string_view bytes(const char (&literal)[N]) {
  return std::string_view(literal, N - 1);
}

struct JavaHash {
  std::string_view utf8;
  int32_t java_hash_code;  // new String(utf8, UTF_8).hashCode() on OpenJDK 17.0.15
  const char* what;
};

// From java_string_hash_values.java (all rows but the encoded surrogates below).
constexpr JavaHash kJavaHashes[] = {
    {bytes(""), 0, R"("")"},
    {bytes("a"), 97, R"("a")"},
    {bytes("TagA"), 2598919, R"("TagA")"},
    {bytes("TagB"), 2598920, R"("TagB")"},
    {bytes("TagC"), 2598921, R"("TagC")"},
    {bytes("Aa"), 2112, R"("Aa")"},
    {bytes("BB"), 2112, R"("BB")"},
    {bytes("*"), 42, R"("*")"},
    {bytes("order_created"), 848461559, R"("order_created")"},
    {bytes("abcdefghijklmnopqrstuvwxyz0123456789"), 1478768498, R"("abcdefghijklmnopqrstuvwxyz0123456789")"},
    {bytes("ORDER_CREATED_V2_HIGH_PRIORITY_REGION_EU_WEST_1"), -980667426, R"("ORDER_CREATED_V2_HIGH_PRIORITY_REGION_EU_WEST_1")"},
    {bytes("f5a5a608"), 0, R"("f5a5a608")"},
    {bytes("polygenelubricants"), -2147483648, R"("polygenelubricants")"},
    {bytes("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"), -1393494016, R"("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~")"},
    {bytes("caf\xC3\xA9"), 3045921, R"("café")"},
    {bytes("\xC3\x9Cn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9"), 1055431381, R"("Ünïcödé")"},
    {bytes("\xE6\xA0\x87\xE7\xAD\xBE" "A"), 26572490, R"("标签A")"},
    {bytes("\xE8\xAE\xA2\xE5\x8D\x95\xE5\xB7\xB2\xE5\x88\x9B\xE5\xBB\xBA"), -688237346, R"("订单已创建")"},
    {bytes("\xE3\x82\xBF\xE3\x82\xB0"), 399313, R"("タグ")"},
    {bytes("\xE3\x82\xAB\xE3\x83\x86\xE3\x82\xB4\xE3\x83\xAA\xE3\x83\xBC_\xE6\xB3\xA8\xE6\x96\x87"), -1805389645, R"("カテゴリー_注文")"},
    {bytes("\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4"), 53916739, R"("한국어")"},
    {bytes("\xF0\x9F\x9A\x80tag"), 1280754391, R"("🚀tag")"},
    {bytes("tag\xF0\x9F\x9A\x80"), 111890173, R"("tag🚀")"},
    {bytes("\xF0\x9F\x98\x80\xF0\x9F\x98\x80"), 1705528838, R"("😀😀")"},
    {bytes("\x7F\xC2\x80"), 4065, R"(U+007F then U+0080)"},
    {bytes("\xDF\xBF"), 2047, R"(U+07FF)"},
    {bytes("\xE0\xA0\x80"), 2048, R"(U+0800)"},
    {bytes("\xED\x9F\xBF"), 55295, R"(U+D7FF, last before surrogates)"},
    {bytes("\xEE\x80\x80"), 57344, R"(U+E000, first after surrogates)"},
    {bytes("\xEF\xBF\xBF"), 65535, R"(U+FFFF)"},
    {bytes("\xF0\x90\x80\x80"), 1770496, R"(U+10000)"},
    {bytes("\xF4\x8F\xBF\xBF"), 1803232, R"(U+10FFFF)"},
    {bytes("a\x00" "b"), 93315, R"(embedded NUL)"},
    {bytes("\x80"), 65533, R"(lone continuation byte)"},
    {bytes("\x80\xBF"), 2097056, R"(two continuation bytes)"},
    {bytes("\xE2\x82"), 65533, R"(truncated 3-byte sequence)"},
    {bytes("\xE2\x82" "A"), 2031588, R"(truncated 3-byte sequence then ASCII)"},
    {bytes("\xF0\x9F\x9A"), 65533, R"(truncated 4-byte sequence)"},
    {bytes("\xF0\x9F\x9Ax"), 2031643, R"(truncated 4-byte sequence then ASCII)"},
    {bytes("\xF0(\x8C\xBC"), 1954429099, R"(4-byte lead, bad second byte)"},
    {bytes("\xC0\xAF"), 2097056, R"(overlong '/')"},
    {bytes("\xE0\x80\x80"), 65074269, R"(overlong 3-byte NUL)"},
    {bytes("\xF0\x80\x80\x80"), 2017367872, R"(overlong 4-byte)"},
    {bytes("\xF4\x90\x80\x80"), 2017367872, R"(above U+10FFFF)"},
    {bytes("\xF8\x88\x80\x80\x80"), -1886039875, R"(5-byte form)"},
    {bytes("\xFE\xFF"), 2097056, R"(0xFE 0xFF)"},
    {bytes("\xC3" "a"), 2031620, R"(2-byte lead then ASCII)"},
    {bytes("T\xC3\xA9\xFF\xE6\xA0\x87"), 4784511, R"(valid, bad, valid)"},
};

// From the same program: UTF-16 surrogates encoded in UTF-8 (bytes ED A0..BF ..). Java's
// decoder reads such a sequence, complete or truncated, as ONE U+FFFD; tag_hash.h today
// stops at the second byte as the Unicode "maximal subpart" rule says and yields one
// U+FFFD per byte, so its hash differs from Java's for these inputs. Reported to the
// kernel's owner with a fix (accept A0..BF after ED, then emit one U+FFFD for a decoded
// surrogate); enable the test below when tag_hash.h has it.
constexpr JavaHash kJavaEncodedSurrogateHashes[] = {
    {bytes("\xED\xA0\x80"), 65533, R"(UTF-16 surrogate U+D800 encoded)"},
    {bytes("\xED\xA0\xBD\xED\xB8\x80"), 2097056, R"(surrogate pair encoded as two 3-byte sequences)"},
    {bytes("\xED\xBF\xBF"), 65533, R"(UTF-16 surrogate U+DFFF encoded)"},
    {bytes("\xED\xA0\x80x"), 2031643, R"(encoded surrogate then ASCII)"},
    {bytes("\xED\xA0"), 65533, R"(truncated encoded surrogate)"},
    {bytes("\xED\xA0x"), 2031643, R"(truncated encoded surrogate then ASCII)"},
};

TEST(JavaStringHash, MatchesJava17) {
  for (const auto& row : kJavaHashes) {
    EXPECT_EQ(java_string_hash(row.utf8), row.java_hash_code) << row.what;
  }
}

TEST(JavaStringHash, EncodedSurrogatesMatchJava17) {
  for (const auto& row : kJavaEncodedSurrogateHashes) {
    EXPECT_EQ(java_string_hash(row.utf8), row.java_hash_code) << row.what;
  }
}

TEST(JavaStringHash, TagsCodeIsTheHashSignExtendedAndZeroWithoutATag) {
  EXPECT_EQ(tags_code(""), 0);
  for (const auto& row : kJavaHashes) {
    if (row.utf8.empty()) continue;
    EXPECT_EQ(tags_code(row.utf8), static_cast<int64_t>(row.java_hash_code)) << row.what;
  }
  EXPECT_EQ(tags_code("polygenelubricants"), INT64_C(-2147483648));  // negative stays negative
}

// A subscription to each tag accepts the code Java computed for it, then the tag itself:
// the matcher hashes exactly as a RocketMQ store does.
TEST(JavaStringHash, MatcherAcceptsJavasCodeForEachTag) {
  for (const auto& row : kJavaHashes) {
    if (java_trim(row.utf8) != row.utf8 || row.utf8.empty() || row.utf8 == "*" ||
        row.utf8.find("||") != std::string_view::npos) {
      continue;  // not expressible as a one-tag subscription
    }
    Result<TagExpression> parsed = parse_tag_expression(row.utf8);
    ASSERT_TRUE(parsed.is_ok()) << row.what << ": " << parsed.status().to_string();
    TagMatcher matcher(std::move(parsed).value());
    ASSERT_EQ(matcher.tags().size(), 1u) << row.what;
    EXPECT_TRUE(matcher.matches_tags_code(row.java_hash_code)) << row.what;
    EXPECT_FALSE(matcher.matches_tags_code(static_cast<int64_t>(row.java_hash_code) + 1)) << row.what;
    EXPECT_TRUE(matcher.matches_properties({{"TAGS", std::string(row.utf8)}})) << row.what;
  }
}

}  // namespace
}  // namespace tern::filter_tag
