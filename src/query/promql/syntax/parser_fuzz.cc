// Fuzzes the PromQL parser and printers: no input may crash, hang or recurse without bound;
// what parses must print to a form that parses again, to the same canonical form, and
// Prettify's output must parse to the same expression too.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "query/promql/syntax/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::promql;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)ParseMetricSelector(in);
  (void)UnquotePromString(in);
  auto r = ParseExpr(in);
  if (!r.ok()) {
    if (r.status().message().find("parse error: ") == std::string::npos) std::abort();
    return 0;
  }
  std::string s = ToString(**r);
  auto again = ParseExpr(s);
  if (!again.ok()) std::abort();
  // Prometheus prints +Inf with its sign; at the start of a `^` operand that reparses as a
  // unary plus, the one place where printing is not a fixed point.
  if (s.find("Inf ^") == std::string::npos && ToString(**again) != s) std::abort();
  auto pretty = ParseExpr(Prettify(**r));
  if (!pretty.ok()) std::abort();
  if (s.find("Inf ^") == std::string::npos && ToString(**pretty) != s) std::abort();
  return 0;
}
