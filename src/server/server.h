// Server: owns every subsystem of one vigil instance and runs their lifecycle.
//
// Start(): binds the HTTP listener first (so /-/healthy answers and /-/ready says 503 while
// the stores replay their WALs), opens the stores, then publishes them to the handlers.
// Scrapers and probes start once the store is ready. Stop(): stops scraping and probing,
// stops accepting requests and lets in-flight ones finish, then closes the stores (flushing
// and closing the WAL). No globals: two servers can run in one process.
//
// Thread-safety: Start and Stop are called from one thread; the rest is internal.
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "api/api_context.h"
#include "common/self_metrics.h"
#include "http/http_server.h"
#include "ingest/probe/probe_manager.h"
#include "ingest/scrape/scrape_manager.h"
#include "server/config.h"
#include "storage/logs/logs_db.h"
#include "storage/traces/traces_db.h"
#include "grpc/grpc_server.h"
#include "ingest/spanmetrics/span_metrics.h"
#include "storage/metrics/db/metrics_db.h"

namespace vigil {

class Server {
 public:
  explicit Server(ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  absl::Status Start();
  void Stop();

  // The bound HTTP address ("127.0.0.1:9400"), after Start.
  std::string http_address() const;
  // The bound OTLP/HTTP address, "" when off.
  std::string otlp_http_address() const;
  // The bound OTLP/gRPC port, 0 when off.
  int otlp_grpc_port() const;

 private:
  ServerConfig config_;
  MetricsRegistry registry_;
  ApiContext api_;
  promql::Engine engine_;
  logql::LogqlEngine logql_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<HttpServer> otlp_http_;  // the OTLP/HTTP listener (:4318), unless off
  std::unique_ptr<GrpcServer> otlp_grpc_;  // the OTLP/gRPC listener (:4317), unless off
  std::unique_ptr<SpanMetrics> span_metrics_;
  std::unique_ptr<MetricsDb> metrics_db_;
  std::unique_ptr<LogsDb> logs_db_;
  std::unique_ptr<TracesDb> traces_db_;
  std::unique_ptr<ScrapeManager> scrape_;
  std::unique_ptr<ProbeManager> probes_;
  bool stopped_ = false;
};

}  // namespace vigil
