#include "api/loki_api.h"

#include <algorithm>
#include <set>

#include "api/api_response.h"
#include "api/log_params.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "query/logql/syntax/parser.h"

namespace vigil {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kHour = 3600 * kSecond;

// Loki writes sample times as Unix seconds with a fraction.
void WriteSampleTime(JsonWriter& w, int64_t ns) {
  std::string s = StrCat(ns / kSecond);
  int64_t frac = ns % kSecond;
  if (frac != 0) {
    std::string digits = StrCat(frac < 0 ? -frac : frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    StrAppend(&s, ".", digits);
  }
  w.Raw(s);
}

void WriteStats(JsonWriter& w, const logql::QueryStats& st) {
  double secs = static_cast<double>(st.exec_ns) / 1e9;
  w.Key("stats").BeginObject().Key("summary").BeginObject();
  w.Key("bytesProcessedPerSecond").Int(secs > 0 ? static_cast<int64_t>(st.bytes_scanned / secs) : 0);
  w.Key("linesProcessedPerSecond").Int(secs > 0 ? static_cast<int64_t>(st.lines_scanned / secs) : 0);
  w.Key("totalBytesProcessed").Uint(st.bytes_scanned);
  w.Key("totalLinesProcessed").Uint(st.lines_scanned);
  w.Key("execTime").Double(secs);
  w.EndObject().EndObject();
}

void WriteResult(HttpResponse& resp, const logql::LogqlResult& r, bool categorize) {
  using Type = logql::LogqlResult::Type;
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginObject();
    switch (r.type) {
      case Type::kStreams:
        w.KV("resultType", "streams");
        w.Key("result").BeginArray();
        for (const logql::LogStream& s : r.streams) {
          w.BeginObject().Key("stream").LabelsObject(s.labels).Key("values").BeginArray();
          for (const logql::LogEntry& e : s.entries) {
            w.BeginArray().String(StrCat(e.timestamp_ns)).String(e.line);
            if (categorize && !e.metadata.empty()) {
              w.BeginObject().Key("structuredMetadata").BeginObject();
              for (const auto& [k, v] : e.metadata) w.KV(k, v);
              w.EndObject().EndObject();
            }
            w.EndArray();
          }
          w.EndArray().EndObject();
        }
        w.EndArray();
        break;
      case Type::kMatrix:
        w.KV("resultType", "matrix");
        w.Key("result").BeginArray();
        for (const logql::StepSeries& s : r.value.series) {
          w.BeginObject().Key("metric").LabelsObject(s.labels).Key("values").BeginArray();
          for (size_t i = 0; i < s.values.size(); ++i) {
            if (!s.present[i]) continue;
            w.BeginArray();
            WriteSampleTime(w, r.grid.At(i));
            w.String(FormatPromFloat(s.values[i]));
            w.EndArray();
          }
          w.EndArray().EndObject();
        }
        w.EndArray();
        break;
      case Type::kVector:
        w.KV("resultType", "vector");
        w.Key("result").BeginArray();
        for (const logql::StepSeries& s : r.value.series) {
          if (s.present.empty() || !s.present[0]) continue;
          w.BeginObject().Key("metric").LabelsObject(s.labels).Key("value").BeginArray();
          WriteSampleTime(w, r.grid.At(0));
          w.String(FormatPromFloat(s.values[0]));
          w.EndArray().EndObject();
        }
        w.EndArray();
        break;
      case Type::kScalar:
        w.KV("resultType", "scalar");
        w.Key("result").BeginArray();
        WriteSampleTime(w, r.grid.At(0));
        w.String(FormatPromFloat(r.value.scalar));
        w.EndArray();
        break;
    }
    WriteStats(w, r.stats);
    w.EndObject();
  });
}

absl::Status ParseCommon(const HttpRequest& req, logql::LogqlQuery* q, size_t max_entries) {
  std::optional<std::string> text = req.Param("query");
  if (!text || text->empty()) return absl::InvalidArgumentError("query parameter is required");
  q->text = *text;
  std::optional<std::string> limit = req.Param("limit");
  if (limit && !limit->empty()) {
    uint64_t n;
    if (!ParseUint64(*limit, &n)) {
      return absl::InvalidArgumentError(StrCat("invalid limit parameter ", QuoteString(*limit)));
    }
    if (n > max_entries) {
      return absl::InvalidArgumentError(
          StrCat("max entries limit per query exceeded, limit > max_entries_limit (", n, " > ",
                 max_entries, ")"));
    }
    q->limit = n;
  }
  std::string dir = req.Param("direction").value_or("backward");
  if (dir == "backward" || dir == "BACKWARD") {
    q->backward = true;
  } else if (dir == "forward" || dir == "FORWARD") {
    q->backward = false;
  } else {
    return absl::InvalidArgumentError(StrCat("invalid direction ", QuoteString(dir)));
  }
  return absl::OkStatus();
}

