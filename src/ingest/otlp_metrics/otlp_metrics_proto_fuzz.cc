// Fuzzes the OTLP metrics protobuf decoder, delta conversion included.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/otlp_metrics/otlp_metrics_fuzz_checks.h"
#include "ingest/otlp_metrics/otlp_metrics_proto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigil::OtlpMetricsProtoDecoder decoder;
  static vigil::DeltaToCumulative deltas(/*max_series=*/1000);
  static vigil::OtlpMetricsBatch batch;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  vigil::DeltaToCumulative::Session session(deltas);
  vigil::DecodeResult r = decoder.Decode(in, 1714564800000, &session, &batch);
  vigil::fuzz_otlp_metrics::CheckBatch(batch, r);
  if (r.status.ok()) session.Commit();
  return 0;
}
