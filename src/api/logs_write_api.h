// Log ingestion over HTTP: every protocol's decoder feeds the log store.
//   POST /loki/api/v1/push              Loki push, JSON or snappy protobuf
//   POST /api/v1/logs/ingest            newline-delimited JSON objects
//   POST /_bulk, POST /<index>/_bulk    Elasticsearch bulk (also PUT)
//   POST /v1/logs                       OTLP/HTTP logs, protobuf or JSON (also served on the
//                                       OTLP HTTP listener)
// Answers: 204 when everything was stored; when some entries were refused (by a decoder or by
// the store), the rest is stored and the answer is 400 with a Prometheus-style JSON error
// naming the first refusals and the counts. Elasticsearch's _bulk always answers its own
// per-item shape, and OTLP an ExportLogsServiceResponse with partial_success. 5xx only when
// storing failed (nothing of that request acknowledged).
//
// Thread-safety: handlers are reentrant (decoders come from pools).
#pragma once

#include <string>
#include <vector>

#include "api/api_context.h"
#include "grpc/grpc_server.h"
#include "http/router.h"

namespace vigil {

struct LogIngestOptions {
  // JSON lines / Elasticsearch fields that become stream labels.
  std::vector<std::string> stream_label_fields = {"service", "level", "env"};
};

void RegisterLogsWriteApi(Router& router, ApiContext& ctx, const LogIngestOptions& options);
// POST /v1/logs alone, for the main listener and the OTLP HTTP listener alike.
void RegisterOtlpLogsApi(Router& router, ApiContext& ctx, const LogIngestOptions& options);
// LogsService/Export on the OTLP/gRPC listener.
void RegisterOtlpLogsGrpc(GrpcServer& server, ApiContext& ctx, const LogIngestOptions& options);

}  // namespace vigil
