#include "api/metrics_write_api.h"

#include <memory>
#include <mutex>

#include "api/api_params.h"
#include "api/api_response.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "ingest/import/text_importer.h"
#include "ingest/remote_write/remote_write_ingester.h"

namespace vigil {
namespace {

// Ingesters are created on first use, once the store is available.
struct WriteApiState {
  std::once_flag once;
  std::unique_ptr<RemoteWriteIngester> remote_write;
  std::unique_ptr<TextImporter> importer;
};

void Answer(HttpResponse& resp, const IngestResult& r, std::string_view protocol) {
  if (r.status.ok()) {
    resp.set_status(204);
    return;
  }
  if (ErrorKindOf(r.status.code()).http_status >= 500) {
    LogError("ingest", "storing a batch failed",
             {{"protocol", std::string(protocol)}, {"error", std::string(r.status.message())}});
  } else {
    LogDebug("ingest", "batch partly refused",
             {{"protocol", std::string(protocol)}, {"error", std::string(r.status.message())}});
  }
  WriteApiError(resp, r.status);
}

}  // namespace

void RegisterMetricsWriteApi(Router& router, ApiContext& ctx) {
  auto state = std::make_shared<WriteApiState>();
  auto init = [&ctx, state](MetricsStore* store) {
    std::call_once(state->once, [&] {
      state->remote_write = std::make_unique<RemoteWriteIngester>(*store, ctx.registry);
      state->importer = std::make_unique<TextImporter>(*store, ctx.registry);
    });
  };
  router.Handle(
      "POST", "/api/v1/write",
      [&ctx, state, init](const HttpRequest& req, HttpResponse& resp) {
        MetricsStore* store = ctx.MetricsOr503(resp);
        if (!store) return;
        init(store);
        // remote_write bodies are snappy block-compressed protobuf, whatever the header says.
        auto encoding = req.Header("Content-Encoding");
        if (encoding && !encoding->empty() && *encoding != "snappy") {
          return WriteApiError(resp, absl::InvalidArgumentError(StrCat(
                                         "unsupported Content-Encoding ", QuoteString(*encoding),
                                         " for remote_write (expected snappy)")));
        }
        Answer(resp, state->remote_write->Ingest(req.body()), "remote_write");
      },
      "remote_write");
  router.Handle(
      "POST", "/api/v1/import/prometheus",
      [&ctx, state, init](const HttpRequest& req, HttpResponse& resp) {
        MetricsStore* store = ctx.MetricsOr503(resp);
        if (!store) return;
        init(store);
        auto ts = TimeParam(req, "timestamp", NowMs());
        if (!ts.ok()) return WriteApiError(resp, ts.status());
        Answer(resp,
               state->importer->Import(req.body(), req.Header("Content-Type").value_or(""), *ts),
               "import_prometheus");
      },
      "import_prometheus");
}

}  // namespace vigil