bool Categorize(const HttpRequest& req) {
  return req.Header("X-Loki-Response-Encoding-Flags").value_or("").find("categorize-labels") !=
         std::string_view::npos;
}

void QueryRange(ApiContext& ctx, const logql::LogqlEngine& engine, const HttpRequest& req,
                HttpResponse& resp) {
  LogsStore* store = ctx.LogsOr503(resp);
  if (!store) return;
  logql::LogqlQuery q;
  if (absl::Status st = ParseCommon(req, &q, engine.options().max_entries); !st.ok()) {
    return WriteApiError(resp, st);
  }
  auto end = LogTimeParam(req, "end", NowNs());
  if (!end.ok()) return WriteApiError(resp, end.status());
  auto start = LogTimeParam(req, "start", *end - kHour);
  if (!start.ok()) return WriteApiError(resp, start.status());
  if (*end < *start) {
    return WriteApiError(resp, absl::InvalidArgumentError(
                                   "end timestamp must not be before or equal to start time"));
  }
  q.start_ns = *start;
  q.end_ns = *end;
  int64_t default_step = std::max<int64_t>((q.end_ns - q.start_ns) / 250 / kSecond, 1) * kSecond;
  auto step = LogDurationParam(req, "step", default_step);
  if (!step.ok()) return WriteApiError(resp, step.status());
  q.step_ns = *step;
  auto result = engine.Exec(*store, q);
  if (!result.ok()) return WriteApiError(resp, result.status());
  WriteResult(resp, *result, Categorize(req));
}

void InstantQuery(ApiContext& ctx, const logql::LogqlEngine& engine, const HttpRequest& req,
                  HttpResponse& resp) {
  LogsStore* store = ctx.LogsOr503(resp);
  if (!store) return;
  logql::LogqlQuery q;
  if (absl::Status st = ParseCommon(req, &q, engine.options().max_entries); !st.ok()) {
    return WriteApiError(resp, st);
  }
  auto t = LogTimeParam(req, "time", NowNs());
  if (!t.ok()) return WriteApiError(resp, t.status());
  q.instant = true;
  q.start_ns = *t - kHour;  // a log query looks back an hour, as Loki's instant queries do
  q.end_ns = *t;
  auto result = engine.Exec(*store, q);
  if (!result.ok()) return WriteApiError(resp, result.status());
  WriteResult(resp, *result, Categorize(req));
}

absl::Status RangeParams(const HttpRequest& req, int64_t* start, int64_t* end) {
  auto e = LogTimeParam(req, "end", NowNs());
  if (!e.ok()) return e.status();
  auto s = LogTimeParam(req, "start", *e - 6 * kHour);
  if (!s.ok()) return s.status();
  *start = *s;
  *end = *e + 1;
  return absl::OkStatus();
}

void WriteStrings(HttpResponse& resp, const std::vector<std::string>& v) {
  WriteApiData(resp, [&](JsonWriter& w) {
    w.BeginArray();
    for (const std::string& s : v) w.String(s);
    w.EndArray();
  });
}

}  // namespace

