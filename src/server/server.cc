#include "server/server.h"

#include <filesystem>

#include "api/admin_api.h"
#include "api/metrics_read_api.h"
#include "api/logs_search_api.h"
#include "api/logs_write_api.h"
#include "api/loki_api.h"
#include "api/loki_tail_api.h"
#include "api/es_compat_api.h"
#include "api/jaeger_api.h"
#include "api/traces_read_api.h"
#include "api/traces_write_api.h"
#include "api/otlp_metrics_api.h"
#include "api/metrics_write_api.h"
#include "api/query_api.h"
#include "api/status_api.h"
#include "api/targets_api.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {

Server::Server(ServerConfig config)
    : config_(std::move(config)), engine_(config_.query), logql_(config_.logs.query) {
  api_.registry = &registry_;
  api_.data_dir = config_.data_dir;
}

Server::~Server() { Stop(); }

absl::Status Server::Start() {
  int64_t start = MonotonicNs();
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec) {
    return absl::UnavailableError(
        StrCat("cannot create data directory ", QuoteString(config_.data_dir), ": ", ec.message()));
  }
  HttpServerOptions http;
  if (absl::Status st = SplitHostPort(config_.http_listen, &http.host, &http.port); !st.ok()) {
    return st;
  }
  http.max_body_bytes = config_.http_max_body_bytes;
  http.worker_threads = config_.http_worker_threads;
  http.metrics = &registry_;
  http_ = std::make_unique<HttpServer>(http);
  RegisterStatusApi(http_->router(), api_);
  RegisterMetricsWriteApi(http_->router(), api_);
  RegisterMetricsReadApi(http_->router(), api_);
  RegisterAdminApi(http_->router(), api_);
  RegisterQueryApi(http_->router(), api_, engine_);
  RegisterLogsSearchApi(http_->router(), api_);
  LogIngestOptions log_ingest;
  log_ingest.stream_label_fields = config_.logs.stream_label_fields;
  RegisterLogsWriteApi(http_->router(), api_, log_ingest);
  RegisterOtlpLogsApi(http_->router(), api_, log_ingest);
  RegisterLokiApi(http_->router(), api_, logql_);
  RegisterLokiTailApi(http_->router(), api_, logql_);
  RegisterEsCompatApi(http_->router());
  RegisterTracesReadApi(http_->router(), api_);
  RegisterJaegerApi(http_->router(), api_);
  span_metrics_ = std::make_unique<SpanMetrics>(config_.traces.span_metrics);
  auto traces_ingest =
      std::make_shared<TracesIngest>(api_, config_.traces.limits, span_metrics_.get());
  RegisterTracesWriteApi(http_->router(), traces_ingest);
  auto otlp_metrics = MakeOtlpMetricsEndpoint(api_);
  RegisterOtlpMetricsHttp(http_->router(), otlp_metrics);
  if (absl::Status st = http_->Start(); !st.ok()) return st;
  LogInfo("server", "HTTP listening", {{"address", http_->address()}});
  if (config_.otlp_http_listen != "off") {
    HttpServerOptions otlp = http;
    if (absl::Status st = SplitHostPort(config_.otlp_http_listen, &otlp.host, &otlp.port); !st.ok()) {
      return st;
    }
    otlp.worker_threads = std::max(2, config_.http_worker_threads / 4);
    otlp_http_ = std::make_unique<HttpServer>(otlp);
    RegisterOtlpLogsApi(otlp_http_->router(), api_, log_ingest);
    RegisterOtlpTracesHttp(otlp_http_->router(), traces_ingest);
    RegisterOtlpMetricsHttp(otlp_http_->router(), otlp_metrics);
    if (absl::Status st = otlp_http_->Start(); !st.ok()) return st;
    LogInfo("server", "OTLP/HTTP listening", {{"address", otlp_http_->address()}});
  }
  if (config_.otlp_grpc_listen != "off") {
    otlp_grpc_ = std::make_unique<GrpcServer>();
    RegisterOtlpTracesGrpc(*otlp_grpc_, traces_ingest);
    RegisterOtlpLogsGrpc(*otlp_grpc_, api_, log_ingest);
    RegisterOtlpMetricsGrpc(*otlp_grpc_, otlp_metrics);
    GrpcServer::Options go;
    go.listen = config_.otlp_grpc_listen;
    go.threads = std::max(2, config_.http_worker_threads / 4);
    go.max_message_bytes = config_.http_max_body_bytes;
    if (absl::Status st = otlp_grpc_->Start(go); !st.ok()) return st;
    LogInfo("server", "OTLP/gRPC listening",
            {{"address", StrCat(go.listen.substr(0, go.listen.rfind(':')), ":", otlp_grpc_->port())}});
  }

  MetricsDbOptions mo = config_.metrics;
  mo.dir = config_.data_dir + "/metrics";
  auto db = MetricsDb::Open(mo, &registry_);
  if (!db.ok()) return db.status();
  metrics_db_ = std::move(*db);
  api_.metrics.store(metrics_db_.get(), std::memory_order_release);

  LogsDbOptions lo = config_.logs.db;
  lo.dir = config_.data_dir + "/logs";
  auto logs = LogsDb::Open(lo, &registry_);
  if (!logs.ok()) return logs.status();
  logs_db_ = std::move(*logs);
  api_.logs.store(logs_db_.get(), std::memory_order_release);

  TracesDbOptions to = config_.traces.db;
  to.dir = config_.data_dir + "/traces";
  auto traces = TracesDb::Open(to, &registry_);
  if (!traces.ok()) return traces.status();
  traces_db_ = std::move(*traces);
  api_.traces.store(traces_db_.get(), std::memory_order_release);
  span_metrics_->StartFlushing(metrics_db_.get());

  scrape_ = std::make_unique<ScrapeManager>(*metrics_db_, &registry_, config_.scrape);
  RegisterTargetsApi(http_->router(), *scrape_);
  scrape_->Start();
  probes_ = std::make_unique<ProbeManager>(*metrics_db_, &registry_, config_.probes);
  probes_->Start();

  LogInfo("server", "vigil is ready",
          {{"address", http_->address()}, {"data_dir", config_.data_dir},
           {"scrape_jobs", StrCat(config_.scrape.jobs.size())},
           {"probes", StrCat(config_.probes.size())},
           {"startup_ms", StrCat((MonotonicNs() - start) / 1000000)}});
  return absl::OkStatus();
}

