// Fuzzes the LogQL parser and printer: no input may crash, hang or recurse without bound;
// errors read as Loki's ("parse error ..."); what parses prints to a form that parses back to
// an equal tree and prints identically.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "query/logql/syntax/parser.h"
#include "query/logql/syntax/pushdown.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::logql;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = ParseLogQL(in);
  if (!r.ok()) {
    if (r.status().message().substr(0, 11) != "parse error") std::abort();
    return 0;
  }
  for (const LogSelectorExpr* sel : Selectors(**r)) (void)ExtractRequiredFilters(*sel);
  std::string s = ToString(**r);
  auto again = ParseLogQL(s);
  if (!again.ok()) std::abort();
  if (!Equal(**r, **again)) std::abort();
  if (ToString(**again) != s) std::abort();
  return 0;
}
