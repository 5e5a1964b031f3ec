// Loki's live tail, `GET /loki/api/v1/tail` over WebSocket (Grafana's live mode,
// `logcli query --tail`).
//
// Parameters: `query` (a LogQL log query; a metric query is refused), `limit` (entries sent
// on connect, default 100, at most the engine's max_entries), `start` (default an hour ago;
// Unix ns, Unix seconds or RFC 3339) and `delay_for` (whole seconds, 0 to 5, default 0: how
// far behind now the tail stays so slow senders catch up). Bad parameters, a store still
// replaying its WAL (503) and too many open tails (429) are refused before the upgrade,
// with Loki's error texts.
//
// After the upgrade the newest `limit` entries since `start` are sent, oldest first, then
// the store is polled about every `poll_interval` and new entries are pushed as text frames
// in Loki's shape (see api/loki_tailer.h), until the client closes or the server stops.
// A client that reads too slowly loses the oldest waiting entries, reported in the next
// frame's `dropped_entries`. A query that fails while tailing closes the connection with
// 1011 and the error as the reason.
//
// Memory per tail is bounded by the tailer's buffer (4 MiB), the frames in flight (4 of at
// most 256 KiB) and the remembered-entry hashes (100k).
//
// Thread-safety: each tail runs on its own connection thread; registration shares only an
// atomic counter between them.
#pragma once

#include <chrono>
#include <cstddef>

#include "api/api_context.h"
#include "api/loki_tailer.h"
#include "http/router.h"
#include "query/logql/engine/logql_engine.h"

namespace vigil {

struct LokiTailApiOptions {
  size_t max_concurrent_tails = 100;
  std::chrono::milliseconds poll_interval{1000};
  // Frames handed to the connection and not yet written; past it, entries wait in the
  // tailer's buffer (where the oldest are dropped first).
  size_t max_frames_in_flight = 4;
  LokiTailerOptions tailer;
};

void RegisterLokiTailApi(Router& router, ApiContext& ctx, const logql::LogqlEngine& engine,
                         LokiTailApiOptions options = {});

}  // namespace vigil