void RegisterLokiApi(Router& router, ApiContext& ctx, const logql::LogqlEngine& engine) {
  for (const char* method : {"GET", "POST"}) {
    router.Handle(method, "/loki/api/v1/query_range",
                  [&ctx, &engine](const HttpRequest& req, HttpResponse& resp) {
                    QueryRange(ctx, engine, req, resp);
                  },
                  "loki_query_range");
    router.Handle(method, "/loki/api/v1/query",
                  [&ctx, &engine](const HttpRequest& req, HttpResponse& resp) {
                    InstantQuery(ctx, engine, req, resp);
                  },
                  "loki_query");
    router.Handle(method, "/loki/api/v1/series",
                  [&ctx](const HttpRequest& req, HttpResponse& resp) {
                    LogsStore* store = ctx.LogsOr503(resp);
                    if (!store) return;
                    int64_t start, end;
                    if (absl::Status st = RangeParams(req, &start, &end); !st.ok()) return WriteApiError(resp, st);
                    std::vector<std::string> matches = req.Params("match[]");
                    if (matches.empty()) matches = req.Params("match");
                    std::vector<Labels> all;
                    if (matches.empty()) matches.push_back("");
                    for (const std::string& m : matches) {
                      Matchers matchers;
                      if (!m.empty()) {
                        auto sel = ParseStreamSelector(m);
                        if (!sel.ok()) return WriteApiError(resp, sel.status());
                        matchers = std::move(*sel);
                      }
                      auto streams = store->Streams(matchers, start, end);
                      if (!streams.ok()) return WriteApiError(resp, streams.status());
                      all.insert(all.end(), streams->begin(), streams->end());
                    }
                    std::sort(all.begin(), all.end());
                    all.erase(std::unique(all.begin(), all.end()), all.end());
                    WriteApiData(resp, [&](JsonWriter& w) {
                      w.BeginArray();
                      for (const Labels& l : all) w.LabelsObject(l);
                      w.EndArray();
                    });
                  },
                  "loki_series");
    router.Handle(method, "/loki/api/v1/format_query",
                  [](const HttpRequest& req, HttpResponse& resp) {
                    auto expr = logql::ParseLogQL(req.Param("query").value_or(""));
                    if (!expr.ok()) return WriteApiError(resp, expr.status());
                    WriteApiData(resp, [&](JsonWriter& w) { w.String(logql::ToString(**expr)); });
                  },
                  "loki_format_query");
  }
  // What Grafana's Loki data source asks besides queries: the version (features are switched
  // on by it) and index statistics for a selector (shown as the query's expected size).
  router.Handle("GET", "/loki/api/v1/status/buildinfo",
                [](const HttpRequest&, HttpResponse& resp) {
                  resp.set_status(200);
                  resp.set_content_type("application/json");
                  resp.set_body(R"({"version":"3.0.0","revision":"vigil","branch":"main",)"
                                R"("buildUser":"vigil","buildDate":"","goVersion":""})");
                },
                "loki_buildinfo");
  for (const char* method : {"GET", "POST"}) {
    router.Handle(method, "/loki/api/v1/index/stats",
                  [&ctx](const HttpRequest& req, HttpResponse& resp) {
                    LogsStore* store = ctx.LogsOr503(resp);
                    if (!store) return;
                    int64_t start, end;
                    if (absl::Status st = RangeParams(req, &start, &end); !st.ok()) return WriteApiError(resp, st);
                    auto sel = ParseStreamSelector(req.Param("query").value_or(""));
                    if (!sel.ok()) return WriteApiError(resp, sel.status());
                    LogSelectRequest r;
                    r.start_ns = start;
                    r.end_ns = end;
                    r.matchers = std::move(*sel);
                    r.want_fields = false;
                    std::set<std::string> streams;
                    uint64_t entries = 0, bytes = 0, batches = 0;
                    absl::Status st = store->Select(r, [&](const Labels& stream, std::span<const LogRecordView> recs) {
                      streams.emplace(stream.packed());
                      entries += recs.size();
                      ++batches;
                      for (const LogRecordView& rec : recs) bytes += rec.body.size();
                      return true;
                    });
                    if (!st.ok()) return WriteApiError(resp, st);
                    std::string body;
                    JsonWriter w(&body);
                    // "chunks": the batches the store handed over, its nearest notion of one.
                    w.BeginObject().Key("streams").Uint(streams.size()).Key("chunks").Uint(batches);
                    w.Key("bytes").Uint(bytes).Key("entries").Uint(entries).EndObject();
                    resp.set_status(200);
                    resp.set_content_type("application/json");
                    resp.set_body(std::move(body));
                  },
                  "loki_index_stats");
  }
  router.Handle("GET", "/loki/api/v1/labels",
                [&ctx](const HttpRequest& req, HttpResponse& resp) {
                  LogsStore* store = ctx.LogsOr503(resp);
                  if (!store) return;
                  int64_t start, end;
                  if (absl::Status st = RangeParams(req, &start, &end); !st.ok()) return WriteApiError(resp, st);
                  auto names = store->LabelNames(start, end);
                  if (!names.ok()) return WriteApiError(resp, names.status());
                  WriteStrings(resp, *names);
                },
                "loki_labels");
  router.Handle("GET", "/loki/api/v1/label/:name/values",
                [&ctx](const HttpRequest& req, HttpResponse& resp) {
                  LogsStore* store = ctx.LogsOr503(resp);
                  if (!store) return;
                  int64_t start, end;
                  if (absl::Status st = RangeParams(req, &start, &end); !st.ok()) return WriteApiError(resp, st);
                  auto values = store->LabelValues(req.PathParam("name"), start, end);
                  if (!values.ok()) return WriteApiError(resp, values.status());
                  WriteStrings(resp, *values);
                },
                "loki_label_values");
}

}  // namespace vigil
