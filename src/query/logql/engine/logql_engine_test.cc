#include "query/logql/engine/logql_engine.h"


#include "common/strings.h"
#include "common/time_util.h"
#include "gtest/gtest.h"
#include "storage/logs/temp_logs_db.h"

namespace vigil::logql {
namespace {

constexpr int64_t kSec = 1'000'000'000;

class LogqlEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = (NowNs() / (60 * kSec) - 60) * 60 * kSec;  // a minute boundary an hour ago
    LogBatch b;
    uint32_t err = b.AddStream(Labels{{"level", "error"}, {"service_name", "checkout"}});
    uint32_t info = b.AddStream(Labels{{"level", "info"}, {"service_name", "checkout"}});
    uint32_t api = b.AddStream(Labels{{"level", "info"}, {"service_name", "api"}});
    // 120 seconds of data: one checkout line per second (every 4th an error), one api line
    // (logfmt) per second, one JSON line from api every 10 s.
    for (int i = 0; i < 120; ++i) {
      int64_t t = base_ + i * kSec;
      LogBatch::Entry& c = b.AddEntry(i % 4 == 0 ? err : info);
      c.timestamp_ns = t;
      if (i % 4 == 0) {
        c.body = b.Copy(StrCat("payment declined for order ", i));
        c.trace_id = b.Copy(StrCat("000000000000000000000000000000", i < 10 ? "0" : "", i % 100));
        b.AddField("error_code", i % 8 == 0 ? "PAYMENT_DECLINED" : "TIMEOUT");
      } else {
        c.body = b.Copy(StrCat("order ", i, " placed"));
      }
      LogBatch::Entry& a = b.AddEntry(api);
      a.timestamp_ns = t + 1;
      a.body = b.Copy(StrCat("method=", i % 2 ? "GET" : "POST", " route=/orders status=",
                             i % 10 == 0 ? 500 : 200, " took=", 10 + i % 30, "ms"));
      if (i % 10 == 5) {
        LogBatch::Entry& j = b.AddEntry(api);
        j.timestamp_ns = t + 2;
        j.body = b.Copy(StrCat("{\"status\":", 500 + i % 3, ",\"user\":{\"id\":", i, "}}"));
      }
    }
    ASSERT_TRUE(db_->Append(b).ok());
    ASSERT_TRUE(db_->Flush().ok());  // most of it in a segment …
    LogBatch late;
    uint32_t s = late.AddStream(Labels{{"level", "info"}, {"service_name", "checkout"}});
    LogBatch::Entry& e = late.AddEntry(s);
    e.timestamp_ns = base_ + 120 * kSec;
    e.body = "order 120 placed";
    ASSERT_TRUE(db_->Append(late).ok());  // … and a line in the head
  }

  absl::StatusOr<LogqlResult> Range(std::string_view text, int64_t step = 60 * kSec,
                                    size_t limit = 100, bool backward = true) {
    LogqlQuery q;
    q.text = std::string(text);
    q.start_ns = base_;
    q.end_ns = base_ + 180 * kSec;
    q.step_ns = step;
    q.limit = limit;
    q.backward = backward;
    return engine_.Exec(db_.db(), q);
  }
  absl::StatusOr<LogqlResult> Instant(std::string_view text, int64_t at) {
    LogqlQuery q;
    q.text = std::string(text);
    q.instant = true;
    q.end_ns = at;
    q.start_ns = at - 3600 * kSec;
    return engine_.Exec(db_.db(), q);
  }
  static size_t Entries(const LogqlResult& r) {
    size_t n = 0;
    for (const auto& s : r.streams) n += s.entries.size();
    return n;
  }
  // The value of the series with `labels` at step `i`, or -1 when absent.
  static double At(const LogqlResult& r, const Labels& labels, size_t i) {
    for (const auto& s : r.value.series) {
      if (s.labels == labels) return s.present[i] ? s.values[i] : -1;
    }
    return -2;
  }

  TempLogsDb db_;
  LogqlEngine engine_;
  int64_t base_ = 0;
};

