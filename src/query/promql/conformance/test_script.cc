#include "query/promql/conformance/test_script.h"

#include <algorithm>

#include "common/strings.h"
#include "common/time_util.h"
#include "query/promql/conformance/series_desc.h"
#include "re2/re2.h"

namespace vigil::promql::conformance {
namespace {

// Upstream's patterns, verbatim (RE2 and Go's regexp share the syntax and semantics).
const RE2& LoadPattern() {
  static const RE2 re(R"(^load\s+(.+?)$)");
  return re;
}
const RE2& EvalPattern() {
  static const RE2 re(R"(^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)");
  return re;
}

bool IsTrimSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsTrimSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsTrimSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Trimmed lines with comment lines blanked, as upstream's getLines.
std::vector<std::string_view> GetLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (;;) {
    size_t nl = text.find('\n', start);
    std::string_view l = Trim(text.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (!l.empty() && l.front() == '#') l = {};
    lines.push_back(l);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

// The first word (split at runs of spaces and tabs), lower-cased.
std::string FirstWord(std::string_view l) {
  size_t end = l.find_first_of(" \t");
  std::string w(l.substr(0, end));
  for (char& c : w) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return w;
}

absl::Status LineError(size_t i, std::string_view msg) {
  return absl::InvalidArgumentError(StrCat("line ", i + 1, ": ", msg));
}

class ScriptParser {
 public:
  explicit ScriptParser(std::string_view text) : lines_(GetLines(text)) {}

  absl::StatusOr<TestScript> Parse() {
    TestScript script;
    for (size_t i = 0; i < lines_.size(); ++i) {
      std::string_view l = lines_[i];
      if (l.empty()) continue;
      std::string c = FirstWord(l);
      if (c == "clear") {
        script.commands.push_back(ClearCmd{static_cast<int>(i + 1)});
      } else if (c == "load") {
        auto cmd = ParseLoad(&i);
        if (!cmd.ok()) return cmd.status();
        script.commands.emplace_back(std::move(*cmd));
      } else if (c.starts_with("eval")) {
        auto cmd = ParseEval(&i);
        if (!cmd.ok()) return cmd.status();
        script.commands.emplace_back(std::move(*cmd));
      } else {
        return LineError(i, StrCat("invalid command ", QuoteString(Truncated(l))));
      }
    }
    return script;
  }

 private:
  absl::StatusOr<LoadCmd> ParseLoad(size_t* i) {
    std::string interval;
    if (!RE2::FullMatch(std::string(lines_[*i]), LoadPattern(), &interval)) {
      return LineError(*i, "invalid load command (load <step:duration>)");
    }
    auto gap = ParseDurationMs(interval);
    if (!gap.ok()) {
      return LineError(*i, StrCat("invalid step definition ", QuoteString(Truncated(interval)),
                                  ": ", std::string(gap.status().message())));
    }
    LoadCmd cmd;
    cmd.line = static_cast<int>(*i + 1);
    cmd.interval_ms = *gap;
    while (*i + 1 < lines_.size()) {
      ++*i;
      std::string_view def = lines_[*i];
      if (def.empty()) {
        --*i;
        break;
      }
      auto desc = ParseSeriesDesc(def);
      if (!desc.ok()) return LineError(*i, ToStd(desc.status().message()));
      LoadedSeries s;
      s.labels = std::move(desc->labels);
      int64_t last_t;
      if (!desc->values.empty() &&
          __builtin_mul_overflow(static_cast<int64_t>(desc->values.size() - 1), cmd.interval_ms,
                                 &last_t)) {
        return LineError(*i, "series extends beyond the representable time range");
      }
      int64_t t = 0;
      for (const SequenceValue& v : desc->values) {
        if (!v.omitted) s.samples.push_back({t, v.value});
        t += cmd.interval_ms;
      }
      auto same = std::find_if(cmd.series.begin(), cmd.series.end(),
                               [&](const LoadedSeries& o) { return o.labels == s.labels; });
      if (same != cmd.series.end()) {
        *same = std::move(s);
      } else {
        cmd.series.push_back(std::move(s));
      }
    }
    return cmd;
  }

  absl::StatusOr<EvalCmd> ParseEval(size_t* i) {
    std::string mod, at, expr;
    if (!RE2::FullMatch(std::string(lines_[*i]), EvalPattern(), &mod, &at, &expr)) {
      return LineError(*i,
                       "invalid evaluation command (eval[_fail|_ordered] instant [at "
                       "<offset:duration>] <query>)");
    }
    auto offset = ParseDurationMs(at);
    if (!offset.ok()) {
      return LineError(*i, StrCat("invalid evaluation time ", QuoteString(Truncated(at)), ": ",
                                  std::string(offset.status().message())));
    }
    EvalCmd cmd;
    cmd.line = static_cast<int>(*i + 1);
    cmd.expr = std::move(expr);
    cmd.t_ms = *offset;
    cmd.kind = mod == "ordered" ? EvalKind::kOrdered
               : mod == "fail"  ? EvalKind::kFail
                                : EvalKind::kNormal;
    for (int j = 1; *i + 1 < lines_.size(); ++j) {
      ++*i;
      std::string_view def = lines_[*i];
      if (def.empty()) {
        --*i;
        break;
      }
      double scalar;
      if (ParseGoNumber(def, &scalar)) {
        cmd.scalar = scalar;  // a scalar expectation ends the block
        break;
      }
      auto desc = ParseSeriesDesc(def);
      if (!desc.ok()) return LineError(*i, ToStd(desc.status().message()));
      if (desc->values.size() > 1) {
        return LineError(*i, "expecting multiple values in instant evaluation not allowed");
      }
      if (desc->values.empty()) return LineError(*i, "expected sample has no value");
      if (desc->values[0].omitted)
        return LineError(*i, "expected sample cannot be omitted (\"_\")");
      ExpectedSample e{std::move(desc->labels), desc->values[0].value, j};
      auto same = std::find_if(cmd.samples.begin(), cmd.samples.end(),
                               [&](const ExpectedSample& o) { return o.labels == e.labels; });
      if (same != cmd.samples.end()) {
        *same = std::move(e);
      } else {
        cmd.samples.push_back(std::move(e));
      }
    }
    return cmd;
  }

  std::vector<std::string_view> lines_;
};

}  // namespace

size_t TestScript::EvalCount() const {
  return std::count_if(commands.begin(), commands.end(),
                       [](const Command& c) { return std::holds_alternative<EvalCmd>(c); });
}

absl::StatusOr<TestScript> ParseTestScript(std::string_view text) {
  return ScriptParser(text).Parse();
}

std::vector<int> EvalLines(std::string_view text) {
  std::vector<int> out;
  std::vector<std::string_view> lines = GetLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].empty() && FirstWord(lines[i]).starts_with("eval")) {
      out.push_back(static_cast<int>(i + 1));
    }
  }
  return out;
}

}  // namespace vigil::promql::conformance
