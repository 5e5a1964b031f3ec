#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/exposition/format.h"
#include "ingest/exposition/parser.h"

namespace vigil {

void PrintTo(const Labels& labels, std::ostream* os) { *os << labels.ToString(); }

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct OwnedSample {
  Labels labels;
  std::string family;
  MetricType type;
  double value;
  int64_t t;
  bool has_t;
  std::optional<Exemplar> exemplar;
  uint64_t line;
};

struct OwnedMeta {
  MetadataView::Kind kind;
  std::string family;
  std::string help;
  MetricType type;
  std::string unit;
};

struct Result {
  std::vector<OwnedSample> samples;
  std::vector<OwnedMeta> meta;
  ExpositionErrors errors;
  ExpositionFormat format;

  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const auto& e : errors.items) out.push_back(e.message);
    return out;
  }
};

Result Parse(std::string_view body, ExpositionFormat format = ExpositionFormat::kAuto,
             std::string_view content_type = "", size_t max_errors = 64) {
  ExpositionParseOptions options;
  options.format = format;
  options.content_type = content_type;
  options.default_timestamp_ms = 1000;
  options.max_errors = max_errors;
  ExpositionParser parser(body, options);
  Result r;
  r.format = parser.format();
  for (;;) {
    auto entry = parser.Next();
    if (entry == ExpositionParser::Entry::kEnd) break;
    if (entry == ExpositionParser::Entry::kSample) {
      const SampleView& s = parser.sample();
      OwnedSample o{Labels::FromViews(s.labels),
                    std::string(s.family),
                    s.type,
                    s.value,
                    s.timestamp_ms,
                    s.has_timestamp,
                    std::nullopt,
                    s.line};
      EXPECT_EQ(o.labels.MetricName(), s.metric_name);
      if (s.has_exemplar) o.exemplar = ToExemplar(s.exemplar);
      r.samples.push_back(std::move(o));
    } else {
      const MetadataView& m = parser.metadata();
      r.meta.push_back(
          {m.kind, std::string(m.family), std::string(m.help), m.type, std::string(m.unit)});
    }
  }
  r.errors = parser.errors();
  return r;
}

Result ParseText(std::string_view body) { return Parse(body, ExpositionFormat::kPrometheusText); }
Result ParseOm(std::string_view body) { return Parse(body, ExpositionFormat::kOpenMetrics); }

constexpr std::string_view kNodeExporter =
    R"(# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 2.4459e-05
go_gc_duration_seconds{quantile="0.5"} 4.3215e-05
go_gc_duration_seconds{quantile="1"} 0.000981437
go_gc_duration_seconds_sum 0.123
go_gc_duration_seconds_count 2048
# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.
# TYPE node_cpu_seconds_total counter
node_cpu_seconds_total{cpu="0",mode="idle"} 123456.78
node_cpu_seconds_total{mode="user",cpu="0"} 2345.6 1700000000123
# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.
# TYPE node_filesystem_avail_bytes gauge
node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1.23456789e+10
# HELP http_request_duration_seconds Request latency.\nSecond line with a \\ backslash.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.1"} 10
http_request_duration_seconds_bucket{le="+Inf"} 12
http_request_duration_seconds_sum 1.5
http_request_duration_seconds_count 12
# A plain comment
node_time_seconds 1.7e+09
)";

