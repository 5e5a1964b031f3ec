// Fuzzes the JSON stages (`json`, `json` with paths, `unpack`) with arbitrary lines.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "query/logql/pipeline/json_parser.h"

namespace {

using vigil::Labels;
using vigil::LogRecordView;
using vigil::logql::pipeline::JsonParser;
using vigil::logql::pipeline::LineState;
using vigil::logql::pipeline::UnpackParser;

const JsonParser& WithPaths() {
  static const JsonParser p = *JsonParser::WithExtractions(
      {{"a", "a"}, {"b", "b.c[0]"}, {"d", R"(["d.e"][1].f)"}, {"app", "app"}});
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const Labels stream{{"app", "fuzz"}, {"level", "info"}};
  LogRecordView record;
  record.body = input;
  LineState state;
  state.Reset(stream, record);
  JsonParser().Process(state);
  state.ToLabels();
  state.Reset(stream, record);
  WithPaths().Process(state);
  state.ToLabels();
  state.Reset(stream, record);
  UnpackParser().Process(state);
  state.ToLabels();
  (void)vigil::logql::pipeline::ParseJsonPath(input);
  return 0;
}
