#include "tests/promql_differential/queries.h"

#include "common/strings.h"

namespace vigil::testing::promql_diff {
namespace {

constexpr int64_t kMinuteMs = 60 * 1000;

class Builder {
 public:
  void Add(std::string expr) { out_.push_back({std::move(expr), false}); }
  void Ordered(std::string expr) { out_.push_back({std::move(expr), true}); }
  std::vector<DiffQuery> Take() { return std::move(out_); }

 private:
  std::vector<DiffQuery> out_;
};

void Selectors(Builder& b) {
  for (const char* s : {
           R"(http_requests_total)",
           R"(http_requests_total{job="api"})",
           R"(http_requests_total{job!="api"})",
           R"(http_requests_total{status_code=~"5.."})",
           R"(http_requests_total{status_code!~"2..", method="GET"})",
           R"(http_requests_total{instance=~"10\\.0\\.0\\.[12]:8080", status_code="404"})",
           R"q({__name__=~"http_request_duration_seconds_(sum|count)"})q",
           R"({__name__="up", job=~"a.*"})",
           R"(up{instance=""})",
           R"(up{job=~"api|web", instance!~".*4.*"})",
           R"(queue_depth)",
           R"(queue_depth{queue=~"q[1-3]"})",
           R"(node_cpu_utilisation{cpu="0"})",
           R"(temperature_celsius)",
           R"(build_info)",
           R"(nonexistent_metric)",
           R"(http_request_duration_seconds_bucket{le="+Inf"})",
       }) {
    b.Add(s);
  }
}

void RangeFunctions(Builder& b) {
  for (const char* f : {"rate", "irate", "increase", "resets", "changes"}) {
    for (const char* w : {"1m", "5m", "1h"}) {
      b.Add(StrCat(f, R"((http_requests_total{job="api"}[)", w, "])"));
    }
  }
  b.Add(R"(rate(http_requests_total[5m]))");
  b.Add(R"(rate(http_requests_total{instance="10.0.0.2:8080", status_code="500"}[30m]))");
  b.Add(R"(increase(http_requests_total{instance="10.0.0.2:8080", job="web"}[2h]))");
  // Windows holding one, two or three samples (the range is closed at both ends).
  b.Add(R"(rate(http_requests_total{job="web", method="GET"}[15s]))");
  b.Add(R"(rate(http_requests_total{job="web", method="GET"}[30s]))");
  b.Add(R"(irate(http_requests_total{job="web", method="GET"}[16s]))");
  for (const char* f : {"delta", "idelta", "deriv", "changes", "resets"}) {
    for (const char* w : {"2m", "10m"}) {
      b.Add(StrCat(f, R"((node_cpu_utilisation{instance="10.0.0.1:8080"}[)", w, "])"));
    }
  }
  b.Add("deriv(temperature_celsius[15m])");
  b.Add("delta(temperature_celsius[1h])");
  b.Add("delta(queue_depth[10m])");
  b.Add("rate(queue_depth[5m])");
  b.Add("predict_linear(temperature_celsius[30m], 3600)");
  b.Add(R"(predict_linear(process_resident_memory_bytes{job="api"}[10m], 600))");
  b.Add("holt_winters(temperature_celsius[10m], 0.3, 0.6)");
  b.Add("holt_winters(queue_depth[30m], 0.5, 0.1)");
}

void OverTime(Builder& b) {
  for (const char* f :
       {"avg", "min", "max", "sum", "count", "last", "present", "stddev", "stdvar"}) {
    b.Add(StrCat(f, "_over_time(queue_depth[10m])"));
  }
  b.Add("avg_over_time(temperature_celsius[1h])");
  b.Add("stddev_over_time(node_cpu_utilisation[30m])");
  b.Add("quantile_over_time(0.9, temperature_celsius[30m])");
  b.Add("quantile_over_time(0.25, queue_depth[1h])");
  b.Add("quantile_over_time(1.5, queue_depth[10m])");
  b.Add("absent_over_time(nonexistent_metric[5m])");
  b.Add(R"(absent_over_time(queue_depth{queue="q1"}[5m]))");
  b.Add("count_over_time(up[1h])");
  b.Add("max_over_time(node_cpu_utilisation[1h])");
  b.Add("sum_over_time(http_request_duration_seconds_count[5m])");
}

void Aggregations(Builder& b) {
  for (const char* op : {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"}) {
    for (const char* g : {"by (job)", "without (instance, method)", "by (job, status_code)", ""}) {
      b.Add(StrCat(op, " ", g, " (rate(http_requests_total[5m]))"));
    }
    b.Add(StrCat(op, " by (instance) (node_cpu_utilisation)"));
  }
  b.Add("sum(process_resident_memory_bytes) by (job)");
  b.Add("avg without (cpu) (node_cpu_utilisation)");
  b.Add("sum by (le) (http_request_duration_seconds_bucket)");
  b.Add("count by (__name__) ({__name__=~\"http_.*\"})");
  b.Add("topk(3, rate(http_requests_total[5m]))");
  b.Add("topk by (job) (2, rate(http_requests_total[5m]))");
  // topk/bottomk over values without ties (which one of tied series wins is unspecified).
  b.Add("bottomk(2, process_resident_memory_bytes)");
  b.Add("bottomk by (job) (1, process_resident_memory_bytes)");
  b.Add("topk(2, deriv(temperature_celsius[10m]))");
  b.Add("quantile(0.5, node_cpu_utilisation)");
  b.Add("quantile by (job) (0.9, rate(http_requests_total[5m]))");
  b.Add("quantile(0, temperature_celsius)");
  b.Add("quantile(1.5, temperature_celsius)");
  b.Add("count_values(\"value\", up)");
  b.Add("count_values by (job) (\"v\", up)");
  b.Add("count_values(\"depth\", queue_depth)");
  b.Add("sum(sum by (job, instance) (rate(http_requests_total[5m])))");
}

void BinaryOps(Builder& b) {
  for (const char* s : {
           "rate(http_requests_total[5m]) * 60",
           "2 ^ (temperature_celsius / 10)",
           "temperature_celsius % 7",
           "-temperature_celsius",
           "temperature_celsius atan2 2",
           "process_resident_memory_bytes / 1024 / 1024",
           "1 - node_cpu_utilisation",
           "sum by (job, instance) (rate(http_requests_total[5m])) / on(job, instance) group_left "
           "up",
           "rate(http_requests_total[5m]) / ignoring(status_code, method) group_left up",
           "up * on(instance) group_left(version) build_info",
           "sum by (instance) (up) * on(instance) group_right build_info",
           "sum by (job, instance) (rate(http_requests_total{status_code=\"500\"}[5m])) / "
           "sum by (job, instance) (rate(http_requests_total[5m]))",
           "node_cpu_utilisation > 0.5",
           "node_cpu_utilisation > bool 0.5",
           "temperature_celsius <= 0",
           "temperature_celsius != bool 0",
           "up == 0",
           "0.5 < node_cpu_utilisation",
           "1 > bool 2",
           "node_cpu_utilisation{cpu=\"0\"} > ignoring(cpu) node_cpu_utilisation{cpu=\"1\"}",
           "node_cpu_utilisation{cpu=\"0\"} >= bool ignoring(cpu) node_cpu_utilisation{cpu=\"1\"}",
           "up and on(instance) (node_cpu_utilisation{cpu=\"0\"} > 0.5)",
           "queue_depth{queue=~\"q[0-2]\"} or queue_depth{queue=~\"q[2-4]\"}",
           "up unless up{job=\"api\"}",
           "http_requests_total{status_code=\"500\"} unless on(job, instance) up == 0",
           "queue_depth > 10 and queue_depth < 40",
           "scalar(sum(up)) * 2",
           "time() - 1767225600",
           "vector(1) + 1",
           "1 + 2 * 3 ^ 2 % 5",
           "-2 ^ 2",
           "(temperature_celsius > 0) + on(sensor) group_left temperature_celsius",
       }) {
    b.Add(s);
  }
}

void Histograms(Builder& b) {
  for (const char* q : {"0.5", "0.9", "0.99"}) {
    b.Add(StrCat("histogram_quantile(", q,
                 ", sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"));
    b.Add(StrCat("histogram_quantile(", q,
                 ", sum by (le, job) (rate(http_request_duration_seconds_bucket[10m])))"));
  }
  b.Add("histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[10m]))");
  b.Add("histogram_quantile(1.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))");
  b.Add("histogram_quantile(-1, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))");
  b.Add("histogram_quantile(0.5, http_request_duration_seconds_bucket{le!=\"+Inf\"})");
  b.Add(
      "rate(http_request_duration_seconds_sum[5m]) / "
      "rate(http_request_duration_seconds_count[5m])");
}

void Functions(Builder& b) {
  b.Add(R"(label_replace(up, "host", "$1", "instance", "(.*):.*"))");
  b.Add(
      R"(label_replace(http_requests_total{job="api"}, "code_class", "${1}xx", "status_code", "(.).*"))");
  b.Add(R"(label_replace(up, "extra", "x", "nonexistent", "^$"))");
  b.Add(R"(label_join(up, "combined", "/", "job", "instance"))");
  b.Add(R"(label_join(build_info, "x", ",", "version", "nonexistent"))");
  for (const char* f :
       {"abs", "ceil", "floor", "round", "sqrt", "exp",  "ln",    "log2",  "log10", "sgn", "sin",
        "cos", "tan",  "atan",  "sinh",  "cosh", "tanh", "asinh", "acosh", "deg",   "rad"}) {
    b.Add(StrCat(f, "(temperature_celsius)"));
  }
  for (const char* f : {"asin", "acos", "atanh"})
    b.Add(StrCat(f, "(node_cpu_utilisation{cpu=\"1\"})"));
  b.Add("round(temperature_celsius, 5)");
  b.Add("round(node_cpu_utilisation{cpu=\"2\"}, 0.1)");
  b.Add("clamp(temperature_celsius, -2, 5)");
  b.Add("clamp(temperature_celsius, 5, -2)");
  b.Add("clamp_min(temperature_celsius, 0)");
  b.Add("clamp_max(temperature_celsius, 3)");
  b.Add("pi()");
  b.Add(R"(scalar(up{instance="10.0.0.1:8080", job="api"}))");
  b.Add("scalar(up)");
  b.Add("vector(time())");
  b.Add("time()");
  b.Add("timestamp(queue_depth)");
  b.Add("timestamp(rate(http_requests_total{job=\"api\", method=\"GET\"}[5m]))");
  b.Add(R"(absent(nonexistent_metric{job="x"}))");
  b.Add("absent(up)");
  b.Add(R"(absent(nonexistent_metric{job=~"x"}))");
  b.Add(R"(absent(queue_depth{queue="q2"}))");
  b.Ordered("sort(node_cpu_utilisation)");
  b.Ordered(R"(sort_desc(rate(http_requests_total{job="web"}[5m])))");
  b.Ordered("sort_desc(temperature_celsius)");
  for (const char* f : {"hour", "minute", "month", "year", "day_of_month", "day_of_week",
                        "day_of_year", "days_in_month"}) {
    b.Add(StrCat(f, "()"));
  }
  b.Add(R"(hour(timestamp(up{job="api"})))");
  b.Add("day_of_week(vector(1767225600))");
  b.Add("month(vector(1709164800))");
  b.Add("days_in_month(vector(1709164800))");
  b.Add("day_of_year(vector(1735603200))");
  b.Add("minute(queue_depth)");
  b.Add("\"a string\"");
  b.Add("42");
  b.Add("-Inf");
}

void Subqueries(Builder& b) {
  for (const char* s : {
           R"(max_over_time(rate(http_requests_total{job="api"}[5m])[30m:1m]))",
           "avg_over_time(temperature_celsius[1h:5m])",
           R"(rate(http_requests_total{job="web", method="GET"}[10m:]))",
           "min_over_time(sum by (job) (rate(http_requests_total[5m]))[1h:2m] offset 10m)",
           "max_over_time(deriv(temperature_celsius[10m])[30m:30s])",
           R"(max_over_time(avg_over_time(node_cpu_utilisation{cpu="0"}[5m:1m])[20m:5m]))",
           "sum_over_time(up[1h:7m])",
           "count_over_time(queue_depth[20m:1m])",
           "last_over_time(queue_depth[10m:1m])",
           "increase(http_request_duration_seconds_count[30m:15s])",
       }) {
    b.Add(s);
  }
}

void OffsetAndAt(Builder& b, const Dataset& d) {
  std::string e = StrCat(d.end_ms / 1000), h = StrCat(d.end_ms / 1000 - 3600),
              h2 = StrCat(d.end_ms / 1000 - 7200);
  b.Add(R"(http_requests_total{job="api", method="GET"} offset 1h)");
  b.Add(R"(rate(http_requests_total{job="api"}[5m] offset 30m))");
  b.Add("temperature_celsius offset -10m");
  b.Add("sum(rate(http_requests_total[5m] offset 5m))");
  b.Add(StrCat("temperature_celsius @ ", h));
  b.Add(StrCat("temperature_celsius @ ", h, ".5"));
  b.Add(StrCat(R"(rate(http_requests_total{job="web"}[5m] @ )", h2, ")"));
  b.Add("up @ start()");
  b.Add("up @ end()");
  b.Add("temperature_celsius @ end() offset 30m");
  b.Add(StrCat("max_over_time(temperature_celsius[10m:1m] @ ", h, ")"));
  b.Add("avg_over_time(temperature_celsius[10m] @ end())");
  b.Add(StrCat("sum(queue_depth @ ", e, ") - sum(queue_depth)"));
}

void Errors(Builder& b) {
  for (const char* s : {
           "rate(up)",
           "sum(",
           "http_requests_total + on(job) http_requests_total",
           R"(label_replace(up, "instance", "", "instance", ".*"))",
           "build_info * on(instance) group_left(version) up",
           R"(abs({__name__=~"up|process_resident_memory_bytes"}))",
           R"(quantile_over_time("a", up[5m]))",
           R"({__name__=~".*"})",
           R"(label_replace(up, "1bad", "x", "job", ".*"))",
           "nonexistent_function(up)",
       }) {
    b.Add(s);
  }
}

}  // namespace

std::vector<DiffQuery> GenerateQueries(const Dataset& d) {
  Builder b;
  Selectors(b);
  RangeFunctions(b);
  OverTime(b);
  Aggregations(b);
  BinaryOps(b);
  Histograms(b);
  Functions(b);
  Subqueries(b);
  OffsetAndAt(b, d);
  Errors(b);
  return b.Take();
}

std::vector<int64_t> InstantTimes(const Dataset& d) {
  return {d.end_ms, d.end_ms - 180 * kMinuteMs + 7000, d.start_ms + 2 * kMinuteMs,
          d.end_ms + 4 * kMinuteMs};
}

std::vector<RangeSpec> RangeSpecs(const Dataset& d) {
  return {{d.end_ms - 60 * kMinuteMs, d.end_ms, 15000},
          {d.start_ms, d.end_ms, kMinuteMs},
          {d.start_ms - 10 * kMinuteMs, d.end_ms + 10 * kMinuteMs, 5 * kMinuteMs}};
}

}  // namespace vigil::testing::promql_diff