TEST(ExpositionTextTest, NodeExporterBody) {
  Result r = Parse(kNodeExporter, ExpositionFormat::kAuto, "text/plain; version=0.0.4");
  EXPECT_EQ(r.format, ExpositionFormat::kPrometheusText);
  EXPECT_TRUE(r.errors.empty()) << r.errors.Summary();
  ASSERT_EQ(r.samples.size(), 13u);
  ASSERT_EQ(r.meta.size(), 8u);

  const auto& q = r.samples[0];
  EXPECT_EQ(q.labels, (Labels{{"__name__", "go_gc_duration_seconds"}, {"quantile", "0"}}));
  EXPECT_EQ(q.value, 2.4459e-05);
  EXPECT_FALSE(q.has_t);
  EXPECT_EQ(q.t, 1000);  // the default timestamp
  EXPECT_EQ(q.family, "go_gc_duration_seconds");
  EXPECT_EQ(q.type, MetricType::kSummary);
  EXPECT_EQ(q.line, 3u);
  EXPECT_EQ(r.samples[3].family, "go_gc_duration_seconds");  // _sum
  EXPECT_EQ(r.samples[4].type, MetricType::kSummary);        // _count

  const auto& cpu = r.samples[6];
  EXPECT_EQ(cpu.labels, (Labels{{"__name__", "node_cpu_seconds_total"},
                                {"cpu", "0"},
                                {"mode", "user"}}));  // sorted although written unsorted
  EXPECT_TRUE(cpu.has_t);
  EXPECT_EQ(cpu.t, 1700000000123);
  EXPECT_EQ(cpu.type, MetricType::kCounter);

  EXPECT_EQ(r.samples[7].labels.Get("mountpoint"), "/");
  EXPECT_EQ(r.samples[7].value, 1.23456789e+10);

  const auto& bucket = r.samples[9];
  EXPECT_EQ(bucket.labels.Get("le"), "+Inf");
  EXPECT_EQ(bucket.family, "http_request_duration_seconds");
  EXPECT_EQ(bucket.type, MetricType::kHistogram);

  const auto& last = r.samples[12];
  EXPECT_EQ(last.family, "node_time_seconds");
  EXPECT_EQ(last.type, MetricType::kUnknown);

  EXPECT_EQ(r.meta[0].kind, MetadataView::Kind::kHelp);
  EXPECT_EQ(r.meta[0].family, "go_gc_duration_seconds");
  EXPECT_EQ(r.meta[0].help, "A summary of the pause duration of garbage collection cycles.");
  EXPECT_EQ(r.meta[1].kind, MetadataView::Kind::kType);
  EXPECT_EQ(r.meta[1].type, MetricType::kSummary);
  EXPECT_EQ(r.meta[6].help, "Request latency.\nSecond line with a \\ backslash.");
  EXPECT_EQ(r.meta[7].type, MetricType::kHistogram);
}

