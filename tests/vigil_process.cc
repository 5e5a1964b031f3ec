#include "tests/vigil_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "common/strings.h"

#ifndef VIGIL_BINARY
#error "VIGIL_BINARY must be defined by the build"
#endif

namespace vigil::testing {

std::string VigilProcess::BinaryPath() { return VIGIL_BINARY; }

namespace {

// Starts `args` (args[0] is the program) with stderr on a pipe; returns the pid and the
// pipe's read end, or -1.
pid_t Spawn(std::vector<std::string> args, int* stderr_fd) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], STDERR_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipefd[1]);
  *stderr_fd = pipefd[0];
  return pid;
}

}  // namespace

VigilProcess::~VigilProcess() {
  if (pid_ > 0) Kill();
  if (reader_.joinable()) reader_.join();
}

absl::Status VigilProcess::Start(const std::string& data_dir, std::vector<std::string> extra) {
  std::vector<std::string> args = {BinaryPath(), "server", "--data-dir", data_dir,
                                   "--http.listen", "127.0.0.1:0"};
  // The CLI refuses an option given twice, so a default yields to the same option in `extra`.
  for (const char* option : {"--otlp.grpc.listen", "--otlp.http.listen"}) {
    if (std::find(extra.begin(), extra.end(), option) == extra.end()) {
      args.insert(args.end(), {option, "off"});
    }
  }
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = Spawn(args, &stderr_fd_);
  if (pid_ < 0) return absl::InternalError("cannot start vigil");
  if (reader_.joinable()) reader_.join();
  {
    std::lock_guard lock(mu_);
    log_.clear();
  }
  reader_ = std::thread([this, fd = stderr_fd_] {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
      std::lock_guard lock(mu_);
      log_.append(buf, n);
    }
    close(fd);
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mu_);
      size_t ready = log_.find("\"msg\":\"vigil is ready\"");
      if (ready != std::string::npos) {
        size_t at = log_.find("\"address\":\"", ready);
        size_t end = log_.find('"', at + 11);
        std::string addr = log_.substr(at + 11, end - at - 11);
        size_t colon = addr.rfind(':');
        host_ = addr.substr(0, colon);
        uint64_t port = 0;
        ParseUint64(addr.substr(colon + 1), &port);
        port_ = static_cast<uint16_t>(port);
        return absl::OkStatus();
      }
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(StrCat("vigil exited during start: ", log()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(StrCat("vigil did not become ready: ", log()));
}

void VigilProcess::Reap(int* status) {
  waitpid(pid_, status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
}

int VigilProcess::Terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  Reap(&status);
  return status;
}

void VigilProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status;
  Reap(&status);
}

std::pair<int, std::string> VigilProcess::RunToExit(std::vector<std::string> args) {
  args.insert(args.begin(), BinaryPath());
  int fd;
  pid_t pid = Spawn(args, &fd);
  if (pid < 0) return {-1, "cannot start vigil"};
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string VigilProcess::url(std::string_view path) const {
  return StrCat("http://", host_, ":", port_, path);
}

std::string VigilProcess::log() const {
  std::lock_guard lock(mu_);
  return log_;
}

absl::StatusOr<HttpClientResponse> VigilProcess::Get(std::string_view target,
                                                     const HttpHeaders& headers) const {
  HttpConnection c(host_, port_);
  return c.Do("GET", target, headers);
}

absl::StatusOr<HttpClientResponse> VigilProcess::Post(std::string_view target, std::string_view body,
                                                      const HttpHeaders& headers) const {
  HttpConnection c(host_, port_);
  return c.Do("POST", target, headers, body);
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = (std::filesystem::temp_directory_path() / StrCat("vigil-it-", rd(), rd())).string();
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace vigil::testing
