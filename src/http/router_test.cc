#include "http/router.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

HttpHandler Noop() {
  return [](const HttpRequest&, HttpResponse&) {};
}

std::string Found(const Router& r, std::string_view method, std::string_view path) {
  auto m = r.Find(method, path);
  if (!m.ok()) return "error";
  if (m->outcome == Router::Outcome::kNotFound) return "404";
  if (m->outcome == Router::Outcome::kMethodNotAllowed) return "405 " + m->allow;
  return m->route->handler_name;
}

TEST(RouterTest, ExactParamsAndWildcard) {
  Router r;
  r.Handle("GET", "/api/v1/query", Noop(), "query_get");
  r.Handle("POST", "/api/v1/query", Noop(), "query_post");
  r.Handle("GET", "/api/v1/label/:name/values", Noop(), "label_values");
  r.Handle("GET", "/api/v1/label/__name__/values", Noop(), "metric_names");
  r.Handle("GET", "/ui/*", Noop(), "ui");
  r.Handle("GET", "/ui/api/*", Noop(), "ui_api");
  r.Handle("*", "/any", Noop(), "any");
  r.Handle("DELETE", "/any", Noop(), "any_delete");

  EXPECT_EQ(Found(r, "GET", "/api/v1/query"), "query_get");
  EXPECT_EQ(Found(r, "HEAD", "/api/v1/query"), "query_get");
  EXPECT_EQ(Found(r, "POST", "/api/v1/query"), "query_post");
  EXPECT_EQ(Found(r, "PUT", "/api/v1/query"), "405 GET, HEAD, POST");
  EXPECT_EQ(Found(r, "GET", "/api/v1/query/"), "404");
  EXPECT_EQ(Found(r, "GET", "/api/v1/label/job/values"), "label_values");
  EXPECT_EQ(Found(r, "GET", "/api/v1/label/__name__/values"), "metric_names");
  EXPECT_EQ(Found(r, "GET", "/api/v1/label//values"), "404");
  EXPECT_EQ(Found(r, "GET", "/ui/"), "ui");
  EXPECT_EQ(Found(r, "GET", "/ui/a/b.js"), "ui");
  EXPECT_EQ(Found(r, "GET", "/ui"), "404");
  EXPECT_EQ(Found(r, "GET", "/ui/api/x"), "ui_api");
  EXPECT_EQ(Found(r, "PATCH", "/any"), "any");
  EXPECT_EQ(Found(r, "DELETE", "/any"), "any_delete");
  EXPECT_EQ(Found(r, "GET", "/nope"), "404");
}

TEST(RouterTest, PathParamsAreDecodedPerSegment) {
  Router r;
  r.Handle("GET", "/api/v1/label/:name/values", Noop(), "lv");
  r.Handle("GET", "/static/*", Noop(), "static");
  auto m = r.Find("GET", "/api/v1/label/a%2Fb%20c/values");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->outcome, Router::Outcome::kFound);
  EXPECT_THAT(m->path_params, ElementsAre(Pair("name", "a/b c")));
  m = r.Find("GET", "/static/css/x%20y.css");
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m->path_params, ElementsAre(Pair("*", "css/x y.css")));
}

TEST(RouterTest, BadPathIsAnError) {
  Router r;
  r.Handle("GET", "/a", Noop(), "a");
  EXPECT_FALSE(r.Find("GET", "/a%zz").ok());
  EXPECT_FALSE(r.Find("GET", "a").ok());
  EXPECT_FALSE(r.Find("GET", "").ok());
}

TEST(RouterTest, ReRegisteringReplaces) {
  Router r;
  r.Handle("GET", "/x", Noop(), "first");
  r.Handle("GET", "/x", Noop(), "second");
  EXPECT_EQ(Found(r, "GET", "/x"), "second");
}

TEST(RouterDeathTest, MalformedPatternAborts) {
  Router r;
  EXPECT_DEATH(r.Handle("GET", "no-slash", Noop(), "x"), "must start with");
  EXPECT_DEATH(r.Handle("GET", "/a/*/b", Noop(), "x"), "last segment");
  EXPECT_DEATH(r.Handle("GET", "/a/:", Noop(), "x"), "empty parameter");
}

}  // namespace
}  // namespace vigil
