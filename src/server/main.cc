// vigil's command line: `vigil server [flags]` runs the server; `vigil version` prints the
// build. Flags override the configuration file, which overrides the defaults.
#include <malloc.h>
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "CLI/CLI.hpp"
#include "common/build_info.h"
#include "common/logging.h"
#include "server/config.h"
#include "server/server.h"

namespace {

int RunServer(const std::string& config_path, const std::string& data_dir,
              const std::string& http_listen, const std::string& grpc_listen,
              const std::string& otlp_http_listen, const std::string& log_level) {
  using namespace vigil;
  absl::StatusOr<ServerConfig> cfg =
      config_path.empty() ? absl::StatusOr<ServerConfig>(DefaultServerConfig())
                          : LoadServerConfig(config_path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "vigil: invalid configuration: %s\n", std::string(cfg.status().message()).c_str());
    return 2;
  }
  if (!data_dir.empty()) cfg->data_dir = data_dir;
  if (!http_listen.empty()) cfg->http_listen = http_listen;
  if (!grpc_listen.empty()) cfg->otlp_grpc_listen = grpc_listen;
  if (!otlp_http_listen.empty()) cfg->otlp_http_listen = otlp_http_listen;
  if (!log_level.empty()) cfg->log_level = log_level;
  LogLevel level;
  if (!ParseLogLevel(cfg->log_level, &level)) {
    std::fprintf(stderr, "vigil: invalid log level %s\n", cfg->log_level.c_str());
    return 2;
  }
  SetLogLevel(level);

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Server server(*cfg);
  if (absl::Status st = server.Start(); !st.ok()) {
    LogError("server", "start failed", {{"error", std::string(st.message())}});
    return 1;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  LogInfo("server", "shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  server.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Queries build and drop tens of megabytes of intermediate series each; glibc's defaults
  // would hand that memory back to the kernel after every query and fault it in again on the
  // next (measured: ~15% of a 24 h dashboard query). Keep up to 32 MiB free per arena (each
  // HTTP worker thread may have its own, so this multiplies) and
  // serve blocks below 32 MiB from the heap.
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  CLI::App app{"vigil: metrics, logs, traces, alerting and dashboards in one server"};
  app.require_subcommand(1);
  std::string config_path, data_dir, http_listen, grpc_listen, otlp_http_listen, log_level;
  CLI::App* server = app.add_subcommand("server", "Run the vigil server");
  server->add_option("--config", config_path, "YAML configuration file (vigil.yml)");
  server->add_option("--data-dir", data_dir, "Where vigil keeps its data (default ./data)");
  server->add_option("--http.listen", http_listen, "HTTP address for the UI and APIs (default 0.0.0.0:9400)");
  server->add_option("--otlp.grpc.listen", grpc_listen, "OTLP/gRPC address, or off (default 0.0.0.0:4317)");
  server->add_option("--otlp.http.listen", otlp_http_listen, "OTLP/HTTP address, or off (default 0.0.0.0:4318)");
  server->add_option("--log.level", log_level, "debug, info, warn or error");
  // A flag given twice takes its last value, so wrappers can append overrides to defaults.
  for (CLI::Option* o : server->get_options()) {
    o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  app.add_subcommand("version", "Print the version");
  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("version")) {
    std::printf("vigil %s (revision %s, built %s with %s)\n", vigil::kVigilVersion,
                vigil::kVigilRevision, vigil::kVigilBuildDate, vigil::kVigilCompiler);
    return 0;
  }
  return RunServer(config_path, data_dir, http_listen, grpc_listen, otlp_http_listen, log_level);
}
