// The state of one Loki live tail (`/loki/api/v1/tail`), apart from the WebSocket: which
// entries were already sent, the buffer of entries waiting for a slow client, and the JSON
// frames Loki's tail protocol sends.
//
// Polling. The first Poll runs the query backward over [start, now - delay] for the newest
// `limit` entries. Each later Poll runs it forward over [lo, now - delay], where lo trails
// the previous end by `late_window_ns`, so lines that reach the store a little after their
// timestamp (agents batch for a second or so) are still caught; what was already sent in
// that overlap is recognised by a hash of (timestamp, labels, line) and skipped. When a poll
// hits its entry limit, lo moves to the newest timestamp it saw and Poll reports that it
// should run again at once (catching up). More than `poll_limit` lines sharing a single
// timestamp cannot be paged through; the rest of them are skipped.
//
// Buffering. New entries wait, oldest first, until the caller takes them as frames. Over
// `max_buffered_entries` or `max_buffered_bytes` the oldest are dropped and reported (labels
// and timestamp) in the next frame's `dropped_entries`, as Loki does for a client that
// cannot keep up; at most `max_dropped_reported` are listed, the newest.
//
// Frames: `{"streams":[{"stream":{labels},"values":[["<ns>","<line>"],...]}],
// "dropped_entries":null|[{"labels":{...},"timestamp":"<ns>"}]}`, entries oldest first.
//
// Thread-safety: not synchronized; one tail thread owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "query/logql/engine/logql_engine.h"
#include "storage/logs_store.h"

namespace vigil {

struct LokiTailerOptions {
  int64_t late_window_ns = 3'000'000'000;
  size_t poll_limit = 5000;  // entries per forward poll (capped by the engine's max_entries)
  size_t max_buffered_entries = 10000;
  size_t max_buffered_bytes = 4 << 20;
  size_t max_dropped_reported = 1000;
  size_t max_frame_entries = 1000;
  size_t max_frame_bytes = 256 << 10;
  size_t max_remembered = 100000;  // (timestamp, labels, line) hashes kept for the overlap
};

struct LokiTailQuery {
  std::string query;  // a LogQL log query
  int64_t start_ns = 0;
  int64_t delay_ns = 0;
  size_t limit = 100;
};

class LokiTailer {
 public:
  LokiTailer(const logql::LogqlEngine& engine, LokiTailQuery query, LokiTailerOptions options);

  // Runs the next query at wall time `now_ns` and buffers the new entries. Returns true when
  // the poll was cut by its limit and should be repeated without waiting. Errors are the
  // engine's.
  absl::StatusOr<bool> Poll(LogsStore& store, int64_t now_ns);

  // Whether a frame is waiting (buffered entries or unreported drops).
  bool HasFrame() const { return !buffer_.empty() || !dropped_.empty(); }
  // The next frame, with up to max_frame_entries / max_frame_bytes of the oldest buffered
  // entries and every unreported drop; `*entries` is how many entries it holds. Nothing is
  // consumed until ConsumeFrame, so a frame the connection refused can be rebuilt later.
  std::string BuildFrame(size_t* entries) const;
  // Removes the `entries` oldest buffered entries and the reported drops.
  void ConsumeFrame(size_t entries);

  size_t buffered() const { return buffer_.size(); }
  uint64_t dropped_total() const { return dropped_total_; }

 private:
  struct Entry {
    int64_t ts;
    std::shared_ptr<const Labels> labels;
    std::string line;
  };
  struct Dropped {
    int64_t ts;
    std::shared_ptr<const Labels> labels;
  };

  // Buffers the entries of `streams` not sent before, oldest first; returns how many
  // the engine returned in all and the newest and oldest timestamps among them.
  void Take(std::vector<logql::LogStream>& streams, size_t* total, int64_t* newest,
            int64_t* oldest);
  void Remember(uint64_t key, int64_t ts);
  void Forget();  // drops remembered keys older than lo_
  void Push(Entry e);

  const logql::LogqlEngine& engine_;
  const LokiTailQuery query_;
  const LokiTailerOptions options_;
  bool initial_done_ = false;
  int64_t lo_ = 0;  // next poll's inclusive lower bound

  absl::flat_hash_set<uint64_t> seen_;
  std::deque<std::pair<int64_t, uint64_t>> seen_order_;  // (ts, key) in insertion order

  std::deque<Entry> buffer_;
  size_t buffer_bytes_ = 0;
  std::deque<Dropped> dropped_;
  uint64_t dropped_total_ = 0;
};

}  // namespace vigil
