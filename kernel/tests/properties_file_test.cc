// broker.properties parsing: Java Properties rules and every error path.
#include "config/properties_file.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace tern::kernel {
namespace {

std::vector<PropertyEntry> parse_ok(std::string_view text) {
  auto r = parse_properties(text, "test.properties");
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? *r : std::vector<PropertyEntry>{};
}

TEST(PropertiesFile, SeparatorsCommentsAndBlankLines) {
  auto e = parse_ok("# comment\n! also a comment\n\n  a=1\nb: 2\nc 3\nd   =   4  \n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].key, "a");
  EXPECT_EQ(e[0].value, "1");
  EXPECT_EQ(e[0].line, 4);
  EXPECT_EQ(e[1].key, "b");
  EXPECT_EQ(e[1].value, "2");
  EXPECT_EQ(e[2].key, "c");
  EXPECT_EQ(e[2].value, "3");
  EXPECT_EQ(e[3].value, "4");  // trailing spaces trimmed
  EXPECT_EQ(e[3].line, 7);
}

TEST(PropertiesFile, ContinuationLinesKeepTheirStartLine) {
  auto e = parse_ok("x=1\nmessageDelayLevel=1s 5s \\\n    10s\ny=2\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[1].key, "messageDelayLevel");
  EXPECT_EQ(e[1].value, "1s 5s 10s");
  EXPECT_EQ(e[1].line, 2);
  EXPECT_EQ(e[2].line, 4);
}

TEST(PropertiesFile, EscapedBackslashDoesNotContinue) {
  auto e = parse_ok("path=C:\\\\\nnext=1\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].value, "C:\\");
}

TEST(PropertiesFile, EscapesAndUnicode) {
  auto e = parse_ok("a\\=b=c\\td\nname=\\u00e9t\\u00E9\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].key, "a=b");
  EXPECT_EQ(e[0].value, "c\td");
  EXPECT_EQ(e[1].value, "\xc3\xa9t\xc3\xa9");
}

TEST(PropertiesFile, CrLfAndMissingFinalNewline) {
  auto e = parse_ok("a=1\r\nb=2\r\nc=3");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[1].line, 2);
  EXPECT_EQ(e[2].value, "3");
}

TEST(PropertiesFile, EmptyValueAndDuplicateKeysAreAllReturned) {
  auto e = parse_ok("a=\na=2\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].value, "");
  EXPECT_EQ(e[1].value, "2");
}

TEST(PropertiesFile, MalformedUnicodeEscapeNamesTheLine) {
  auto r = parse_properties("a=1\nb=\\u12x4\n", "conf/x.properties");
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(r.status().is_invalid_argument());
  EXPECT_NE(r.status().message().find("conf/x.properties:2"), std::string::npos) << r.status().message();
}

TEST(PropertiesFile, MissingFileNamesThePath) {
  auto r = read_properties_file("/nonexistent/dir/broker.properties");
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(r.status().is_io_error());
  EXPECT_NE(r.status().message().find("/nonexistent/dir/broker.properties"), std::string::npos);
}

TEST(PropertiesFile, DirectoryIsRefused) {
  auto dir = std::filesystem::temp_directory_path();
  auto r = read_properties_file(dir.string());
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find(dir.string()), std::string::npos) << r.status().message();
}

TEST(PropertiesFile, ReadsARealFile) {
  auto path = std::filesystem::temp_directory_path() / ("tern-props-" + std::to_string(::getpid()));
  std::ofstream(path) << "listenPort=10911\n";
  auto r = read_properties_file(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].value, "10911");
}

}  // namespace
}  // namespace tern::kernel
