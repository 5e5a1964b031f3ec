#include "tests/promql_differential/prometheus_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/strings.h"
#include "http/http_client.h"

extern char** environ;

namespace vigil::testing::promql_diff {
namespace {

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::string_view rest(path);
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0 && std::filesystem::is_regular_file(candidate)) {
      return candidate;
    }
  }
  return "";
}

std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv,
                                       const std::string& log_path) {
  pid_t pid = Spawn(argv, log_path);
  if (pid < 0) return {-1, StrCat("cannot start ", argv[0])};
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return {code, ReadAll(log_path)};
}

uint16_t FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

absl::Status PrometheusServer::Start(const std::string& binary, const std::string& tsdb_dir,
                                     const std::string& config_file, const std::string& log_path) {
  log_path_ = log_path;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreeLoopbackPort();
    if (port_ == 0) return absl::InternalError("no free loopback port");
    pid_ = Spawn(
        {binary, "--config.file=" + config_file, "--storage.tsdb.path=" + tsdb_dir,
         StrCat("--web.listen-address=127.0.0.1:", port_), "--storage.tsdb.retention.time=100y",
         "--query.lookback-delta=5m", "--log.level=warn"},
        log_path);
    if (pid_ < 0) return absl::InternalError(StrCat("cannot start ", binary));
    HttpClient client;
    std::string url = StrCat("http://127.0.0.1:", port_, "/-/ready");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exited = true;
        break;
      }
      auto r = client.Get(url, std::chrono::milliseconds(1000));
      if (r.ok() && r->status == 200) return absl::OkStatus();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (!exited) {
      Stop();
      return absl::DeadlineExceededError(StrCat("prometheus did not become ready: ", log()));
    }
    // Most likely the port was taken between probing and binding: try another.
    if (log().find("address already in use") == std::string::npos) break;
  }
  return absl::InternalError(StrCat("prometheus exited during start: ", log()));
}

void PrometheusServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  pid_ = -1;
}

std::string PrometheusServer::log() const { return ReadAll(log_path_); }

}  // namespace vigil::testing::promql_diff
