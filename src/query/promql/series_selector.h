// Parsing of PromQL series selectors (`metric{label="value", other=~"re"}`), as used by the
// `match[]` parameter of the metadata APIs and by the export API. Errors follow the PromQL
// parser's style: "1:7: parse error: unexpected end of input inside braces".
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/matcher.h"

namespace vigil::promql {

absl::StatusOr<Matchers> ParseSeriesSelector(std::string_view input);

// Unquotes a PromQL string literal: "double" or 'single' quoted with Go escapes, or a
// `raw` string. The whole input must be one literal.
absl::StatusOr<std::string> UnquoteString(std::string_view literal);

}  // namespace vigil::promql
