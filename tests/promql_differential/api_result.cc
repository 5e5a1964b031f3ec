#include "tests/promql_differential/api_result.h"

#include <simdjson.h>

#include <cmath>
#include <map>

#include "common/strings.h"

namespace vigil::testing::promql_diff {
namespace {

constexpr size_t kMaxDiffLines = 6;

absl::Status Bad(std::string_view what) {
  return absl::InvalidArgumentError(StrCat("unexpected API response: ", what));
}

bool NumberOf(simdjson::dom::element e, double* out) {
  int64_t i;
  uint64_t u;
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    *out = static_cast<double>(i);
    return true;
  }
  if (e.get_uint64().get(u) == simdjson::SUCCESS) {
    *out = static_cast<double>(u);
    return true;
  }
  return e.get_double().get(*out) == simdjson::SUCCESS;
}

// [<unix seconds>, "<value>"]
absl::Status Point(simdjson::dom::element e, int64_t* t, std::string_view* value) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS || a.size() != 2) return Bad("point is not a pair");
  double secs;
  if (!NumberOf(a.at(0).value(), &secs)) return Bad("point time is not a number");
  *t = std::llround(secs * 1000);
  if (a.at(1).get_string().get(*value) != simdjson::SUCCESS)
    return Bad("point value is not a string");
  return absl::OkStatus();
}

absl::Status FloatPoint(simdjson::dom::element e, std::pair<int64_t, double>* out) {
  std::string_view v;
  if (auto st = Point(e, &out->first, &v); !st.ok()) return st;
  if (!ParseDouble(v, &out->second)) return Bad(StrCat("sample value ", QuoteString(v)));
  return absl::OkStatus();
}

absl::StatusOr<Labels> Metric(simdjson::dom::element e) {
  simdjson::dom::object o;
  if (e["metric"].get_object().get(o) != simdjson::SUCCESS) return Bad("series without metric");
  std::vector<Label> labels;
  for (auto field : o) {
    std::string_view v;
    if (field.value.get_string().get(v) != simdjson::SUCCESS)
      return Bad("label value not a string");
    labels.push_back({std::string(field.key), std::string(v)});
  }
  return Labels::FromUnsorted(std::move(labels));
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return StrCat(v);
}

class Differ {
 public:
  void Add(std::string line) {
    if (lines_ < kMaxDiffLines) StrAppend(&out_, out_.empty() ? "" : "\n", line);
    ++lines_;
  }
  std::string Take() {
    if (lines_ > kMaxDiffLines) StrAppend(&out_, "\n… and ", lines_ - kMaxDiffLines, " more");
    return std::move(out_);
  }

 private:
  std::string out_;
  size_t lines_ = 0;
};

void DiffPoints(const ApiSeries& want, const ApiSeries& got, Differ& d) {
  std::string name = want.labels.ToString();
  if (want.points.size() != got.points.size()) {
    d.Add(StrCat(name, ": ", want.points.size(), " points from prometheus, ", got.points.size(),
                 " from vigil"));
  }
  size_t n = std::min(want.points.size(), got.points.size());
  for (size_t i = 0; i < n; ++i) {
    const auto& [wt, wv] = want.points[i];
    const auto& [gt, gv] = got.points[i];
    if (wt != gt) {
      d.Add(StrCat(name, ": point ", i, " at t=", wt, " in prometheus, t=", gt, " in vigil"));
      return;  // once misaligned, the rest says nothing new
    }
    if (!ValuesClose(wv, gv)) {
      d.Add(StrCat(name, " @", wt, ": prometheus ", FormatValue(wv), ", vigil ", FormatValue(gv)));
    }
  }
}

}  // namespace

