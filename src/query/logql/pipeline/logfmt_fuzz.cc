// Fuzzes the logfmt decoder and the `logfmt` stage in all its modes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "query/logql/pipeline/logfmt_parser.h"

using vigil::Labels;
using vigil::LogRecordView;
using vigil::logql::pipeline::LineState;
using vigil::logql::pipeline::LogfmtDecoder;
using vigil::logql::pipeline::LogfmtParser;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string buf;
  LogfmtDecoder dec(input, &buf);
  // Each call consumes at least one byte or stops, so this terminates; the bound is a guard.
  for (size_t steps = 0; !dec.EndOfLine() && steps <= input.size() + 1; ++steps) dec.ScanKeyval();

  static const Labels stream{{"app", "fuzz"}};
  LogRecordView record;
  record.body = input;
  LineState state;
  for (bool strict : {false, true}) {
    for (bool keep_empty : {false, true}) {
      const LogfmtParser p = *LogfmtParser::Make({.strict = strict, .keep_empty = keep_empty});
      state.Reset(stream, record);
      p.Process(state);
      state.ToLabels();
    }
  }
  static const LogfmtParser extract = *LogfmtParser::Make({}, {{"app", "app"}, {"x", "y"}});
  state.Reset(stream, record);
  extract.Process(state);
  state.ToLabels();
  return 0;
}
