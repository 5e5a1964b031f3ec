#include "api/loki_tail_api.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "api/api_response.h"
#include "api/log_params.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "query/logql/syntax/parser.h"

namespace vigil {
namespace {

constexpr std::string_view kComponent = "loki_tail";
constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kMaxDelayFor = 5;  // seconds, as Loki
// Between catch-up polls (a poll cut by its limit), so a flood cannot spin the thread.
constexpr std::chrono::milliseconds kCatchUpPause{10};
// How often a tail whose frames wait for the connection retries sending them.
constexpr std::chrono::milliseconds kFlushRetry{50};

struct TailShared {
  LokiTailApiOptions options;
  std::atomic<size_t> active{0};
  Gauge* active_gauge = nullptr;
  Counter* dropped_counter = nullptr;
};

// Holds one of the max_concurrent_tails places while alive.
using TailSlot = std::shared_ptr<void>;

TailSlot TryAcquire(const std::shared_ptr<TailShared>& shared, size_t* count) {
  size_t n = shared->active.load();
  do {
    *count = n + 1;
    if (n >= shared->options.max_concurrent_tails) return nullptr;
  } while (!shared->active.compare_exchange_weak(n, n + 1));
  if (shared->active_gauge) shared->active_gauge->Add(1);
  return TailSlot(static_cast<void*>(shared.get()), [shared](void*) {
    shared->active.fetch_sub(1);
    if (shared->active_gauge) shared->active_gauge->Add(-1);
  });
}

// The request's tail parameters, with Loki's messages for bad ones.
absl::StatusOr<LokiTailQuery> ParseTailParams(const HttpRequest& req, size_t max_entries) {
  LokiTailQuery q;
  std::optional<std::string> text = req.Param("query");
  if (!text || text->empty()) return absl::InvalidArgumentError("query parameter is required");
  auto selector = logql::ParseLogSelector(*text);
  if (!selector.ok()) return selector.status();
  q.query = *text;

  std::optional<std::string> limit = req.Param("limit");
  if (limit && !limit->empty()) {
    uint64_t n;
    if (!ParseUint64(*limit, &n)) {
      return absl::InvalidArgumentError(StrCat("invalid limit parameter ", QuoteString(*limit)));
    }
    if (n > max_entries) {
      return absl::InvalidArgumentError(
          StrCat("max entries limit per query exceeded, limit > max_entries_limit (", n, " > ",
                 max_entries, ")"));
    }
    q.limit = static_cast<size_t>(n);
  }

  std::optional<std::string> delay = req.Param("delay_for");
  if (delay && !delay->empty()) {
    int64_t d;
    if (!ParseInt64(*delay, &d) || d < 0) {
      return absl::InvalidArgumentError(StrCat("invalid delay_for parameter ", QuoteString(*delay),
                                               ": want a whole number of seconds"));
    }
    if (d > kMaxDelayFor) return absl::InvalidArgumentError("delay_for can't be greater than 5");
    q.delay_ns = d * kSecond;
  }

  auto start = LogTimeParam(req, "start", NowNs() - kHour);
  if (!start.ok()) return start.status();
  q.start_ns = *start;
  return q;
}

// Hands the tailer's frames to the connection while it has room.
void Flush(WebSocketConnection& conn, LokiTailer& tailer, size_t max_in_flight) {
  while (tailer.HasFrame() && conn.QueuedFrames() < max_in_flight) {
    size_t n = 0;
    std::string frame = tailer.BuildFrame(&n);
    if (!conn.SendText(std::move(frame)).ok()) return;  // full or closed: later, or never
    tailer.ConsumeFrame(n);
  }
}

void RunTail(WebSocketConnection& conn, ApiContext& ctx, const logql::LogqlEngine& engine,
             TailShared& shared, LokiTailQuery query) {
  const LokiTailApiOptions& opt = shared.options;
  LogDebug(kComponent, "tail started",
           {{"remote", conn.remote_address()}, {"query", std::string(Truncated(query.query))}});
  LokiTailer tailer(engine, std::move(query), opt.tailer);
  uint64_t reported_drops = 0;
  auto next_poll = std::chrono::steady_clock::now();
  while (!conn.closed()) {
    auto now = std::chrono::steady_clock::now();
    bool catching_up = false;
    if (now >= next_poll) {
      // Read per poll: the store pointer is published by the server and may not be there.
      LogsStore* store = ctx.logs.load(std::memory_order_acquire);
      if (store == nullptr) {
        conn.Close(kWsCloseInternalError, "the log store is not available");
        break;
      }
      auto polled = tailer.Poll(*store, NowNs());
      if (!polled.ok()) {
        LogWarn(kComponent, "tail query failed",
                {{"remote", conn.remote_address()},
                 {"error", std::string(ToStd(polled.status().message()))}});
        conn.Close(kWsCloseInternalError, ToStd(polled.status().message()));
        break;
      }
      catching_up = *polled;
      next_poll = now + (catching_up ? kCatchUpPause : opt.poll_interval);
    }
    Flush(conn, tailer, opt.max_frames_in_flight);
    if (shared.dropped_counter && tailer.dropped_total() > reported_drops) {
      shared.dropped_counter->Inc(tailer.dropped_total() - reported_drops);
      reported_drops = tailer.dropped_total();
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_poll - std::chrono::steady_clock::now());
    if (tailer.HasFrame()) wait = std::min(wait, kFlushRetry);
    if (wait.count() > 0) conn.WaitClosed(wait);
  }
  LogDebug(kComponent, "tail ended",
           {{"remote", conn.remote_address()},
            {"dropped_entries", std::to_string(tailer.dropped_total())}});
}

}  // namespace

void RegisterLokiTailApi(Router& router, ApiContext& ctx, const logql::LogqlEngine& engine,
                         LokiTailApiOptions options) {
  auto shared = std::make_shared<TailShared>();
  shared->options = std::move(options);
  if (ctx.registry != nullptr) {
    shared->active_gauge =
        &ctx.registry->GetGauge("vigil_loki_tail_connections", "Open Loki live tails.");
    shared->dropped_counter = &ctx.registry->GetCounter(
        "vigil_loki_tail_dropped_entries_total",
        "Log entries a live tail dropped because its client read too slowly.");
  }
  router.HandleWebSocket(
      "/loki/api/v1/tail",
      [&ctx, &engine, shared](const HttpRequest& req, HttpResponse& resp) -> WebSocketBody {
        if (ctx.LogsOr503(resp) == nullptr) return nullptr;
        auto query = ParseTailParams(req, engine.options().max_entries);
        if (!query.ok()) {
          WriteApiError(resp, query.status());
          return nullptr;
        }
        size_t count = 0;
        TailSlot slot = TryAcquire(shared, &count);
        if (!slot) {
          resp.SetError(429, "too_many_requests",
                        StrCat("max concurrent tail requests limit exceeded, count > limit (",
                               count, " > ", shared->options.max_concurrent_tails, ")"));
          return nullptr;
        }
        // The slot lives as long as the body: released when the tail ends, or when the
        // handshake fails and the body never runs.
        return [&ctx, &engine, shared, slot, q = std::move(*query)](WebSocketConnection& conn) {
          RunTail(conn, ctx, engine, *shared, q);
        };
      },
      "loki_tail");
}

}  // namespace vigil