void Server::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (probes_) probes_->Stop();
  if (scrape_) scrape_->Stop();
  if (otlp_grpc_) otlp_grpc_->Shutdown();
  if (otlp_http_) otlp_http_->Stop();
  if (http_) http_->Stop();
  api_.metrics.store(nullptr, std::memory_order_release);
  api_.logs.store(nullptr, std::memory_order_release);
  api_.traces.store(nullptr, std::memory_order_release);
  if (span_metrics_) span_metrics_->StopFlushing();  // a last flush, while the store is open
  if (traces_db_) {
    if (absl::Status st = traces_db_->Close(); !st.ok()) {
      LogError("server", "closing the trace store failed", {{"error", std::string(st.message())}});
    }
    traces_db_.reset();
  }
  if (logs_db_) {
    // Close cuts the head into segments, so the next start has little WAL to replay.
    if (absl::Status st = logs_db_->Close(); !st.ok()) {
      LogError("server", "closing the log store failed", {{"error", std::string(st.message())}});
    }
    logs_db_.reset();
  }
  if (metrics_db_) {
    if (absl::Status st = metrics_db_->Close(); !st.ok()) {
      LogError("server", "closing the metrics store failed", {{"error", std::string(st.message())}});
    }
    metrics_db_.reset();
  }
  LogInfo("server", "stopped");
}

std::string Server::http_address() const { return http_ ? http_->address() : ""; }
std::string Server::otlp_http_address() const { return otlp_http_ ? otlp_http_->address() : ""; }
int Server::otlp_grpc_port() const { return otlp_grpc_ ? otlp_grpc_->port() : 0; }

}  // namespace vigil
