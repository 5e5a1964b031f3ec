// Loki's HTTP query API over the log store, so Grafana's Loki data source and logcli work:
//   GET|POST /loki/api/v1/query_range   query, start, end, limit, direction, step, interval
//   GET|POST /loki/api/v1/query         query, time, limit, direction
//   GET      /loki/api/v1/labels        start, end
//   GET      /loki/api/v1/label/<name>/values
//   GET|POST /loki/api/v1/series        match[] (repeated), start, end
//   GET|POST /loki/api/v1/format_query  query
//   GET|POST /loki/api/v1/index/stats   query (a stream selector), start, end
//   GET      /loki/api/v1/status/buildinfo
// Results use Loki's shapes: `streams` ([["<ns>", "<line>"]…]; with the request header
// `X-Loki-Response-Encoding-Flags: categorize-labels`, each entry also carries its structured
// metadata and parsed labels), `matrix`, `vector`, `scalar`, and a stats summary.
// Times: Unix ns, Unix seconds, or RFC 3339; start defaults to an hour before end, end to now;
// step defaults to Loki's (range / 250, at least one second).
//
// Thread-safety: handlers are reentrant.
#pragma once

#include "api/api_context.h"
#include "http/router.h"
#include "query/logql/engine/logql_engine.h"

namespace vigil {

void RegisterLokiApi(Router& router, ApiContext& ctx, const logql::LogqlEngine& engine);

}  // namespace vigil
