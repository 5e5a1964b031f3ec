#include "query/logql/pipeline/value_parse.h"

#include "common/go_float.h"
#include "common/strings.h"

namespace vigil::logql::pipeline {

bool ParseGoFloatValue(std::string_view s, double* v, std::string* error) {
  if (ParseGoFloat(s, v)) return true;
  if (error != nullptr) {
    *error = StrCat("strconv.ParseFloat: parsing ", QuoteString(s), ": invalid syntax");
  }
  return false;
}

}  // namespace vigil::logql::pipeline
