#include "api/otlp_metrics_api.h"

#include <mutex>

#include "api/otlp_export.h"
#include "ingest/otlp_metrics/otlp_metrics_ingester.h"

namespace vigil {

class OtlpMetricsEndpoint {
 public:
  explicit OtlpMetricsEndpoint(ApiContext& ctx) : ctx_(ctx) {}

  // The outcome and, on success, the response body in the requested encoding.
  OtlpOutcome Export(std::string_view body, bool json, std::string* response) {
    OtlpOutcome out;
    OtlpMetricsIngester* ingester = Ingester();
    if (ingester == nullptr) {
      out.status = absl::UnavailableError("the metrics store is starting (WAL replay in progress)");
      return out;
    }
    auto r = json ? ingester->IngestJson(body) : ingester->IngestProto(body);
    if (!r.ok()) {
      out.status = r.status().code() == absl::StatusCode::kInvalidArgument
                       ? r.status()
                       : absl::UnavailableError(r.status().message());
      return out;
    }
    out.rejected = r->rejected_data_points();
    out.message = r->error_message();
    *response = json ? r->ResponseJson() : r->ResponseProto();
    return out;
  }

 private:
  // Made once the metrics store is open (it replays its WAL after the listeners start).
  OtlpMetricsIngester* Ingester() {
    std::lock_guard lock(mu_);
    if (ingester_ == nullptr) {
      MetricsStore* store = ctx_.metrics.load(std::memory_order_acquire);
      if (store == nullptr) return nullptr;
      ingester_ = std::make_unique<OtlpMetricsIngester>(*store, ctx_.registry);
    }
    return ingester_.get();
  }

  ApiContext& ctx_;
  std::mutex mu_;
  std::unique_ptr<OtlpMetricsIngester> ingester_;
};

std::shared_ptr<OtlpMetricsEndpoint> MakeOtlpMetricsEndpoint(ApiContext& ctx) {
  return std::make_shared<OtlpMetricsEndpoint>(ctx);
}

void RegisterOtlpMetricsHttp(Router& router, std::shared_ptr<OtlpMetricsEndpoint> endpoint) {
  router.Handle("POST", "/v1/metrics",
                [endpoint](const HttpRequest& req, HttpResponse& resp) {
                  const bool json = IsOtlpJson(req);
                  std::string body;
                  OtlpOutcome out = endpoint->Export(req.body(), json, &body);
                  WriteOtlpHttpAnswer(resp, json, "rejectedDataPoints", out);
                  // The ingester's own encoding of partial_success (it counts per point).
                  if (out.status.ok()) resp.set_body(std::move(body));
                },
                "otlp_metrics");
}

void RegisterOtlpMetricsGrpc(GrpcServer& server, std::shared_ptr<OtlpMetricsEndpoint> endpoint) {
  server.Register("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
                  [endpoint](std::string_view request, const GrpcCallInfo&) {
                    GrpcReply reply;
                    OtlpOutcome out = endpoint->Export(request, /*json=*/false, &reply.body);
                    reply.status = out.status;
                    return reply;
                  });
}

}  // namespace vigil
