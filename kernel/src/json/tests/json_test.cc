// Tests of the remoting JSON parser and serializer: the grammar, escapes and surrogate
// pairs, big numbers, and refusal of hostile input (deep nesting, trailing garbage).
#include "json/json.h"

#include <gtest/gtest.h>

#include <string>

namespace tern {
namespace {

JsonValue parse_ok(std::string_view text) {
  Result<JsonValue> r = parse_json(text);
  EXPECT_TRUE(r.is_ok()) << text << ": " << r.status().to_string();
  return r.is_ok() ? *r : JsonValue();
}

TEST(JsonTest, ParsesScalars) {
  EXPECT_TRUE(parse_ok("null").is_null());
  EXPECT_TRUE(parse_ok(" true ").as_bool());
  EXPECT_FALSE(parse_ok("false").as_bool());
  EXPECT_EQ(parse_ok("\"abc\"").text(), "abc");
  EXPECT_EQ(parse_ok("-12").text(), "-12");
  EXPECT_EQ(*parse_ok("-12").as_int64(), -12);
  EXPECT_EQ(parse_ok("1.5e-3").text(), "1.5e-3");
}

TEST(JsonTest, ParsesNestedStructures) {
  JsonValue v = parse_ok(R"({"a":[1,{"b":null}],"c":{},"d":[]})");
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.size(), 3u);
  const JsonValue* a = v.find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->is_array());
  EXPECT_EQ(a->size(), 2u);
  EXPECT_TRUE(a->values()[1].find("b")->is_null());
  EXPECT_EQ(v.find("missing"), nullptr);
}

TEST(JsonTest, DuplicateKeyLastWins) {
  JsonValue v = parse_ok(R"({"k":1,"k":2})");
  EXPECT_EQ(v.size(), 1u);
  EXPECT_EQ(v.find("k")->text(), "2");
}

TEST(JsonTest, DuplicatesAmongSimilarKeysAreFound) {
  // Keys of one length and first byte, and keys far apart: only true duplicates merge.
  JsonValue v = parse_ok(R"({"ab":1,"ac":2,"x":0,"ab":3,"a":4,"ac":5,"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":6})");
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v.keys()[0], "ab");
  EXPECT_EQ(v.values()[0].text(), "3");
  EXPECT_EQ(v.find("ac")->text(), "5");
  EXPECT_EQ(v.find("a")->text(), "4");
}

TEST(JsonReaderTest, WalksAnObjectMemberByMember) {
  JsonReader in(R"( {"s":"t\u00e9xt","n":-12.5e1,"b":false,"z":null,"o":{"in":[1,{"x":2}]},"e":{}} )");
  ASSERT_TRUE(in.begin_object().is_ok());
  std::string key, text;
  auto member = [&](std::string_view want, JsonValue::Type type) {
    auto more = in.next_member(&key);
    ASSERT_TRUE(more.is_ok()) << more.status().to_string();
    ASSERT_TRUE(*more);
    EXPECT_EQ(key, want);
    auto t = in.peek();
    ASSERT_TRUE(t.is_ok());
    EXPECT_EQ(*t, type);
  };
  member("s", JsonValue::Type::kString);
  ASSERT_TRUE(in.read_string(&text).is_ok());
  EXPECT_EQ(text, "t\xc3\xa9xt");
  member("n", JsonValue::Type::kNumber);
  ASSERT_TRUE(in.read_number_text(&text).is_ok());
  EXPECT_EQ(text, "-12.5e1");
  member("b", JsonValue::Type::kBool);
  bool b = true;
  ASSERT_TRUE(in.read_bool(&b).is_ok());
  EXPECT_FALSE(b);
  member("z", JsonValue::Type::kNull);
  ASSERT_TRUE(in.read_null().is_ok());
  member("o", JsonValue::Type::kObject);
  JsonValue skipped;
  ASSERT_TRUE(in.read_value(&skipped).is_ok());
  EXPECT_EQ(skipped.find("in")->values()[1].find("x")->text(), "2");
  member("e", JsonValue::Type::kObject);
  ASSERT_TRUE(in.begin_object().is_ok());
  auto inner_end = in.next_member(&key);
  ASSERT_TRUE(inner_end.is_ok());
  EXPECT_FALSE(*inner_end);
  auto end = in.next_member(&key);
  ASSERT_TRUE(end.is_ok());
  EXPECT_FALSE(*end);
  EXPECT_TRUE(in.finish().is_ok());
}

