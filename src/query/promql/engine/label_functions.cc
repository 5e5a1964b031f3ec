#include "query/promql/engine/label_functions.h"

#include "common/regex_template.h"
#include "common/strings.h"
#include "re2/re2.h"

namespace vigil::promql {
namespace {

// Re-labels every series of `in` with `relabel` (called once per series) and merges series
// that end up with equal labels, failing if two of them meet at one step.
template <typename F>
absl::StatusOr<StepValue> Relabel(Evaluator& ev, StepValue in, F&& relabel) {
  SeriesCollector out;
  for (Series& s : in.series) {
    size_t idx = out.Find(relabel(s.labels));
    for (const Sample& p : s.points) out.Add(idx, p.t, p.v);
  }
  absl::StatusOr<Matrix> m = out.Take();
  if (!m.ok()) return m.status();
  in.series = std::move(*m);
  return in;
}

}  // namespace

absl::StatusOr<StepValue> LabelReplace(Evaluator& ev, std::vector<StepValue> args) {
  const std::string& dst = args[1].str;
  const std::string& repl = args[2].str;
  const std::string& src = args[3].str;
  const std::string& regex = args[4].str;
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(StrCat("^(?:", regex, ")$"), opts);
  if (!re.ok()) {
    return absl::AbortedError(StrCat("invalid regular expression in label_replace(): ", regex));
  }
  if (!IsValidLabelName(dst)) {
    return absl::AbortedError(StrCat("invalid destination label name in label_replace(): ", dst));
  }
  const int ngroups = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> sub(ngroups);
  return Relabel(ev, std::move(args[0]), [&](const Labels& l) -> Labels {
    std::string_view value = l.Get(src);
    re2::StringPiece text(value.data(), value.size());
    if (!re.Match(text, 0, text.size(), RE2::ANCHOR_BOTH, sub.data(), ngroups)) return l;
    std::string res;
    ExpandRegexTemplate(repl, re, sub, &res);
    LabelsBuilder b(l);
    b.Del(dst);
    if (!res.empty()) b.Set(dst, res);
    return b.Build();
  });
}

absl::StatusOr<StepValue> LabelJoin(Evaluator& ev, std::vector<StepValue> args) {
  const std::string& dst = args[1].str;
  const std::string& sep = args[2].str;
  std::vector<std::string> srcs;
  for (size_t i = 3; i < args.size(); ++i) {
    if (!IsValidLabelName(args[i].str)) {
      return absl::AbortedError(
          StrCat("invalid source label name in label_join(): ", args[i].str));
    }
    srcs.push_back(args[i].str);
  }
  if (!IsValidLabelName(dst)) {
    return absl::AbortedError(StrCat("invalid destination label name in label_join(): ", dst));
  }
  return Relabel(ev, std::move(args[0]), [&](const Labels& l) -> Labels {
    std::string joined;
    for (size_t i = 0; i < srcs.size(); ++i) {
      if (i > 0) joined.append(sep);
      joined.append(l.Get(srcs[i]));
    }
    LabelsBuilder b(l);
    if (joined.empty()) {
      b.Del(dst);
    } else {
      b.Set(dst, joined);
    }
    return b.Build();
  });
}

}  // namespace vigil::promql
