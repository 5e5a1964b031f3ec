#include "api/traces_write_api.h"

#include "common/strings.h"
#include "ingest/otlp/otlp_response.h"

namespace vigil {

TracesIngest::TracesIngest(ApiContext& ctx, const SpanLimits& limits, SpanMetrics* span_metrics)
    : ctx_(ctx),
      span_metrics_(span_metrics),
      proto_([limits] { return std::make_unique<OtlpTracesProtoDecoder>(limits); }),
      json_([limits] { return std::make_unique<OtlpTracesJsonDecoder>(limits); }),
      zipkin_([limits] { return std::make_unique<ZipkinJsonDecoder>(limits); }) {
  if (ctx.registry) {
    decode_refused_ = &ctx.registry->GetCounter("vigil_traces_rejected_spans_total",
                                                "Spans refused, by reason.",
                                                Labels{{"reason", "invalid"}});
  }
}

OtlpOutcome TracesIngest::Store(const SpanBatch& batch, const SpanDecodeResult& decoded) {
  OtlpOutcome out;
  if (!decoded.status.ok()) {
    out.status = absl::InvalidArgumentError(decoded.status.message());
    return out;
  }
  if (decode_refused_ && decoded.rejected) decode_refused_->Inc(decoded.rejected);
  SpanAppendStats stored;
  if (!batch.empty()) {
    TracesStore* store = ctx_.traces.load(std::memory_order_acquire);
    if (store == nullptr) {
      out.status = absl::UnavailableError("the trace store is starting (WAL replay in progress)");
      return out;
    }
    auto st = store->Append(batch);
    if (!st.ok()) {
      out.status = absl::UnavailableError(st.status().message());
      return out;
    }
    stored = std::move(*st);
    if (span_metrics_ != nullptr) span_metrics_->Add(batch, stored.rejected_spans);
  }
  out.rejected = static_cast<int64_t>(decoded.rejected + stored.TotalRejected());
  if (out.rejected > 0) {
    out.message = !decoded.errors.empty() ? decoded.errors.front().message
                                          : (stored.errors.empty() ? "" : stored.errors.front());
    if (out.rejected > 1) out.message = StrCat(out.rejected, " spans refused, the first: ", out.message);
  }
  return out;
}

OtlpOutcome TracesIngest::ExportOtlp(std::string_view body, bool json) {
  SpanBatch batch;
  SpanDecodeResult decoded;
  if (json) {
    auto d = json_.Acquire();
    decoded = d->Decode(body, &batch);
  } else {
    auto d = proto_.Acquire();
    decoded = d->Decode(body, &batch);
  }
  return Store(batch, decoded);
}

OtlpOutcome TracesIngest::ImportZipkin(std::string_view body) {
  SpanBatch batch;
  SpanDecodeResult decoded;
  {
    auto d = zipkin_.Acquire();
    decoded = d->Decode(body, &batch);
  }
  OtlpOutcome out = Store(batch, decoded);
  if (out.status.ok() && decoded.rejected > 0) out.message = decoded.Summary();
  return out;
}

namespace {

void OtlpHttp(TracesIngest& ingest, const HttpRequest& req, HttpResponse& resp) {
  const bool json = IsOtlpJson(req);
  WriteOtlpHttpAnswer(resp, json, "rejectedSpans", ingest.ExportOtlp(req.body(), json));
}

void Zipkin(TracesIngest& ingest, const HttpRequest& req, HttpResponse& resp) {
  OtlpOutcome out = ingest.ImportZipkin(req.body());
  if (!out.status.ok()) {
    return resp.SetText(out.status.code() == absl::StatusCode::kUnavailable ? 503 : 400,
                        StrCat(ToStd(out.status.message()), "\n"));
  }
  if (out.rejected > 0) {
    return resp.SetText(400, StrCat(out.message, " (the other spans were stored)\n"));
  }
  resp.set_status(202);
}

}  // namespace

void RegisterTracesWriteApi(Router& router, std::shared_ptr<TracesIngest> ingest) {
  RegisterOtlpTracesHttp(router, ingest);
  router.Handle("POST", "/api/v2/spans",
                [ingest](const HttpRequest& req, HttpResponse& resp) { Zipkin(*ingest, req, resp); },
                "zipkin_spans");
}

void RegisterOtlpTracesHttp(Router& router, std::shared_ptr<TracesIngest> ingest) {
  router.Handle("POST", "/v1/traces",
                [ingest](const HttpRequest& req, HttpResponse& resp) { OtlpHttp(*ingest, req, resp); },
                "otlp_traces");
}

void RegisterOtlpTracesGrpc(GrpcServer& server, std::shared_ptr<TracesIngest> ingest) {
  server.Register("/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                  [ingest](std::string_view request, const GrpcCallInfo&) {
                    OtlpOutcome out = ingest->ExportOtlp(request, /*json=*/false);
                    GrpcReply reply;
                    reply.status = out.status;
                    if (out.status.ok()) {
                      reply.body = EncodeOtlpExportResponse(out.rejected, out.message);
                    }
                    return reply;
                  });
}

}  // namespace vigil
