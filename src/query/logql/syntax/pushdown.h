// What a log selector's pipeline requires of every line it keeps, in a form the store can
// check before running the pipeline: substrings for bloom filters and structured-field
// equalities for an index.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "query/logql/syntax/ast.h"

namespace vigil::logql {

struct RequiredFilters {
  // Every kept line contains each of these (case-sensitively): the values of single-valued
  // `|= "s"` filters (not ip(), not empty) met before the first stage that rewrites the line
  // (line_format, decolorize, unpack). Parsers and label stages do not change the line, so
  // filters after them still count.
  std::vector<std::string> line_substrings;
  // Every kept line has these (name, value) labels: `| name="v"` filters (non-empty value, not
  // __error__) that are plain `and` conjuncts of a label-filter stage met before the first
  // stage that can add or change labels (a parser, label_format, drop, keep). Such labels are
  // stream labels or structured metadata, so the store can match them itself.
  std::vector<std::pair<std::string, std::string>> field_equals;
};

RequiredFilters ExtractRequiredFilters(const LogSelectorExpr& sel);

}  // namespace vigil::logql
