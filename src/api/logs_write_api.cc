#include "api/logs_write_api.h"

#include <memory>

#include "api/api_response.h"
#include "api/otlp_export.h"
#include "ingest/otlp/otlp_response.h"
#include "api/decoder_pool.h"
#include "common/json_writer.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "http/compression.h"
#include "ingest/logs/es_bulk.h"
#include "ingest/logs/json_lines.h"
#include "ingest/logs/loki_push_json.h"
#include "ingest/logs/loki_push_proto.h"
#include "ingest/logs/otlp_logs_common.h"
#include "ingest/logs/otlp_logs_json.h"
#include "ingest/logs/otlp_logs_proto.h"
#include "common/proto_wire.h"

namespace vigil {
namespace {

constexpr size_t kMaxDecodedBytes = 256u << 20;
constexpr size_t kMaxListedErrors = 10;

struct LogsWriteState {
  explicit LogsWriteState(StreamLabelConfig c)
      : config(std::move(c)),
        loki_json([this] { return std::make_unique<LokiPushJsonDecoder>(config); }),
        loki_proto([this] { return std::make_unique<LokiPushProtoDecoder>(config); }),
        json_lines([this] { return std::make_unique<JsonLinesDecoder>(config); }),
        es_bulk([this] { return std::make_unique<EsBulkDecoder>(config); }),
        otlp_proto([this] { return std::make_unique<OtlpLogsProtoDecoder>(config); }),
        otlp_json([this] { return std::make_unique<OtlpLogsJsonDecoder>(config); }) {}
  StreamLabelConfig config;
  DecoderPool<LokiPushJsonDecoder> loki_json;
  DecoderPool<LokiPushProtoDecoder> loki_proto;
  DecoderPool<JsonLinesDecoder> json_lines;
  DecoderPool<EsBulkDecoder> es_bulk;
  DecoderPool<OtlpLogsProtoDecoder> otlp_proto;
  DecoderPool<OtlpLogsJsonDecoder> otlp_json;
  Counter* decode_refused = nullptr;
};

// Stores what decoded and answers: 204, a 400 naming the refusals, or the store's error.
void StoreAndAnswer(ApiContext& ctx, LogsWriteState& state, LogsStore& store,
                    const LogBatch& batch, const LogDecodeResult& decoded,
                    std::string_view protocol, HttpResponse& resp) {
  if (!decoded.status.ok()) return WriteApiError(resp, decoded.status);
  if (state.decode_refused && decoded.rejected) state.decode_refused->Inc(decoded.rejected);
  LogAppendStats stored;
  if (!batch.empty()) {
    auto st = store.Append(batch);
    if (!st.ok()) {
      LogError("ingest", "storing log lines failed",
               {{"protocol", std::string(protocol)}, {"error", std::string(st.status().message())}});
      return WriteApiError(resp, st.status());
    }
    stored = std::move(*st);
  }
  uint64_t refused = decoded.rejected + stored.TotalRejected();
  if (refused == 0) {
    resp.set_status(204);
    return;
  }
  std::string msg = StrCat(stored.accepted, " of ", decoded.total, " entries stored, ", refused,
                           " refused");
  size_t listed = 0;
  for (const EntryError& e : decoded.errors) {
    if (listed++ == kMaxListedErrors) break;
    StrAppend(&msg, listed == 1 ? ": " : "; ", e.message);
  }
  for (const std::string& e : stored.errors) {
    if (listed++ >= kMaxListedErrors) break;
    StrAppend(&msg, listed == 1 ? ": " : "; ", e);
  }
  if (refused > listed) StrAppend(&msg, " (and more)");
  LogDebug("ingest", "log entries refused", {{"protocol", std::string(protocol)}, {"detail", msg}});
  WriteApiError(resp, absl::InvalidArgumentError(msg));
}

bool IsJson(const HttpRequest& req) {
  std::string_view ct = req.Header("Content-Type").value_or("");
  return ct.starts_with("application/json");
}

void LokiPush(ApiContext& ctx, LogsWriteState& state, const HttpRequest& req, HttpResponse& resp) {
  LogsStore* store = ctx.LogsOr503(resp);
  if (!store) return;
  LogBatch batch;
  LogDecodeResult decoded;
  if (IsJson(req)) {
    auto d = state.loki_json.Acquire();
    decoded = d->Decode(req.body(), &batch);
    return StoreAndAnswer(ctx, state, *store, batch, decoded, "loki_json", resp);
  }
  // Loki reads every other content type as snappy-compressed protobuf.
  thread_local std::string raw;
  if (absl::Status st = SnappyBlockDecode(req.body(), kMaxDecodedBytes, &raw); !st.ok()) {
    return WriteApiError(resp, st);
  }
  auto d = state.loki_proto.Acquire();
  decoded = d->Decode(raw, &batch);
  StoreAndAnswer(ctx, state, *store, batch, decoded, "loki_protobuf", resp);
}

void JsonLines(ApiContext& ctx, LogsWriteState& state, const HttpRequest& req, HttpResponse& resp) {
  LogsStore* store = ctx.LogsOr503(resp);
  if (!store) return;
  LogBatch batch;
  auto d = state.json_lines.Acquire();
  LogDecodeResult decoded = d->Decode(req.body(), NowNs(), &batch);
  StoreAndAnswer(ctx, state, *store, batch, decoded, "json_lines", resp);
}

void EsBulk(ApiContext& ctx, LogsWriteState& state, const HttpRequest& req, HttpResponse& resp) {
  int64_t start = MonotonicNs();
  std::string body;
  resp.headers().Set("X-Elastic-Product", "Elasticsearch");
  LogsStore* store = ctx.logs.load(std::memory_order_acquire);
  if (store == nullptr) {
    WriteEsErrorResponse(503, "unavailable_shards_exception", "the log store is starting", &body);
    resp.set_status(503);
    resp.set_content_type("application/json");
    resp.set_body(std::move(body));
    return;
  }
  LogBatch batch;
  auto d = state.es_bulk.Acquire();
  EsBulkResult r = d->Decode(req.body(), req.PathParam("index"), NowNs(), &batch);
  if (!r.decode.status.ok()) {
    WriteEsErrorResponse(400, r.error_type.empty() ? "illegal_argument_exception" : r.error_type,
                         ToStd(r.decode.status.message()), &body);
    resp.set_status(400);
    resp.set_content_type("application/json");
    resp.set_body(std::move(body));
    return;
  }
  if (state.decode_refused && r.decode.rejected) state.decode_refused->Inc(r.decode.rejected);
  if (!batch.empty()) {
    auto st = store->Append(batch);
    if (!st.ok()) {
      WriteEsErrorResponse(500, "exception", ToStd(st.status().message()), &body);
      resp.set_status(500);
      resp.set_content_type("application/json");
      resp.set_body(std::move(body));
      return;
    }
    // Items the store refused: the k-th stored entry is the k-th item with status 201.
    size_t next = 0, entry = 0;
    for (EsBulkItem& item : r.items) {
      if (item.status != 201) continue;
      if (next < st->rejected_entries.size() && st->rejected_entries[next] == entry) {
        item.status = 400;
        item.error_type = "illegal_argument_exception";
        item.error_reason = next < st->errors.size() ? st->errors[next] : "entry refused by the log store";
        ++next;
      }
      ++entry;
    }
  }
  WriteEsBulkResponse(r, (MonotonicNs() - start) / 1'000'000, &body);
  resp.set_status(200);
  resp.set_content_type("application/json");
  resp.set_body(std::move(body));
}

OtlpOutcome ExportOtlpLogs(ApiContext& ctx, LogsWriteState& state, std::string_view body,
                           bool json) {
  OtlpOutcome out;
  LogsStore* store = ctx.logs.load(std::memory_order_acquire);
  if (store == nullptr) {
    out.status = absl::UnavailableError("the log store is starting");
    return out;
  }
  LogBatch batch;
  LogDecodeResult decoded;
  if (json) {
    auto d = state.otlp_json.Acquire();
    decoded = d->Decode(body, NowNs(), &batch);
  } else {
    auto d = state.otlp_proto.Acquire();
    decoded = d->Decode(body, NowNs(), &batch);
  }
  if (!decoded.status.ok()) {
    out.status = absl::InvalidArgumentError(decoded.status.message());
    return out;
  }
  if (state.decode_refused && decoded.rejected) state.decode_refused->Inc(decoded.rejected);
  LogAppendStats stored;
  if (!batch.empty()) {
    auto st = store->Append(batch);
    if (!st.ok()) {
      out.status = absl::UnavailableError(st.status().message());
      return out;
    }
    stored = std::move(*st);
  }
  out.rejected = static_cast<int64_t>(decoded.rejected + stored.TotalRejected());
  if (out.rejected > 0) {
    out.message = !decoded.errors.empty() ? decoded.errors.front().message
                                          : (stored.errors.empty() ? "" : stored.errors.front());
  }
  return out;
}

void OtlpLogs(ApiContext& ctx, LogsWriteState& state, const HttpRequest& req, HttpResponse& resp) {
  const bool json = IsOtlpJson(req);
  WriteOtlpHttpAnswer(resp, json, "rejectedLogRecords",
                      ExportOtlpLogs(ctx, state, req.body(), json));
}

std::shared_ptr<LogsWriteState> MakeState(ApiContext& ctx, const LogIngestOptions& options) {
  StreamLabelConfig config;
  config.label_fields = options.stream_label_fields;
  auto state = std::make_shared<LogsWriteState>(std::move(config));
  if (ctx.registry) {
    state->decode_refused = &ctx.registry->GetCounter(
        "vigil_logs_rejected_lines_total", "Log lines refused, by reason.", Labels{{"reason", "invalid"}});
  }
  return state;
}

}  // namespace

void RegisterLogsWriteApi(Router& router, ApiContext& ctx, const LogIngestOptions& options) {
  auto state = MakeState(ctx, options);
  router.Handle("POST", "/loki/api/v1/push",
                [&ctx, state](const HttpRequest& req, HttpResponse& resp) { LokiPush(ctx, *state, req, resp); },
                "loki_push");
  router.Handle("POST", "/api/v1/logs/ingest",
                [&ctx, state](const HttpRequest& req, HttpResponse& resp) { JsonLines(ctx, *state, req, resp); },
                "logs_ingest");
  for (const char* method : {"POST", "PUT"}) {
    for (const char* path : {"/_bulk", "/:index/_bulk"}) {
      router.Handle(method, path,
                    [&ctx, state](const HttpRequest& req, HttpResponse& resp) { EsBulk(ctx, *state, req, resp); },
                    "es_bulk");
    }
  }
}

void RegisterOtlpLogsApi(Router& router, ApiContext& ctx, const LogIngestOptions& options) {
  auto state = MakeState(ctx, options);
  router.Handle("POST", "/v1/logs",
                [&ctx, state](const HttpRequest& req, HttpResponse& resp) { OtlpLogs(ctx, *state, req, resp); },
                "otlp_logs");
}

void RegisterOtlpLogsGrpc(GrpcServer& server, ApiContext& ctx, const LogIngestOptions& options) {
  auto state = MakeState(ctx, options);
  server.Register("/opentelemetry.proto.collector.logs.v1.LogsService/Export",
                  [&ctx, state](std::string_view request, const GrpcCallInfo&) {
                    OtlpOutcome out = ExportOtlpLogs(ctx, *state, request, /*json=*/false);
                    GrpcReply reply;
                    reply.status = out.status;
                    if (out.status.ok()) {
                      reply.body = EncodeOtlpExportResponse(out.rejected, out.message);
                    }
                    return reply;
                  });
}

}  // namespace vigil
