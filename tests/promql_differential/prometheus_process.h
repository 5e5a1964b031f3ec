// The reference side of the PromQL differential test: the real `promtool` and `prometheus`
// binaries (Debian's 2.42 package), run as child processes on loopback.
//
// Thread-safety: one PrometheusServer per test; not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace vigil::testing::promql_diff {

// The full path of `name` in $PATH, or "" when it is not there.
std::string FindInPath(const std::string& name);

// Runs `argv` to completion, stdout and stderr to `log_path`; returns the exit code (-1 when
// it could not start or died of a signal) and the output.
std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv,
                                       const std::string& log_path);

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
uint16_t FreeLoopbackPort();

class PrometheusServer {
 public:
  PrometheusServer() = default;
  ~PrometheusServer() { Stop(); }
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  // Serves the blocks in `tsdb_dir` with `config_file` (no scrape jobs), 100y retention,
  // 5m lookback, on a free loopback port; returns once /-/ready answers 200 (60 s at most).
  absl::Status Start(const std::string& binary, const std::string& tsdb_dir,
                     const std::string& config_file, const std::string& log_path);
  // SIGTERM, then SIGKILL after 30 s; idempotent.
  void Stop();

  uint16_t port() const { return port_; }
  std::string log() const;

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string log_path_;
};

}  // namespace vigil::testing::promql_diff
