// Fuzzes the Elasticsearch bulk decoder and its response writer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/logs/es_bulk.h"
#include "ingest/logs/fuzz_checks.h"
#include "simdjson.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigil::EsBulkDecoder decoder;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  vigil::LogBatch batch;
  vigil::EsBulkResult r = decoder.Decode(in, "fuzz-index", 1714564800000000000, &batch);
  vigil::fuzz_logs::CheckBatch(batch, r.decode);
  vigil::fuzz_logs::Require(
      r.decode.status.ok() ? r.items.size() == r.decode.total : r.items.empty(),
      "items do not match entries");
  // The response must always be valid JSON, whatever the items hold.
  std::string out;
  if (r.decode.status.ok()) {
    vigil::WriteEsBulkResponse(r, 1, &out);
  } else {
    vigil::WriteEsErrorResponse(400, r.error_type, vigil::ToStd(r.decode.status.message()), &out);
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  vigil::fuzz_logs::Require(parser.parse(out).get(doc) == simdjson::SUCCESS,
                            "the response is not JSON");
  return 0;
}
