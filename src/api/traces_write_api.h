// Span ingestion endpoints:
//   POST /v1/traces     OTLP/HTTP, protobuf or JSON (main listener and the OTLP/HTTP one)
//   POST /api/v2/spans  Zipkin v2 JSON (202 on success, as Zipkin answers)
//   gRPC opentelemetry.proto.collector.trace.v1.TraceService/Export (OTLP/gRPC listener)
// Every path decodes (ingest/traces), appends to the trace store (durable when answered), and
// feeds the stored spans to the span-metrics generator. Spans a decoder or the store refuses are
// reported (OTLP partial_success, Zipkin 400 naming them) while the rest is stored.
//
// Thread-safety: TracesIngest is shared by every handler thread; decoders come from pools.
#pragma once

#include <memory>

#include "api/api_context.h"
#include "api/decoder_pool.h"
#include "api/otlp_export.h"
#include "grpc/grpc_server.h"
#include "http/router.h"
#include "ingest/spanmetrics/span_metrics.h"
#include "ingest/traces/otlp_traces_json.h"
#include "ingest/traces/otlp_traces_proto.h"
#include "ingest/traces/zipkin_json.h"

namespace vigil {

class TracesIngest {
 public:
  // `span_metrics` may be null (span metrics off).
  TracesIngest(ApiContext& ctx, const SpanLimits& limits, SpanMetrics* span_metrics);

  OtlpOutcome ExportOtlp(std::string_view body, bool json);
  OtlpOutcome ImportZipkin(std::string_view body);

 private:
  OtlpOutcome Store(const SpanBatch& batch, const SpanDecodeResult& decoded);

  ApiContext& ctx_;
  SpanMetrics* span_metrics_;
  DecoderPool<OtlpTracesProtoDecoder> proto_;
  DecoderPool<OtlpTracesJsonDecoder> json_;
  DecoderPool<ZipkinJsonDecoder> zipkin_;
  Counter* decode_refused_ = nullptr;
};

// /v1/traces and /api/v2/spans on the main listener.
void RegisterTracesWriteApi(Router& router, std::shared_ptr<TracesIngest> ingest);
// /v1/traces on the OTLP/HTTP listener.
void RegisterOtlpTracesHttp(Router& router, std::shared_ptr<TracesIngest> ingest);
// TraceService/Export on the OTLP/gRPC listener.
void RegisterOtlpTracesGrpc(GrpcServer& server, std::shared_ptr<TracesIngest> ingest);

}  // namespace vigil
