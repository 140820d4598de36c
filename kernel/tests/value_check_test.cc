// Typed value checks: what each ConfigType accepts and the phrase it reports otherwise.
#include "config/value_check.h"

#include <gtest/gtest.h>

namespace tern::kernel {
namespace {

ConfigKeySpec spec(ConfigType type, const char* constraint = "") { return {"k", type, "", constraint, "", 0}; }

TEST(ValueCheck, IntegerRangeAndOverflow) {
  auto port = spec(ConfigType::kInt, "1..65535");
  EXPECT_FALSE(check_config_value(port, "10911"));
  EXPECT_FALSE(check_config_value(port, "+1"));
  EXPECT_EQ(check_config_value(port, "0").value_or(""), "an integer in 1..65535");
  EXPECT_TRUE(check_config_value(port, "65536"));
  EXPECT_TRUE(check_config_value(port, "abc"));
  EXPECT_TRUE(check_config_value(port, ""));
  EXPECT_TRUE(check_config_value(port, "12 34"));
  EXPECT_TRUE(check_config_value(spec(ConfigType::kInt), "2147483648"));
  EXPECT_FALSE(check_config_value(spec(ConfigType::kLong), "2147483648"));
  EXPECT_TRUE(check_config_value(spec(ConfigType::kLong), "99999999999999999999"));
  EXPECT_EQ(check_config_value(spec(ConfigType::kLong, "1.."), "0").value_or(""), "an integer >= 1");
}

TEST(ValueCheck, Bool) {
  EXPECT_FALSE(check_config_value(spec(ConfigType::kBool), "true"));
  EXPECT_FALSE(check_config_value(spec(ConfigType::kBool), "false"));
  EXPECT_EQ(check_config_value(spec(ConfigType::kBool), "yes").value_or(""), "true or false");
}

TEST(ValueCheck, EnumNamesTheChoices) {
  auto e = spec(ConfigType::kEnum, "ASYNC_FLUSH|SYNC_FLUSH");
  EXPECT_FALSE(check_config_value(e, "SYNC_FLUSH"));
  EXPECT_EQ(check_config_value(e, "sync_flush").value_or(""), "one of ASYNC_FLUSH, SYNC_FLUSH");
}

TEST(ValueCheck, AddressList) {
  auto a = spec(ConfigType::kAddressList);
  EXPECT_FALSE(check_config_value(a, ""));
  EXPECT_FALSE(check_config_value(a, "127.0.0.1:9876"));
  EXPECT_FALSE(check_config_value(a, "a:9876;b:9877;"));
  EXPECT_TRUE(check_config_value(a, "127.0.0.1"));
  EXPECT_TRUE(check_config_value(a, "host:0"));
  EXPECT_TRUE(check_config_value(a, ":9876"));
}

TEST(ValueCheck, Durations) {
  auto d = spec(ConfigType::kDurationList);
  EXPECT_FALSE(check_config_value(d, "1s 5s 10s 30s 1m 2m 1h 2h 1d"));
  EXPECT_TRUE(check_config_value(d, "1s 5x"));
  EXPECT_TRUE(check_config_value(d, "0s"));
  EXPECT_TRUE(check_config_value(d, "  "));
  EXPECT_EQ(parse_duration_ms("2h").value_or(0), 7'200'000);
  EXPECT_EQ(parse_duration_ms("1d").value_or(0), 86'400'000);
  EXPECT_FALSE(parse_duration_ms("s"));
}

TEST(ValueCheck, HoursAndNames) {
  auto h = spec(ConfigType::kHourList);
  EXPECT_FALSE(check_config_value(h, "04"));
  EXPECT_FALSE(check_config_value(h, "04;16"));
  EXPECT_TRUE(check_config_value(h, "24"));
  EXPECT_TRUE(check_config_value(h, ""));
  auto n = spec(ConfigType::kNameList);
  EXPECT_FALSE(check_config_value(n, "store-mmap, filter-tag"));
  EXPECT_FALSE(check_config_value(n, ""));
  EXPECT_TRUE(check_config_value(n, "../evil"));
  EXPECT_TRUE(check_config_value(n, "a b"));
}

}  // namespace
}  // namespace tern::kernel
