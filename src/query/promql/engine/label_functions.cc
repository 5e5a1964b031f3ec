#include "query/promql/engine/label_functions.h"

#include "common/strings.h"

namespace vigil::promql {
namespace {

bool IsNameByte(unsigned char c) {
  // Multi-byte UTF-8 sequences count as letters (Go accepts any Unicode letter or digit).
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c >= 0x80;
}

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

std::string ExpandTemplate(const RE2& re, std::string_view tmpl,
                           const std::vector<std::string_view>& groups) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t dollar = tmpl.find('$', i);
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(i, dollar - i));
    i = dollar + 1;
    if (i < tmpl.size() && tmpl[i] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    size_t j = i;
    bool brace = j < tmpl.size() && tmpl[j] == '{';
    if (brace) ++j;
    size_t name_start = j;
    while (j < tmpl.size() && IsNameByte(static_cast<unsigned char>(tmpl[j]))) ++j;
    std::string_view name = tmpl.substr(name_start, j - name_start);
    bool ok = !name.empty();
    if (ok && brace) {
      if (j < tmpl.size() && tmpl[j] == '}') {
        ++j;
      } else {
        ok = false;
      }
    }
    if (!ok) {
      out.push_back('$');  // malformed: the dollar is literal text
      continue;
    }
    i = j;
    // A number (no leading zeros, below 1e8) names a group by index.
    int64_t num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;
    if (num >= 0) {
      if (static_cast<size_t>(num) < groups.size()) out.append(groups[num]);
      continue;
    }
    const auto& named = re.NamedCapturingGroups();
    auto it = named.find(std::string(name));
    if (it != named.end() && static_cast<size_t>(it->second) < groups.size()) {
      out.append(groups[it->second]);
    }
  }
  out.append(tmpl.substr(std::min(i, tmpl.size())));
  return out;
}

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
  std::vector<std::string_view> groups(ngroups);
  return Relabel(ev, std::move(args[0]), [&](const Labels& l) -> Labels {
    std::string_view value = l.Get(src);
    re2::StringPiece text(value.data(), value.size());
    if (!re.Match(text, 0, text.size(), RE2::ANCHOR_BOTH, sub.data(), ngroups)) return l;
    for (int g = 0; g < ngroups; ++g) groups[g] = std::string_view(sub[g].data(), sub[g].size());
    std::string res = ExpandTemplate(re, repl, groups);
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