TEST_F(LogqlEngineTest, LogQueriesLimitDirectionAndFilters) {
  auto r = Range(R"({service_name="checkout"})", 0, 5);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->type, LogqlResult::Type::kStreams);
  ASSERT_EQ(Entries(*r), 5u);
  int64_t newest = 0;
  for (const auto& s : r->streams) newest = std::max(newest, s.entries.front().timestamp_ns);
  EXPECT_EQ(newest, base_ + 120 * kSec);  // from the head

  auto fwd = Range(R"({service_name="checkout"})", 0, 3, /*backward=*/false);
  ASSERT_TRUE(fwd.ok());
  EXPECT_EQ(fwd->streams.size(), 2u);  // the first three seconds: an error and two infos
  EXPECT_EQ(fwd->streams[0].entries[0].timestamp_ns, base_);

  auto declined = Range(R"({service_name="checkout"} |= "declined" !~ "order 4$")", 0, 1000);
  ASSERT_TRUE(declined.ok());
  EXPECT_EQ(Entries(*declined), 29u);

  auto code = Range(R"({service_name="checkout"} | error_code="PAYMENT_DECLINED")", 0, 1000);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(Entries(*code), 15u);
  ASSERT_FALSE(code->streams.empty());
  // Structured metadata comes with each entry, not in the stream labels.
  EXPECT_FALSE(code->streams[0].labels.Has("error_code"));
  EXPECT_FALSE(code->streams[0].entries[0].metadata.empty());

  auto trace = Range(R"({service_name=~".+"} | trace_id="00000000000000000000000000000012")", 0, 1000);
  ASSERT_TRUE(trace.ok()) << trace.status();
  // Orders 12 and 112 share the id (it is built from i % 100).
  ASSERT_EQ(Entries(*trace), 2u);
  EXPECT_EQ(trace->streams[0].entries[0].line, "payment declined for order 112");
  EXPECT_EQ(trace->streams[0].entries[1].line, "payment declined for order 12");
}

