#include "common/time_util.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(TimeUtilTest, ParsesPrometheusDurations) {
  EXPECT_EQ(*ParseDurationMs("5m"), 300000);
  EXPECT_EQ(*ParseDurationMs("1h30m"), 5400000);
  EXPECT_EQ(*ParseDurationMs("250ms"), 250);
  EXPECT_EQ(*ParseDurationMs("1m500ms"), 60500);
  EXPECT_EQ(*ParseDurationMs("2d"), 2 * 86400000LL);
  EXPECT_EQ(*ParseDurationMs("0"), 0);
  EXPECT_FALSE(ParseDurationMs("").ok());
  EXPECT_FALSE(ParseDurationMs("5").ok());
  EXPECT_FALSE(ParseDurationMs("m").ok());
  EXPECT_FALSE(ParseDurationMs("30m1h").ok());  // units must descend
  EXPECT_FALSE(ParseDurationMs("1m1m").ok());
  EXPECT_FALSE(ParseDurationMs("99999999999999999999y").ok());
}

TEST(TimeUtilTest, ApiDurationsAcceptSeconds) {
  EXPECT_EQ(*ParseApiDurationMs("15"), 15000);
  EXPECT_EQ(*ParseApiDurationMs("0.5"), 500);
  EXPECT_EQ(*ParseApiDurationMs("1m"), 60000);
  EXPECT_EQ(ParseApiDurationMs("x").status().message(), "cannot parse \"x\" to a valid duration");
}

TEST(TimeUtilTest, ParsesTimestamps) {
  EXPECT_EQ(*ParseTimestampMs("1700000000.123"), 1700000000123);
  EXPECT_EQ(*ParseTimestampMs("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*ParseTimestampMs("2023-11-14T22:13:20.5+00:00"), 1700000000500);
  EXPECT_FALSE(ParseTimestampMs("yesterday").ok());
  EXPECT_FALSE(ParseTimestampMs("NaN").ok());
}

TEST(TimeUtilTest, FormatsDurations) {
  EXPECT_EQ(FormatDurationMs(5400000), "1h30m");
  EXPECT_EQ(FormatDurationMs(0), "0s");
  EXPECT_EQ(FormatDurationMs(1500), "1s500ms");
}

}  // namespace
}  // namespace vigil
