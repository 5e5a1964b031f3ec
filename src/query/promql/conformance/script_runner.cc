#include "query/promql/conformance/script_runner.h"

#include <memory>
#include <vector>

#include "common/strings.h"
#include "query/promql/conformance/at_rewrite.h"
#include "query/promql/conformance/result_check.h"
#include "query/promql/syntax/parser.h"
#include "storage/metrics/db/temp_metrics_db.h"

namespace vigil::promql::conformance {
namespace {

constexpr int64_t kMinute = 60 * 1000;

// Scripts load series that start at the epoch and span days: a head that takes any
// timestamp (no "out of bounds") and never cuts blocks (maintenance is off in TempMetricsDb).
void WideHead(MetricsDbOptions& o) { o.head.chunk_range_ms = 100LL * 365 * 24 * 3600 * 1000; }

std::string Indent(std::string_view s) {
  std::string out = "    ";
  for (char c : s) {
    out.push_back(c);
    if (c == '\n') out += "    ";
  }
  return out;
}

struct Variant {
  std::string name;
  int64_t t = 0;
  const Expr* expr = nullptr;  // null: the query string as written
};

class CaseRun {
 public:
  CaseRun(const Engine& engine, MetricsStore& store, const EvalCmd& cmd)
      : engine_(engine), store_(store), cmd_(cmd) {}

  CaseOutcome Run() {
    CaseOutcome out;
    out.line = cmd_.line;
    auto parsed = ParseExpr(cmd_.expr);
    if (!parsed.ok()) {
      out.variant = "parse";
      out.message = StrCat("query does not parse: ", std::string(parsed.status().message()));
      return out;
    }
    std::vector<Variant> variants = {{StrCat("instant query at t=", cmd_.t_ms, "ms"), cmd_.t_ms}};
    auto at_expr = ParseExpr(cmd_.expr);
    std::string at_text;
    if (at_expr.ok() && InjectAtModifier(**at_expr, cmd_.t_ms)) {
      at_text = ToString(**at_expr);
      for (int64_t t : AtVariantTimes(cmd_.t_ms)) {
        variants.push_back({StrCat("@ variant `", at_text, "` at t=", t, "ms"), t, at_expr->get()});
      }
    }
    for (const Variant& v : variants) {
      if (!RunVariant(v, &out)) return out;
    }
    out.passed = true;
    return out;
  }

 private:
  absl::StatusOr<QueryResult> Instant(const Variant& v) {
    if (v.expr == nullptr) return engine_.InstantQuery(store_, cmd_.expr, v.t);
    return engine_.Evaluate(store_, *v.expr, v.t, v.t, 0, /*instant=*/true);
  }
  absl::StatusOr<QueryResult> Range(const Variant& v) {
    if (v.expr == nullptr) {
      return engine_.RangeQuery(store_, cmd_.expr, v.t - kMinute, v.t + kMinute, kMinute);
    }
    return engine_.Evaluate(store_, *v.expr, v.t - kMinute, v.t + kMinute, kMinute,
                            /*instant=*/false);
  }

  bool Fail(CaseOutcome* out, std::string variant, std::string why, const QueryResult* got) {
    out->variant = std::move(variant);
    out->message = StrCat(why, "\n  expected:\n", Indent(FormatExpected(cmd_)));
    if (got != nullptr) StrAppend(&out->message, "\n  got:\n", Indent(FormatResult(*got)));
    return false;
  }

  bool RunVariant(const Variant& v, CaseOutcome* out) {
    auto instant = Instant(v);
    if (!instant.ok()) {
      if (cmd_.kind == EvalKind::kFail) return true;
      return Fail(out, v.name, StrCat("error: ", instant.status().ToString()), nullptr);
    }
    if (cmd_.kind == EvalKind::kFail) {
      return Fail(out, v.name, "expected an error but the query succeeded", &*instant);
    }
    if (auto st = CheckInstantResult(cmd_, *instant); !st.ok()) {
      return Fail(out, v.name, std::string(st.message()), &*instant);
    }
    std::string range_name = StrCat(v.name, ", as a range query over t-1m..t+1m step 1m");
    auto range = Range(v);
    if (!range.ok())
      return Fail(out, range_name, StrCat("error: ", range.status().ToString()), nullptr);
    if (cmd_.kind == EvalKind::kOrdered) return true;  // order is undefined for range queries
    if (auto st = CheckRangeResult(cmd_, instant->type, *range, v.t); !st.ok()) {
      return Fail(out, range_name, std::string(st.message()), &*range);
    }
    return true;
  }

  const Engine& engine_;
  MetricsStore& store_;
  const EvalCmd& cmd_;
};

absl::Status Load(MetricsStore& store, const LoadCmd& cmd) {
  auto app = store.Appender();
  std::vector<LabelView> views;
  for (const LoadedSeries& s : cmd.series) {
    views.assign(s.labels.begin(), s.labels.end());
    auto ref = app->GetOrCreate(views);
    if (!ref.ok()) {
      app->Rollback();
      return absl::InvalidArgumentError(StrCat("series ", s.labels.ToString(),
                                               " refused: ", std::string(ref.status().message())));
    }
    app->Append(*ref, s.samples);
  }
  if (app->stats().TotalRejected() > 0) {
    std::string why = app->stats().first_error;
    app->Rollback();
    return absl::InvalidArgumentError(StrCat("samples refused: ", why));
  }
  return app->Commit();
}

}  // namespace

EngineOptions ScriptRunner::UpstreamTestOptions() {
  EngineOptions o;
  o.lookback_delta_ms = 5 * kMinute;
  o.max_samples = 10000;
  o.timeout_ms = 100 * 1000;
  o.default_subquery_step_ms = kMinute;
  return o;
}

void ScriptRunner::Run(const TestScript& script, int skip_through,
                       const std::function<void(int line)>& on_start,
                       const std::function<void(const CaseOutcome&)>& on_done) {
  auto db = std::make_unique<TempMetricsDb>(nullptr, &WideHead);
  std::string load_error;  // a failed load fails every case after it, as upstream stops
  for (const Command& c : script.commands) {
    if (const auto* load = std::get_if<LoadCmd>(&c)) {
      if (!load_error.empty()) continue;
      if (auto st = Load(db->db(), *load); !st.ok()) {
        load_error = StrCat("load at line ", load->line, " failed: ", st.ToString());
      }
    } else if (std::holds_alternative<ClearCmd>(c)) {
      db.reset();
      db = std::make_unique<TempMetricsDb>(nullptr, &WideHead);
      load_error.clear();
    } else {
      const auto& eval = std::get<EvalCmd>(c);
      if (eval.line <= skip_through) continue;
      on_start(eval.line);
      CaseOutcome out;
      if (!load_error.empty()) {
        out.line = eval.line;
        out.variant = "load";
        out.message = load_error;
      } else {
        out = CaseRun(engine_, db->db(), eval).Run();
      }
      on_done(out);
    }
  }
}

}  // namespace vigil::promql::conformance
