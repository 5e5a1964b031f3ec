// Fuzzes Loki's pattern language: the input's first line is the pattern, the rest the log
// line it is matched against (as a parser and as a `|>` filter).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "query/logql/pipeline/line_filter.h"
#include "query/logql/pipeline/pattern.h"

using vigil::Labels;
using vigil::LogRecordView;
using vigil::logql::pipeline::LineFilter;
using vigil::logql::pipeline::LineFilterOp;
using vigil::logql::pipeline::LineState;
using vigil::logql::pipeline::Pattern;
using vigil::logql::pipeline::PatternParser;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view pattern = input.substr(0, nl);
  const std::string_view line = nl == std::string_view::npos ? input : input.substr(nl + 1);

  if (auto p = Pattern::Parse(pattern, false); p.ok()) {
    std::vector<std::string_view> captures;
    p->Match(line, &captures);
    p->Test(line);
  }
  if (auto parser = PatternParser::Make(pattern); parser.ok()) {
    static const Labels stream{{"app", "fuzz"}};
    LogRecordView record;
    record.body = line;
    LineState state;
    state.Reset(stream, record);
    parser->Process(state);
    state.ToLabels();
  }
  // The same text as a line filter of each kind (regexes may fail to compile: that is fine).
  for (LineFilterOp op : {LineFilterOp::kContains, LineFilterOp::kRegex, LineFilterOp::kPattern}) {
    if (auto f = LineFilter::Make(op, {std::string(pattern)}); f.ok()) f->Matches(line);
  }
  return 0;
}