bool ValuesClose(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;  // equal infinities too
  if (std::isinf(a) || std::isinf(b)) return false;
  double diff = std::fabs(a - b);
  return diff <= 1e-12 || diff <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

absl::StatusOr<ApiResult> ParseApiResponse(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::padded_string padded(body);
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
    return Bad(StrCat("not JSON: ", QuoteString(Truncated(body, 200))));
  }
  ApiResult r;
  std::string_view status;
  if (doc["status"].get_string().get(status) != simdjson::SUCCESS) return Bad("no status");
  if (status == "error") {
    std::string_view type, error;
    if (doc["errorType"].get_string().get(type) != simdjson::SUCCESS) type = "";
    if (doc["error"].get_string().get(error) != simdjson::SUCCESS) error = "";
    r.error_type = std::string(type);
    r.error = std::string(error);
    return r;
  }
  if (status != "success") return Bad(StrCat("status ", QuoteString(status)));
  r.success = true;
  simdjson::dom::object data;
  std::string_view type;
  if (doc["data"].get_object().get(data) != simdjson::SUCCESS ||
      data["resultType"].get_string().get(type) != simdjson::SUCCESS) {
    return Bad("no data.resultType");
  }
  r.result_type = std::string(type);
  simdjson::dom::element result;
  if (data["result"].get(result) != simdjson::SUCCESS) return Bad("no data.result");
  if (type == "scalar") {
    ApiSeries s;
    s.points.emplace_back();
    if (auto st = FloatPoint(result, &s.points[0]); !st.ok()) return st;
    r.series.push_back(std::move(s));
    return r;
  }
  if (type == "string") {
    std::string_view v;
    if (auto st = Point(result, &r.string_t, &v); !st.ok()) return st;
    r.string_value = std::string(v);
    return r;
  }
  if (type != "vector" && type != "matrix") return Bad(StrCat("resultType ", QuoteString(type)));
  simdjson::dom::array arr;
  if (result.get_array().get(arr) != simdjson::SUCCESS) return Bad("result is not an array");
  for (simdjson::dom::element e : arr) {
    ApiSeries s;
    auto labels = Metric(e);
    if (!labels.ok()) return labels.status();
    s.labels = *std::move(labels);
    if (type == "vector") {
      simdjson::dom::element v;
      if (e["value"].get(v) != simdjson::SUCCESS) return Bad("vector sample without value");
      s.points.emplace_back();
      if (auto st = FloatPoint(v, &s.points[0]); !st.ok()) return st;
    } else {
      simdjson::dom::array values;
      if (e["values"].get_array().get(values) != simdjson::SUCCESS) {
        return Bad("matrix series without values");
      }
      for (simdjson::dom::element v : values) {
        s.points.emplace_back();
        if (auto st = FloatPoint(v, &s.points.back()); !st.ok()) return st;
      }
    }
    r.series.push_back(std::move(s));
  }
  return r;
}

std::string DiffResults(const ApiResult& want, const ApiResult& got, bool ordered) {
  Differ d;
  if (want.success != got.success) {
    d.Add(want.success ? StrCat("prometheus succeeded (", want.result_type,
                                "), vigil failed: ", got.error_type, ": ", got.error)
                       : StrCat("prometheus failed (", want.error_type, ": ", want.error,
                                "), vigil succeeded (", got.result_type, ")"));
    return d.Take();
  }
  if (!want.success) {
    if (want.error_type != got.error_type) {
      d.Add(StrCat("error types differ: prometheus ", want.error_type, " (", want.error,
                   "), vigil ", got.error_type, " (", got.error, ")"));
    }
    return d.Take();
  }
  if (want.result_type != got.result_type) {
    d.Add(StrCat("resultType: prometheus ", want.result_type, ", vigil ", got.result_type));
    return d.Take();
  }
  if (want.result_type == "string") {
    if (want.string_value != got.string_value || want.string_t != got.string_t) {
      d.Add(StrCat("string: prometheus ", QuoteString(want.string_value), "@", want.string_t,
                   ", vigil ", QuoteString(got.string_value), "@", got.string_t));
    }
    return d.Take();
  }
  if (ordered && want.result_type == "vector") {
    if (want.series.size() == got.series.size()) {
      for (size_t i = 0; i < want.series.size(); ++i) {
        double wv = want.series[i].points[0].second, gv = got.series[i].points[0].second;
        if (!ValuesClose(wv, gv)) {
          d.Add(StrCat("position ", i, ": prometheus ", want.series[i].labels.ToString(), " ",
                       FormatValue(wv), ", vigil ", got.series[i].labels.ToString(), " ",
                       FormatValue(gv)));
        }
      }
    }
    // and the same series with the same values, below.
  }
  std::map<std::string, const ApiSeries*> want_by, got_by;
  for (const auto& s : want.series) want_by[s.labels.ToString()] = &s;
  for (const auto& s : got.series) got_by[s.labels.ToString()] = &s;
  if (want_by.size() != want.series.size()) d.Add("prometheus returned a series twice");
  if (got_by.size() != got.series.size()) d.Add("vigil returned a series twice");
  for (const auto& [name, s] : want_by) {
    auto it = got_by.find(name);
    if (it == got_by.end()) {
      d.Add(StrCat("missing in vigil: ", name));
    } else {
      DiffPoints(*s, *it->second, d);
    }
  }
  for (const auto& [name, s] : got_by) {
    if (!want_by.contains(name)) d.Add(StrCat("extra in vigil: ", name));
  }
  return d.Take();
}

std::string Summarize(const ApiResult& r, size_t max_series) {
  if (!r.success) return StrCat("error ", r.error_type, ": ", r.error);
  if (r.result_type == "string") return StrCat("string ", QuoteString(r.string_value));
  std::string out = StrCat(r.result_type, " with ", r.series.size(), " series");
  for (size_t i = 0; i < r.series.size() && i < max_series; ++i) {
    const ApiSeries& s = r.series[i];
    StrAppend(&out, "\n      ", s.labels.ToString(), " ");
    for (size_t j = 0; j < s.points.size() && j < 4; ++j) {
      StrAppend(&out, " ", FormatValue(s.points[j].second), "@", s.points[j].first);
    }
    if (s.points.size() > 4) StrAppend(&out, " … (", s.points.size(), " points)");
  }
  if (r.series.size() > max_series) StrAppend(&out, "\n      …");
  return out;
}

}  // namespace vigil::testing::promql_diff
