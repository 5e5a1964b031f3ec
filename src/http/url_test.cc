#include "http/url.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/headers.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(UrlEncodeTest, KeepsUnreservedAndEscapesTheRest) {
  EXPECT_EQ(UrlEncode("abcXYZ019-_.~"), "abcXYZ019-_.~");
  EXPECT_EQ(UrlEncode("a b+c/d?e=f&g"), "a%20b%2Bc%2Fd%3Fe%3Df%26g");
  EXPECT_EQ(UrlEncode(std::string("\x00\xff", 2)), "%00%FF");
  EXPECT_EQ(UrlEncode("{job=\"x\"}"), "%7Bjob%3D%22x%22%7D");
}

TEST(PercentDecodeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(*PercentDecode("a%20b%2bc", false), "a b+c");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("%C3%A9%e2%82%ac", false), "\xc3\xa9\xe2\x82\xac");
  EXPECT_EQ(*PercentDecode("", true), "");
}

TEST(PercentDecodeTest, RejectsInvalidEscapes) {
  for (std::string_view bad : {"%", "%4", "a%zz", "%g0", "%0g", "abc%"}) {
    auto r = PercentDecode(bad, true);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("invalid URL escape")) << bad;
  }
  EXPECT_THAT(PercentDecode("x%zzy", true).status().message(), HasSubstr("\"%zz\""));
}

TEST(ParseQueryStringTest, RepeatsEmptiesAndOrder) {
  ParamList p;
  ASSERT_TRUE(ParseQueryString("match[]=up&match%5B%5D=a+b&&flag&x=&=v&q=1%3D2", &p).ok());
  EXPECT_THAT(p, ElementsAre(Pair("match[]", "up"), Pair("match[]", "a b"), Pair("flag", ""),
                             Pair("x", ""), Pair("", "v"), Pair("q", "1=2")));
  ParamList empty;
  ASSERT_TRUE(ParseQueryString("", &empty).ok());
  EXPECT_TRUE(empty.empty());
}

TEST(ParseQueryStringTest, ErrorsNameTheParameter) {
  ParamList p;
  absl::Status st = ParseQueryString("ok=1&query=%zz", &p);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("\"query\""));
  EXPECT_THAT(st.message(), HasSubstr("invalid URL escape"));
  EXPECT_FALSE(ParseQueryString("%x=1", &p).ok());
}

TEST(ParseQueryStringTest, EncodeRoundTrips) {
  ParamList in = {{"query", "sum(rate(x{a=\"b c\"}[5m]))"}, {"match[]", "&="}, {"", ""}};
  ParamList out;
  ASSERT_TRUE(ParseQueryString(EncodeQueryString(in), &out).ok());
  EXPECT_EQ(in, out);
}

TEST(ParseHttpUrlTest, Accepts) {
  auto u = ParseHttpUrl("http://localhost:9090/api/v1/query?query=up#x");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "localhost");
  EXPECT_EQ(u->port, 9090);
  EXPECT_EQ(u->target, "/api/v1/query?query=up");
  u = ParseHttpUrl("HTTP://example.com");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/");
  u = ParseHttpUrl("http://[::1]:8080?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/?x=1");
}

TEST(ParseHttpUrlTest, Rejects) {
  struct Case {
    const char* url;
    const char* why;
  } cases[] = {
      {"https://x/", "https is not supported"}, {"ftp://x/", "unsupported scheme"},
      {"localhost:80/", "missing scheme"},      {"http:///path", "empty host"},
      {"http://u:p@host/", "userinfo"},         {"http://host:0/", "invalid port"},
      {"http://host:70000/", "invalid port"},   {"http://host:abc/", "invalid port"},
      {"http://host:/", "empty port"},          {"http://::1/", "brackets"},
      {"http://[::1/", "unterminated"},         {"http://host/a b", "space"},
  };
  for (const auto& c : cases) {
    auto u = ParseHttpUrl(c.url);
    ASSERT_FALSE(u.ok()) << c.url;
    EXPECT_THAT(u.status().message(), HasSubstr(c.why)) << c.url;
  }
}

TEST(HeadersTest, CaseInsensitiveLookup) {
  HttpHeaders h;
  h.Add("Content-Type", "text/plain");
  h.Add("X-Multi", "a");
  h.Add("x-multi", "b");
  EXPECT_EQ(h.GetOr("content-type"), "text/plain");
  EXPECT_THAT(h.GetAll("X-MULTI"), ElementsAre("a", "b"));
  EXPECT_FALSE(h.Get("missing").has_value());
  h.Set("X-Multi", "c");
  EXPECT_THAT(h.GetAll("x-multi"), ElementsAre("c"));
  h.Remove("CONTENT-TYPE");
  EXPECT_FALSE(h.Has("Content-Type"));
}

TEST(HeadersTest, AcceptsEncoding) {
  EXPECT_TRUE(AcceptsEncoding("gzip", "gzip"));
  EXPECT_TRUE(AcceptsEncoding("deflate, GZIP;q=0.5", "gzip"));
  EXPECT_TRUE(AcceptsEncoding(" br , gzip ", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("gzip;q=0", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("gzip; q=0.000", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("identity", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("", "gzip"));
  EXPECT_FALSE(AcceptsEncoding("xgzip", "gzip"));
}

TEST(UrlTest, SplitHostPort) {
  std::string host;
  uint16_t port;
  ASSERT_TRUE(SplitHostPort("[::1]:9090", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9090);
  ASSERT_TRUE(SplitHostPort(":80", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(SplitHostPort("a:70000", &host, &port).ok());
}

}  // namespace
}  // namespace vigil
