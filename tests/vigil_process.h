// Starts the real vigil binary as a child process for integration tests: a private data
// folder, an HTTP port chosen by the OS (read back from the server's "vigil is ready" log
// line), and the ways a server ends: SIGTERM or SIGKILL.
#pragma once

#include <sys/types.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "http/http_client.h"

namespace vigil::testing {

class VigilProcess {
 public:
  VigilProcess() = default;
  ~VigilProcess();

  // Runs `vigil server --data-dir <data_dir> --http.listen 127.0.0.1:0 --otlp.grpc.listen off
  // --otlp.http.listen off <extra...>` and waits until it is ready (or exits, or 60 s pass).
  // An OTLP listener named in `extra` (e.g. `--otlp.grpc.listen 127.0.0.1:0`) replaces its
  // `off` default; its bound port is in log() ("OTLP/gRPC listening", "OTLP/HTTP listening").
  absl::Status Start(const std::string& data_dir, std::vector<std::string> extra_args = {});
  // SIGTERM and wait; returns the exit status (as from waitpid).
  int Terminate();
  // SIGKILL and wait: a crash, as far as the data on disk is concerned.
  void Kill();
  // Runs the binary to completion (for config errors); returns exit code and stderr.
  static std::pair<int, std::string> RunToExit(std::vector<std::string> args);

  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  std::string url(std::string_view path) const;
  std::string log() const;

  // Convenience calls with a per-call connection.
  absl::StatusOr<HttpClientResponse> Get(std::string_view target, const HttpHeaders& headers = {}) const;
  absl::StatusOr<HttpClientResponse> Post(std::string_view target, std::string_view body,
                                          const HttpHeaders& headers = {}) const;

  static std::string BinaryPath();

 private:
  void Reap(int* status);
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  std::string log_;
  std::string host_ = "127.0.0.1";
  uint16_t port_ = 0;
};

// A fresh folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace vigil::testing
