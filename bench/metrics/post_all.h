// What the batch load clients (bench/logs/log_load, bench/traces/span_load) share: POSTing a
// list of prepared bodies to one server over several keep-alive connections (one thread each,
// each taking the next body in order) and printing the send phase's figures.
//
// Any transport error, non-2xx answer or answer `rejection` objects to stops the run; the first
// one is in SendResult::error.
//
// Thread-safety: PostAll runs its own threads; the rest are pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "bench/metrics/proc_stats.h"
#include "bench/metrics/send_result.h"
#include "common/json_writer.h"
#include "http/headers.h"

namespace vigil::bench {

struct PostOptions {
  std::string host;
  uint16_t port = 0;
  std::string path;
  HttpHeaders headers;
  int connections = 4;
  std::chrono::milliseconds timeout{120000};
  std::string user_agent = "vigil-bench";
  // What is wrong with a 2xx answer's body ("" when nothing): refused items a server reports
  // inside a success.
  std::function<std::string(std::string_view body)> rejection;
};

SendResult PostAll(std::span<const std::string_view> bodies, const PostOptions& options);

// PostAll timed, with the server's process stats read just before the first request and just
// after the last answer when `server_pid` > 0. Not OK when the send failed (the first error)
// or the stats cannot be read.
struct MeasuredSend {
  SendResult result;
  double seconds = 0;
  std::optional<ProcessStats> before, after;
};
absl::StatusOr<MeasuredSend> MeasuredPostAll(std::span<const std::string_view> bodies,
                                             const PostOptions& options, int server_pid);

// The figures every load client prints after its own: the send phase's time and rates
// (`<unit>s_per_second`, bytes_per_second), request latency percentiles, and with server stats
// the server's CPU (`server_cpu_us_per_<unit>`) and resident memory around the send phase.
void WriteSendFigures(JsonWriter& j, std::string_view unit, int64_t items, int64_t bytes,
                      double seconds, SendResult* r, const ProcessStats* before,
                      const ProcessStats* after);

}  // namespace vigil::bench