TEST(ExpositionTextTest, LabelValueEscapesAndEmptyValues) {
  Result r = ParseText(
      "m{a=\"x\\\\y\",b=\"say \\\"hi\\\"\",c=\"l1\\nl2\",d=\"\",e=\"plain\"} 1\n"
      "m{z=\"\\\\\\\\\",y=\"\\\"\"} 2\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors.Summary();
  ASSERT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(
      r.samples[0].labels,
      (Labels{
          {"__name__", "m"}, {"a", "x\\y"}, {"b", "say \"hi\""}, {"c", "l1\nl2"}, {"e", "plain"}}));
  EXPECT_EQ(r.samples[1].labels, (Labels{{"__name__", "m"}, {"y", "\""}, {"z", "\\\\"}}));
}

TEST(ExpositionTextTest, ManyEscapedValuesOnOneLineDoNotOverlap) {
  std::string line = "m{";
  for (int i = 0; i < 50; ++i) {
    line += "l" + std::to_string(i) + "=\"v\\\"" + std::to_string(i) + "\",";
  }
  line += "} 3\n";
  Result r = ParseText(line + line);
  ASSERT_TRUE(r.errors.empty()) << r.errors.Summary();
  ASSERT_EQ(r.samples.size(), 2u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(r.samples[1].labels.Get("l" + std::to_string(i)), "v\"" + std::to_string(i));
  }
}

TEST(ExpositionTextTest, ValuesAndTimestamps) {
  Result r = ParseText("a NaN\nb +Inf\nc -Inf\nd 0x1p-2\ne 1_000\nf -0.5 -1000\ng 3 +42\nh{} 7\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors.Summary();
  ASSERT_EQ(r.samples.size(), 8u);
  EXPECT_TRUE(std::isnan(r.samples[0].value));
  EXPECT_FALSE(IsStaleNaN(r.samples[0].value));
  EXPECT_EQ(r.samples[1].value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.samples[2].value, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.samples[3].value, 0.25);
  EXPECT_EQ(r.samples[4].value, 1000);
  EXPECT_EQ(r.samples[5].t, -1000);
  EXPECT_TRUE(r.samples[5].has_t);
  EXPECT_EQ(r.samples[6].t, 42);
  EXPECT_EQ(r.samples[7].labels, (Labels{{"__name__", "h"}}));
}

TEST(ExpositionTextTest, LenientWhitespaceTrailingCommaCrlfAndComments) {
  Result r = ParseText(
      "\n   \n# just a comment\n#\n  spaced { a = \"1\" , b=\"2\", }   5   17  \r\n"
      "colon:name:total\t9\r\n# EOF\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors.Summary();
  ASSERT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.samples[0].labels, (Labels{{"__name__", "spaced"}, {"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(r.samples[0].value, 5);
  EXPECT_EQ(r.samples[0].t, 17);
  EXPECT_EQ(r.samples[0].line, 5u);
  EXPECT_EQ(r.samples[1].labels.MetricName(), "colon:name:total");
  EXPECT_EQ(r.samples[1].value, 9);
}

TEST(ExpositionTextTest, BadLinesAreReportedAndSkipped) {
  Result r = ParseText(
      "good_one 1\n"
      "m{a=\"1\",=\"2\"} 1\n"
      "bad-name 1\n"
      "9starts_with_digit 1\n"
      "m{a=\"1\",a=\"2\"} 1\n"
      "m{a=\"unterminated} 1\n"
      "m{a=\"bad \\t escape\"} 1\n"
      "m{a=\"\xff\xfe\"} 1\n"
      "m abc\n"
      "m 1 1.5\n"
      "m 1 2 3\n"
      "m{a \"x\"} 1\n"
      "m{a=x} 1\n"
      "m{a=\"x\" b=\"y\"} 1\n"
      "m\n"
      "m{a=\"x\"}1\n"
      "{a=\"x\"} 1\n"
      "m{__name__=\"other\"} 1\n"
      "m{1a=\"x\"} 1\n"
      "good_two 2\n");
  ASSERT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.samples[0].labels.MetricName(), "good_one");
  EXPECT_EQ(r.samples[1].labels.MetricName(), "good_two");
  EXPECT_EQ(r.samples[1].line, 20u);
  EXPECT_THAT(
      r.Messages(),
      ElementsAre(
          "line 2: expected label name, got \"=\"", "line 3: invalid metric name \"bad-name\"",
          "line 4: invalid metric name \"9starts_with_digit\"",
          "line 5: duplicate label name \"a\"",
          "line 6: unterminated quoted string in the value of label \"a\"",
          "line 7: invalid escape sequence \"\\\\t\" in the value of label \"a\"",
          "line 8: invalid UTF-8 in the value of label \"a\"",
          "line 9: invalid value \"abc\" for \"m\": not a float",
          "line 10: invalid timestamp \"1.5\": expected integer milliseconds",
          "line 11: unexpected text after timestamp: \"3\"",
          "line 12: expected \"=\" after label name \"a\", got \"\\\"\"",
          "line 13: expected '\"' to open the value of label \"a\", got \"x\"",
          "line 14: expected \",\" or \"}\" after the value of label \"a\", got \"b\"",
          "line 15: expected value for \"m\", got end of line",
          "line 16: expected space before value, got \"1\"",
          "line 17: expected metric name, got \"{\"", "line 18: duplicate label name \"__name__\"",
          "line 19: expected label name, got \"1\""));
  EXPECT_EQ(r.errors.total, 18u);
  EXPECT_EQ(r.errors.items[4].line, 6u);
}

TEST(ExpositionTextTest, MetadataErrors) {
  Result r = ParseText(
      "# TYPE m bogus\n"
      "# TYPE\n"
      "# HELP bad-name text\n"
      "# TYPE m counter extra\n"
      "# HELP m \xc3\x28\n"
      "# TYPE m gauge\n"
      "m 1\n");
  ASSERT_EQ(r.samples.size(), 1u);
  EXPECT_EQ(r.samples[0].type, MetricType::kGauge);
  ASSERT_EQ(r.meta.size(), 1u);
  EXPECT_THAT(r.Messages(), ElementsAre("line 1: invalid metric type \"bogus\" for \"m\"",
                                        "line 2: expected metric name after TYPE, got end of line",
                                        "line 3: invalid metric name \"bad-name\" in HELP line",
                                        "line 4: unexpected text after metric type: \"extra\"",
                                        "line 5: invalid UTF-8 in HELP text of \"m\""));
}

TEST(ExpositionTextTest, ErrorMessagesQuoteHostileBytesSafely) {
  Result r = ParseText(std::string("m{a=\"x\"\x01} 1\nm \xff\xfe 1\n"));
  EXPECT_THAT(r.Messages(),
              ElementsAre("line 1: expected \",\" or \"}\" after the value of label \"a\", got "
                          "\"\\x01\"",
                          "line 2: invalid value \"\\xff\\xfe\" for \"m\": not a float"));
  for (const auto& e : r.errors.items) EXPECT_TRUE(IsValidUtf8(e.message));
}

TEST(ExpositionTextTest, ErrorsAreCappedAndCounted) {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "bad line here\n";
  body += "ok 1\n";
  Result r = Parse(body, ExpositionFormat::kPrometheusText, "", 5);
  EXPECT_EQ(r.samples.size(), 1u);
  EXPECT_EQ(r.errors.items.size(), 5u);
  EXPECT_EQ(r.errors.total, 1000u);
  EXPECT_THAT(r.errors.Summary(), HasSubstr("(and 995 more errors)"));
  EXPECT_THAT(r.errors.Summary(), HasSubstr("line 1: "));
}

TEST(ExpositionTextTest, HostileShapesStayLinear) {
  // A single huge line of labels with duplicate names, and a body of unterminated quotes:
  // both must finish quickly (no quadratic scans) and report one error per line.
  std::string labels = "m{";
  for (int i = 0; i < 200000; ++i) labels += "a=\"b\",";
  labels += "} 1\n";
  std::string quotes;
  for (int i = 0; i < 100000; ++i) quotes += "m{a=\"\\\\\\\n";
  auto start = std::chrono::steady_clock::now();
  Result a = ParseText(labels);
  Result b = ParseText(quotes);
  Result c = ParseText(std::string(1 << 20, '{'));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 5.0);
  EXPECT_EQ(a.errors.total, 1u);
  EXPECT_THAT(a.Messages()[0], HasSubstr("duplicate label name \"a\""));
  EXPECT_EQ(b.errors.total, 100000u);
  EXPECT_EQ(c.errors.total, 1u);
}

TEST(ExpositionTextTest, FamilyAttribution) {
  Result r = ParseText(
      "# TYPE rpc histogram\nrpc_bucket{le=\"1\"} 1\nrpc_sum 1\nrpc_count 1\nrpc_total 1\n"
      "# TYPE req_total counter\nreq_total 3\nreq_total_created 1\n"
      "# TYPE jobs counter\njobs_total 4\n");
  ASSERT_EQ(r.samples.size(), 7u);
  EXPECT_EQ(r.samples[0].family, "rpc");
  EXPECT_EQ(r.samples[2].family, "rpc");
  EXPECT_EQ(r.samples[3].family, "rpc_total");  // not a histogram suffix
  EXPECT_EQ(r.samples[3].type, MetricType::kUnknown);
  EXPECT_EQ(r.samples[4].family, "req_total");
  EXPECT_EQ(r.samples[4].type, MetricType::kCounter);
  EXPECT_EQ(r.samples[5].family, "req_total");  // _created of a counter
  EXPECT_EQ(r.samples[6].family, "jobs");
}

constexpr std::string_view kOpenMetrics = R"(# TYPE http_requests counter
# UNIT http_requests requests
# HELP http_requests Requests served, by \"code\".
http_requests_total{code="200"} 1027 1700000000.5 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 1 1700000000.123
http_requests_created{code="200"} 1699990000
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} 8 # {trace_id="abc",span_id="def"} 0.067
latency_seconds_bucket{le="+Inf"} 10
latency_seconds_sum 1.2
latency_seconds_count 10
# TYPE build info
build_info{version="1.2.3"} 1
# TYPE door stateset
door{door="open"} 1
# TYPE queue gaugehistogram
queue_bucket{le="+Inf"} 3
queue_gsum 9
queue_gcount 3
# EOF
)";

TEST(ExpositionOpenMetricsTest, FullBody) {
  Result r = Parse(kOpenMetrics);  // detected from the # EOF line
  EXPECT_EQ(r.format, ExpositionFormat::kOpenMetrics);
  ASSERT_TRUE(r.errors.empty()) << r.errors.Summary();
  ASSERT_EQ(r.samples.size(), 11u);

  const auto& c = r.samples[0];
  EXPECT_EQ(c.labels, (Labels{{"__name__", "http_requests_total"}, {"code", "200"}}));
  EXPECT_EQ(c.family, "http_requests");
  EXPECT_EQ(c.type, MetricType::kCounter);
  EXPECT_TRUE(c.has_t);
  EXPECT_EQ(c.t, 1700000000500);
  ASSERT_TRUE(c.exemplar.has_value());
  EXPECT_EQ(c.exemplar->labels, (Labels{{"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"}}));
  EXPECT_EQ(c.exemplar->value, 1);
  EXPECT_TRUE(c.exemplar->has_t);
  EXPECT_EQ(c.exemplar->t, 1700000000123);

  EXPECT_EQ(r.samples[1].family, "http_requests");  // _created
  EXPECT_FALSE(r.samples[1].exemplar.has_value());

  const auto& b = r.samples[2];
  EXPECT_EQ(b.family, "latency_seconds");
  EXPECT_EQ(b.type, MetricType::kHistogram);
  EXPECT_FALSE(b.has_t);
  ASSERT_TRUE(b.exemplar.has_value());
  EXPECT_EQ(b.exemplar->labels, (Labels{{"span_id", "def"}, {"trace_id", "abc"}}));
  EXPECT_EQ(b.exemplar->value, 0.067);
  EXPECT_FALSE(b.exemplar->has_t);

  EXPECT_EQ(r.samples[6].family, "build");
  EXPECT_EQ(r.samples[6].type, MetricType::kInfo);
  EXPECT_EQ(r.samples[7].type, MetricType::kStateset);
  EXPECT_EQ(r.samples[9].family, "queue");
  EXPECT_EQ(r.samples[9].type, MetricType::kGaugeHistogram);

  ASSERT_EQ(r.meta.size(), 7u);
  EXPECT_EQ(r.meta[1].kind, MetadataView::Kind::kUnit);
  EXPECT_EQ(r.meta[1].unit, "requests");
  EXPECT_EQ(r.meta[2].help, "Requests served, by \"code\".");
}

TEST(ExpositionOpenMetricsTest, MissingEofAndTrailingContent) {
  Result missing = ParseOm("a_total 1\n");
  EXPECT_EQ(missing.samples.size(), 1u);
  EXPECT_THAT(missing.Messages(),
              ElementsAre("line 2: missing \"# EOF\" at the end of an OpenMetrics exposition"));

  Result after = ParseOm("a 1\n# EOF\n\nb 2\nc 3\n");
  EXPECT_EQ(after.samples.size(), 1u);
  EXPECT_THAT(after.Messages(), ElementsAre("line 4: unexpected content after \"# EOF\"; the "
                                            "rest of the body is ignored"));

  Result clean = ParseOm("a 1\n# EOF");  // the final newline is optional
  EXPECT_TRUE(clean.errors.empty()) << clean.errors.Summary();
  Result empty = ParseOm("");
  EXPECT_EQ(empty.errors.total, 1u);
}

TEST(ExpositionOpenMetricsTest, StricterThanText) {
  Result r = ParseOm(
      "m{a=\"1\",} 1\n"
      "# random comment\n"
      "m 1 17x\n"
      "m 1 NaN\n"
      "m{a=\"\\x\"} 1\n"
      "m 1 1e300\n"
      "m 2 -1.25\n"
      "# EOF\n");
  ASSERT_EQ(r.samples.size(), 1u);
  EXPECT_EQ(r.samples[0].t, -1250);
  EXPECT_THAT(
      r.Messages(),
      ElementsAre("line 1: expected label name, got \"}\"",
                  "line 2: unexpected comment \"random\": OpenMetrics allows only HELP, TYPE, "
                  "UNIT and EOF after \"#\"",
                  "line 3: invalid timestamp \"17x\": expected float seconds",
                  "line 4: invalid timestamp \"NaN\": expected float seconds",
                  "line 5: invalid escape sequence \"\\\\x\" in the value of label \"a\"",
                  "line 6: invalid timestamp \"1e300\": expected float seconds"));
}

TEST(ExpositionOpenMetricsTest, ExemplarErrors) {
  std::string long_value(130, 'x');
  Result r = ParseOm(
      "a_total 1 # trace_id=\"x\" 1\n"
      "a_total 1 # {trace_id=\"x\"}\n"
      "a_total 1 # {trace_id=\"x\"} nope\n"
      "a_total 1 # {trace_id=\"x\"} 1 later\n"
      "a_total 1 # {trace_id=\"x\"} 1 2 3\n"
      "a_total 1 # {trace_id=\"x\",trace_id=\"y\"} 1\n"
      "a_total 1 # {trace_id=\"x} 1\n"
      "a_total 1 # {trace_id=\"" +
      long_value +
      "\"} 1\n"
      "a_total 1 # {} 5\n"
      "# EOF\n");
  ASSERT_EQ(r.samples.size(), 2u);
  EXPECT_FALSE(r.samples[0].exemplar.has_value());  // too long: dropped, sample kept
  EXPECT_EQ(r.samples[0].line, 8u);
  ASSERT_TRUE(r.samples[1].exemplar.has_value());
  EXPECT_TRUE(r.samples[1].exemplar->labels.empty());
  EXPECT_EQ(r.samples[1].exemplar->value, 5);
  EXPECT_THAT(
      r.Messages(),
      ElementsAre("line 1: exemplar: expected \"{\" after \"#\", got \"t\"",
                  "line 2: exemplar: expected value, got end of line",
                  "line 3: exemplar: invalid value \"nope\": not a float",
                  "line 4: exemplar: invalid timestamp \"later\": expected float seconds",
                  "line 5: exemplar: unexpected text after timestamp: \"3\"",
                  "line 6: exemplar: duplicate label name \"trace_id\"",
                  "line 7: exemplar: unterminated quoted string in the value of label \"trace_id\"",
                  "line 8: exemplar labels are 138 characters long, more than the 128 allowed; "
                  "exemplar dropped"));
}

TEST(ExpositionFormatTest, Detection) {
  EXPECT_EQ(DetectFormat("application/openmetrics-text; version=1.0.0; charset=utf-8", "a 1\n"),
            ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(DetectFormat("Application/OpenMetrics-Text", ""), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(DetectFormat("text/plain; version=0.0.4", "a 1\n# EOF\n"),
            ExpositionFormat::kPrometheusText);
  EXPECT_EQ(DetectFormat("", "a 1\n# EOF\n\n"), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(DetectFormat("", "# EOF"), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(DetectFormat("application/x-www-form-urlencoded", "a 1\n# EOF\n"),
            ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(DetectFormat("", "a 1\n"), ExpositionFormat::kPrometheusText);
  EXPECT_EQ(DetectFormat("", "a 1 # EOF\n"), ExpositionFormat::kPrometheusText);
  EXPECT_EQ(DetectFormat("", ""), ExpositionFormat::kPrometheusText);
}

TEST(ExpositionFormatTest, TypesAndFamilies) {
  MetricType t;
  EXPECT_TRUE(ParseMetricType("untyped", &t));
  EXPECT_EQ(t, MetricType::kUnknown);
  EXPECT_TRUE(ParseMetricType("gaugehistogram", &t));
  EXPECT_EQ(MetricTypeName(t), "gaugehistogram");
  EXPECT_FALSE(ParseMetricType("Counter", &t));
  EXPECT_TRUE(BelongsToFamily("x_bucket", "x", MetricType::kHistogram));
  EXPECT_FALSE(BelongsToFamily("x_bucket", "x", MetricType::kSummary));
  EXPECT_FALSE(BelongsToFamily("xy_sum", "x", MetricType::kSummary));
  EXPECT_TRUE(BelongsToFamily("x_info", "x", MetricType::kInfo));
  EXPECT_FALSE(BelongsToFamily("x", "", MetricType::kUnknown));
}

TEST(ExpositionParserTest, CallbackHelperAndTimestampDefault) {
  ExpositionParseOptions options;
  options.default_timestamp_ms = 777;
  int samples = 0, metadata = 0;
  ExpositionErrors errors = ParseExposition(
      "# HELP a x\na 1\nb{c=\"d\"} 2 5\nbroken{\n", options,
      [&](const SampleView& s) {
        ++samples;
        if (s.metric_name == "a") {
          EXPECT_EQ(s.timestamp_ms, 777);
        }
        if (s.metric_name == "b") {
          EXPECT_EQ(s.timestamp_ms, 5);
        }
      },
      [&](const MetadataView& m) { ++metadata; });
  EXPECT_EQ(samples, 2);
  EXPECT_EQ(metadata, 1);
  EXPECT_EQ(errors.Summary(), "line 4: expected label name, got end of line");
}

}  // namespace
}  // namespace vigil