TEST(JsonReaderTest, RefusesWhatParseJsonRefuses) {
  auto walk = [](std::string_view text) -> Status {
    JsonReader in(text);
    if (Status s = in.begin_object(); !s.is_ok()) return s;
    std::string key;
    while (true) {
      auto more = in.next_member(&key);
      if (!more.is_ok()) return more.status();
      if (!*more) return in.finish();
      JsonValue v;
      if (Status s = in.read_value(&v); !s.is_ok()) return s;
    }
  };
  for (std::string_view bad : {R"({"a":1,})", R"({"a" 1})", R"({"a":1 "b":2})", R"({a:1})", R"({"a":1)",
                               R"({"a":1}})", R"({,"a":1})", ""}) {
    Status s = walk(bad);
    EXPECT_TRUE(s.is_invalid_argument()) << bad << ": " << s.to_string();
    EXPECT_FALSE(parse_json(bad).is_ok()) << bad;
    EXPECT_NE(s.message().find("at byte"), std::string::npos) << s.message();
  }
  EXPECT_TRUE(walk("[1]").is_invalid_argument());  // not an object
  EXPECT_TRUE(walk(R"({"a":1,"b":[true]})").is_ok());
  // Type checks name what was expected.
  JsonReader in(R"("text")");
  std::string out;
  EXPECT_TRUE(in.read_number_text(&out).is_invalid_argument());
  JsonReader outside(R"(1)");
  EXPECT_FALSE(outside.next_member(&out).is_ok());
  // begin_object counts toward the depth limit.
  JsonReader deep(R"({"a":{"b":{}}})", 2);
  ASSERT_TRUE(deep.begin_object().is_ok());
  ASSERT_TRUE(deep.next_member(&out).is_ok());
  ASSERT_TRUE(deep.begin_object().is_ok());
  ASSERT_TRUE(deep.next_member(&out).is_ok());
  EXPECT_TRUE(deep.begin_object().is_invalid_argument());
}

