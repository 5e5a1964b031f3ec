// OTLP metrics into the metrics store:
//   POST /v1/metrics   OTLP/HTTP, protobuf or JSON (main listener and the OTLP/HTTP one)
//   gRPC opentelemetry.proto.collector.metrics.v1.MetricsService/Export (OTLP/gRPC listener)
// The mapping to Prometheus series is ingest/otlp_metrics'. One ingester serves both
// listeners, so delta series keep one running total whichever way their points arrive.
//
// Thread-safety: handlers may run concurrently.
#pragma once

#include <memory>

#include "api/api_context.h"
#include "grpc/grpc_server.h"
#include "http/router.h"

namespace vigil {

class OtlpMetricsEndpoint;  // shared state of the handlers

std::shared_ptr<OtlpMetricsEndpoint> MakeOtlpMetricsEndpoint(ApiContext& ctx);
void RegisterOtlpMetricsHttp(Router& router, std::shared_ptr<OtlpMetricsEndpoint> endpoint);
void RegisterOtlpMetricsGrpc(GrpcServer& server, std::shared_ptr<OtlpMetricsEndpoint> endpoint);

}  // namespace vigil