TEST_F(LogqlEngineTest, ParsersAndLabelFilters) {
  auto r = Range(R"({service_name="api"} | logfmt | status >= 500 and took > 20ms)", 0, 1000);
  ASSERT_TRUE(r.ok()) << r.status();
  // status=500 when i % 10 == 0; took = 10 + i % 30 ms > 20 when i % 30 > 10: i in {20, 50, 80, 110}.
  EXPECT_EQ(Entries(*r), 4u);
  ASSERT_FALSE(r->streams.empty());
  EXPECT_EQ(r->streams[0].labels.Get("route"), "/orders");

  auto j = Range(R"({service_name="api"} |= "{" | json | status="501")", 0, 1000);
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(Entries(*j), 4u);  // i % 10 == 5 and i % 3 == 1 over 0..119
  ASSERT_FALSE(j->streams.empty());
  EXPECT_EQ(j->streams[0].labels.Get("user_id").empty(), false);

  auto lf = Range(R"({service_name="api"} | logfmt | line_format "{{.method}} {{.status}}" |= "POST 500")", 0, 1000);
  ASSERT_TRUE(lf.ok()) << lf.status();
  EXPECT_EQ(Entries(*lf), 12u);
  EXPECT_EQ(lf->streams[0].entries[0].line, "POST 500");
}

TEST_F(LogqlEngineTest, MetricQueries) {
  auto c = Range(R"(count_over_time({service_name="checkout"}[1m]))");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->type, LogqlResult::Type::kMatrix);
  Labels err{{"level", "error"}, {"service_name", "checkout"}};
  Labels info{{"level", "info"}, {"service_name", "checkout"}};
  // Step 1 at base+60s covers (base, base+60s]: seconds 1..60.
  EXPECT_EQ(At(*c, err, 0), 1);  // only second 0
  EXPECT_EQ(At(*c, err, 1), 15);
  EXPECT_EQ(At(*c, info, 1), 45);
  EXPECT_EQ(At(*c, info, 2), 46);  // seconds 61..120: 45 in the segment, 120 from the head

  // A range that is no whole number of steps takes the per-sample path: same counts.
  auto odd = Range(R"(count_over_time({service_name="checkout"}[90s]))", 30 * kSec);
  ASSERT_TRUE(odd.ok()) << odd.status();
  EXPECT_EQ(At(*odd, err, 3), 22);  // base+90s: seconds 1..90, multiples of 4: 4..88
  auto even = Range(R"(count_over_time({service_name="checkout"}[60s]))", 30 * kSec);
  ASSERT_TRUE(even.ok());
  EXPECT_EQ(At(*even, err, 3), 15);  // base+90s: seconds 31..90 -> 32..88
  EXPECT_EQ(At(*even, err, 0), 1);   // base: second 0 only

  auto sum = Range(R"(sum by (level) (count_over_time({service_name=~".+"}[1m])))");
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(At(*sum, Labels{{"level", "error"}}, 1), 15);
  EXPECT_EQ(At(*sum, Labels{{"level", "info"}}, 1), 45 + 60 + 6);

  auto rate = Range(R"(rate({service_name="checkout", level="error"}[1m]))");
  ASSERT_TRUE(rate.ok());
  EXPECT_DOUBLE_EQ(At(*rate, err, 1), 15.0 / 60);

  auto q = Range(R"(quantile_over_time(0.5, {service_name="api"} | logfmt | unwrap duration(took) | __error__="" [1m]) by (method))");
  ASSERT_TRUE(q.ok()) << q.status();
  ASSERT_EQ(q->value.series.size(), 2u);
  EXPECT_GT(At(*q, Labels{{"method", "GET"}}, 1), 0.01);
  EXPECT_LT(At(*q, Labels{{"method", "GET"}}, 1), 0.04);

  auto bin = Range(R"(sum(count_over_time({service_name="checkout"}[1m])) / 2 > 20)");
  ASSERT_TRUE(bin.ok()) << bin.status();
  ASSERT_EQ(bin->value.series.size(), 1u);
  EXPECT_EQ(bin->value.series[0].present[0], false);  // 1 / 2
  EXPECT_EQ(bin->value.series[0].values[1], 30);

  auto top = Instant(R"(topk(1, sum by (service_name) (count_over_time({service_name=~".+"}[2m]))))",
                     base_ + 120 * kSec);
  ASSERT_TRUE(top.ok()) << top.status();
  ASSERT_EQ(top->type, LogqlResult::Type::kVector);
  ASSERT_EQ(top->value.series.size(), 1u);
  EXPECT_EQ(top->value.series[0].labels.Get("service_name"), "api");

  auto bytes = Range(R"(bytes_over_time({service_name="checkout", level="error"}[1m]))");
  ASSERT_TRUE(bytes.ok());
  EXPECT_GT(At(*bytes, err, 1), 15 * 28);

  auto lit = Range("1 + 2");
  ASSERT_TRUE(lit.ok());
  EXPECT_EQ(lit->type, LogqlResult::Type::kScalar);
  EXPECT_EQ(lit->value.scalar, 3);
}

TEST_F(LogqlEngineTest, Errors) {
  // A parser error in a metric query names the error label, as Loki does.
  auto pe = Range(R"(count_over_time({service_name="checkout"} | json [1m]))");
  ASSERT_FALSE(pe.ok());
  EXPECT_NE(pe.status().message().find("pipeline error: 'JSONParserErr'"), std::string::npos) << pe.status();
  auto ok = Range(R"(count_over_time({service_name="checkout"} | json | __error__="" [1m]))");
  EXPECT_TRUE(ok.ok()) << ok.status();

  auto syntax = Range(R"({service_name="checkout"} |= )");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(std::string(syntax.status().message()).starts_with("parse error at line 1")) << syntax.status();

  LogqlEngineOptions small;
  small.max_series = 1;
  LogqlEngine limited(small);
  LogqlQuery q;
  q.text = R"(count_over_time({service_name=~".+"}[1m]))";
  q.start_ns = base_;
  q.end_ns = base_ + 60 * kSec;
  q.step_ns = 60 * kSec;
  auto many = limited.Exec(db_.db(), q);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().code(), absl::StatusCode::kResourceExhausted);

  auto steps = Range(R"(count_over_time({service_name="api"}[1m]))", kSec / 100);
  ASSERT_FALSE(steps.ok());
  EXPECT_NE(steps.status().message().find("11,000"), std::string::npos);
}

}  // namespace
}  // namespace vigil::logql
