// Status and Result: codes, messages, context and the checked value access.
#include "tern/status.h"

#include <gtest/gtest.h>

namespace tern {
namespace {

TEST(Status, OkAndFailures) {
  Status ok;
  EXPECT_TRUE(ok.is_ok());
  EXPECT_EQ(ok.to_string(), "OK");
  Status s = Status::not_found("topic T");
  EXPECT_FALSE(s.is_ok());
  EXPECT_TRUE(s.is_not_found());
  EXPECT_EQ(s.to_string(), "Not found: topic T");
  EXPECT_EQ(s.with_context("route").message(), "route: topic T");
  EXPECT_TRUE(ok.with_context("x").is_ok());
}

Status fails() { return Status::io_error("disk"); }
Status propagates() {
  TERN_RETURN_IF_ERROR(fails());
  return Status::ok();
}

TEST(Status, ReturnIfError) { EXPECT_TRUE(propagates().is_io_error()); }

TEST(Result, ValueOrStatus) {
  Result<int> v = 7;
  ASSERT_TRUE(v.is_ok());
  EXPECT_EQ(*v, 7);
  Result<int> e = Status::timeout("slow");
  EXPECT_FALSE(e.is_ok());
  EXPECT_TRUE(e.status().is_timeout());
  Result<int> from_ok = Status::ok();  // a misuse is turned into an error, not an empty value
  EXPECT_FALSE(from_ok.is_ok());
}

TEST(ResultDeathTest, ValueOfAFailureAborts) {
  Result<int> e = Status::timeout("slow");
  EXPECT_DEATH((void)e.value(), "value\\(\\) of a failed Result: Timeout: slow");
}

}  // namespace
}  // namespace tern
