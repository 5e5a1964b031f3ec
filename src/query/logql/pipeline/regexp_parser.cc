#include "query/logql/pipeline/regexp_parser.h"

#include <algorithm>

#include "common/strings.h"

namespace vigil::logql::pipeline {

absl::StatusOr<RegexpParser> RegexpParser::Make(std::string_view regex) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<RE2>(re2::StringPiece(regex.data(), regex.size()), opts);
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        StrCat("invalid regular expression ", QuoteString(regex), ": ", re->error()));
  }
  RegexpParser p;
  for (const auto& [name, index] : re->NamedCapturingGroups()) {
    if (!IsValidLabelName(name)) {
      return absl::InvalidArgumentError(StrCat("invalid extracted label name ", QuoteString(name)));
    }
    p.names_.emplace_back(index, name);
  }
  if (p.names_.empty()) {
    return absl::InvalidArgumentError("at least one named capture must be supplied");
  }
  std::sort(p.names_.begin(), p.names_.end());
  p.re_ = std::move(re);
  return p;
}

bool RegexpParser::Process(LineState& state) const {
  const std::string_view line = state.line();
  std::vector<re2::StringPiece>& groups = state.regex_groups();
  const int n = re_->NumberOfCapturingGroups() + 1;
  groups.assign(static_cast<size_t>(n), re2::StringPiece());
  if (!re_->Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED,
                  groups.data(), n)) {
    return true;
  }
  for (const auto& [index, name] : names_) {
    const re2::StringPiece& g = groups[static_cast<size_t>(index)];
    state.Set(state.ExtractedLabelNameFor(name), std::string_view(g.data(), g.size()));
  }
  return true;
}

}  // namespace vigil::logql::pipeline