TEST(JsonTest, DecodesEscapes) {
  JsonValue v = parse_ok(R"("a\"b\\c\/d\b\f\n\r\t")");
  EXPECT_EQ(v.text(), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(parse_ok(R"("\u0041\u00e9\u20AC")").text(), "A\xC3\xA9\xE2\x82\xAC");
}

TEST(JsonTest, DecodesSurrogatePairToUtf8) {
  // U+1F600 GRINNING FACE
  EXPECT_EQ(parse_ok(R"("\uD83D\uDE00")").text(), "\xF0\x9F\x98\x80");
}

TEST(JsonTest, RejectsBadSurrogates) {
  EXPECT_FALSE(parse_json(R"("\uD83D")").is_ok());
  EXPECT_FALSE(parse_json(R"("\uD83Dx")").is_ok());
  EXPECT_FALSE(parse_json(R"("\uD83D\u0041")").is_ok());
  EXPECT_FALSE(parse_json(R"("\uDE00")").is_ok());
  EXPECT_FALSE(parse_json(R"("\u12G4")").is_ok());
  EXPECT_FALSE(parse_json(R"("\u12")").is_ok());
}

TEST(JsonTest, PassesRawUtf8Through) {
  EXPECT_EQ(parse_ok("\"\xE4\xB8\xAD\"").text(), "\xE4\xB8\xAD");
}

TEST(JsonTest, BigNumbersKeepTheirText) {
  JsonValue big = parse_ok("123456789012345678901234567890");
  EXPECT_EQ(big.text(), "123456789012345678901234567890");
  EXPECT_FALSE(big.as_int64().is_ok());
  EXPECT_EQ(*parse_ok("9223372036854775807").as_int64(), INT64_MAX);
  EXPECT_EQ(*parse_ok("-9223372036854775808").as_int64(), INT64_MIN);
  EXPECT_FALSE(parse_ok("9223372036854775808").as_int64().is_ok());
  EXPECT_FALSE(parse_ok("1.0").as_int64().is_ok());
  EXPECT_FALSE(parse_ok("1e3").as_int64().is_ok());
  EXPECT_FALSE(parse_ok("\"1\"").as_int64().is_ok());
  EXPECT_EQ(serialize_json(big), "123456789012345678901234567890");
}

TEST(JsonTest, RejectsMalformedNumbers) {
  for (const char* text : {"01", "-", "1.", ".5", "1e", "1e+", "+1", "-a", "0x10", "NaN", "Infinity"}) {
    EXPECT_FALSE(parse_json(text).is_ok()) << text;
  }
}

TEST(JsonTest, RejectsTrailingGarbage) {
  Result<JsonValue> r = parse_json("{} x");
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(r.status().is_invalid_argument());
  EXPECT_NE(r.status().message().find("at byte 3"), std::string::npos) << r.status().message();
  EXPECT_FALSE(parse_json("1 2").is_ok());
  EXPECT_FALSE(parse_json("{}}").is_ok());
}

TEST(JsonTest, RejectsMalformedStructures) {
  for (const char* text : {"", " ", "{", "[", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{a:1}",
                           "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "\"abc", "\"a\x01\"", "tru",
                           "nul", "falsey", "\"\\x\"", "'a'", "{0:\"x\"}"}) {
    EXPECT_FALSE(parse_json(text).is_ok()) << text;
  }
}

TEST(JsonTest, ErrorNamesBytePosition) {
  Result<JsonValue> r = parse_json(R"({"a":[1,2,x]})");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("at byte 10"), std::string::npos) << r.status().message();
}

TEST(JsonTest, DepthLimit) {
  std::string ok(kJsonMaxDepth, '[');
  ok += std::string(kJsonMaxDepth, ']');
  EXPECT_TRUE(parse_json(ok).is_ok());
  std::string deep(kJsonMaxDepth + 1, '[');
  deep += std::string(kJsonMaxDepth + 1, ']');
  EXPECT_FALSE(parse_json(deep).is_ok());
  // Hostile nesting far beyond the limit fails without exhausting the stack.
  std::string hostile(1000000, '[');
  EXPECT_FALSE(parse_json(hostile).is_ok());
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  EXPECT_FALSE(parse_json(objects).is_ok());
}

TEST(JsonTest, SerializerEscapes) {
  std::string out;
  append_json_string(&out, std::string("q\"b\\n\n\t\x01\x1f\xC3\xA9", 11));
  EXPECT_EQ(out, "\"q\\\"b\\\\n\\n\\t\\u0001\\u001f\xC3\xA9\"");
}

TEST(JsonTest, SerializeParseRoundTrip) {
  JsonValue obj = JsonValue::object();
  obj.set("s", JsonValue::string("line\nquote\"\x02"));
  obj.set("n", JsonValue::number(-42));
  obj.set("b", JsonValue::boolean(true));
  obj.set("z", JsonValue::null());
  JsonValue arr = JsonValue::array();
  arr.push_back(JsonValue::number_text("1.25e10"));
  arr.push_back(JsonValue::object());
  obj.set("a", arr);
  obj.set("n", JsonValue::number(7));  // replaces
  std::string text = serialize_json(obj);
  EXPECT_EQ(text, R"({"s":"line\nquote\"\u0002","n":7,"b":true,"z":null,"a":[1.25e10,{}]})");
  Result<JsonValue> back = parse_json(text);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, obj);
}

}  // namespace
}  // namespace tern
