// Fuzzes the line_format template engine: the input's first line is the template, the rest
// the log line it runs on (with a few labels set).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "query/logql/pipeline/go_template.h"
#include "query/logql/pipeline/line_state.h"

using vigil::Labels;
using vigil::LogRecordView;
using vigil::logql::pipeline::GoTemplate;
using vigil::logql::pipeline::LineState;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view text = input.substr(0, nl);
  const std::string_view line = nl == std::string_view::npos ? input : input.substr(nl + 1);
  auto t = GoTemplate::Compile(text);
  if (!t.ok()) return 0;
  static const Labels stream{{"app", "fuzz"}, {"n", "42"}};
  LogRecordView record;
  record.body = line;
  record.timestamp_ns = 1700000000000000000;
  LineState state;
  state.Reset(stream, record);
  state.Set("msg", line.substr(0, 64));
  state.Set("dur", "1.5s");
  std::string out;
  (void)t->Execute(state, &out);
  return 0;
}
