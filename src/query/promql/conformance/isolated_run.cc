#include "query/promql/conformance/isolated_run.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "common/strings.h"
#include "common/time_util.h"

namespace vigil::promql::conformance {
namespace {

// Messages are lines of tab-separated fields; fields escape backslash, tab and newline.
std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char e = s[++i];
      out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void WriteAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(3);  // the parent is gone
    s.remove_prefix(static_cast<size_t>(n));
  }
}

std::vector<std::string_view> SplitTabs(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t t = s.find('\t', start);
    out.push_back(s.substr(start, t == std::string_view::npos ? t : t - start));
    if (t == std::string_view::npos) return out;
    start = t + 1;
  }
}

CaseOutcome Failed(int line, std::string variant, std::string message) {
  CaseOutcome o;
  o.line = line;
  o.variant = std::move(variant);
  o.message = std::move(message);
  return o;
}

std::string DescribeExit(int status) {
  if (WIFSIGNALED(status)) {
    return StrCat("the runner process died of signal ", WTERMSIG(status), " (",
                  strsignal(WTERMSIG(status)), ")");
  }
  if (WIFEXITED(status))
    return StrCat("the runner process exited with status ", WEXITSTATUS(status));
  return "the runner process ended abnormally";
}

}  // namespace

std::map<int, CaseOutcome> RunScriptInProcess(const TestScript& script) {
  std::map<int, CaseOutcome> out;
  ScriptRunner().Run(
      script, 0, [](int) {}, [&](const CaseOutcome& o) { out[o.line] = o; });
  return out;
}

std::map<int, CaseOutcome> RunScriptIsolated(const TestScript& script, int64_t case_timeout_ms) {
  std::vector<int> evals;
  for (const Command& c : script.commands) {
    if (const auto* e = std::get_if<EvalCmd>(&c)) evals.push_back(e->line);
  }
  std::map<int, CaseOutcome> out;
  // Children keep their stores under a scratch TMPDIR, emptied after each one: a child that
  // crashed or was killed leaves no store folder behind.
  std::string scratch_template =
      (std::filesystem::temp_directory_path() / "promql_conformance_XXXXXX").string();
  const char* scratch = mkdtemp(scratch_template.data());
  struct ScratchCleanup {
    const char* dir;
    ~ScratchCleanup() {
      std::error_code ec;
      if (dir != nullptr) std::filesystem::remove_all(dir, ec);
    }
  } cleanup{scratch};
  int skip = 0;
  while (true) {
    int fds[2];
    if (pipe(fds) != 0) {
      for (int l : evals) {
        if (!out.contains(l)) out[l] = Failed(l, "runner", StrCat("pipe: ", strerror(errno)));
      }
      return out;
    }
    pid_t pid = fork();
    if (pid < 0) {
      close(fds[0]);
      close(fds[1]);
      for (int l : evals) {
        if (!out.contains(l)) out[l] = Failed(l, "runner", StrCat("fork: ", strerror(errno)));
      }
      return out;
    }
    if (pid == 0) {
      close(fds[0]);
      if (scratch != nullptr) setenv("TMPDIR", scratch, 1);
      int w = fds[1];
      ScriptRunner().Run(
          script, skip, [w](int line) { WriteAll(w, StrCat("B\t", line, "\n")); },
          [w](const CaseOutcome& o) {
            WriteAll(w, StrCat("R\t", o.line, "\t", o.passed ? 1 : 0, "\t", Escape(o.variant), "\t",
                               Escape(o.message), "\n"));
          });
      close(w);
      _exit(0);  // no destructors or atexit handlers of the parent's state
    }
    close(fds[1]);
    int begun = 0;  // a case started and not yet reported
    bool timed_out = false;
    std::string buf;
    int64_t deadline = MonotonicNs() / 1000000 + case_timeout_ms;
    for (;;) {
      int64_t left = deadline - MonotonicNs() / 1000000;
      if (left <= 0) {
        timed_out = true;
        kill(pid, SIGKILL);
        break;
      }
      pollfd p{fds[0], POLLIN, 0};
      int r = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1 << 30)));
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) continue;  // the deadline check above handles it
      char chunk[65536];
      ssize_t n = read(fds[0], chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
      size_t nl;
      while ((nl = buf.find('\n')) != std::string::npos) {
        std::string msg = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        auto f = SplitTabs(msg);
        int64_t line = 0;
        if (f.size() == 2 && f[0] == "B" && ParseInt64(f[1], &line)) {
          begun = static_cast<int>(line);
          deadline = MonotonicNs() / 1000000 + case_timeout_ms;
        } else if (f.size() == 5 && f[0] == "R" && ParseInt64(f[1], &line)) {
          CaseOutcome o;
          o.line = static_cast<int>(line);
          o.passed = f[2] == "1";
          o.variant = Unescape(f[3]);
          o.message = Unescape(f[4]);
          out[o.line] = std::move(o);
          begun = 0;
          deadline = MonotonicNs() / 1000000 + case_timeout_ms;
        }
      }
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    bool clean = !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (scratch != nullptr) {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(scratch, ec)) {
        std::filesystem::remove_all(e.path(), ec);
      }
    }
    if (begun != 0) {
      out[begun] = Failed(begun, "runner",
                          timed_out ? StrCat("timed out after ", case_timeout_ms / 1000, " s")
                                    : DescribeExit(status));
      skip = begun;
      continue;  // resume after the case that died
    }
    for (int l : evals) {
      if (l > skip && !out.contains(l)) {
        out[l] =
            Failed(l, "runner",
                   clean ? "the case was never run"
                         : StrCat(timed_out ? "timed out outside a case" : DescribeExit(status),
                                  " before this case started"));
      }
    }
    return out;
  }
}

}  // namespace vigil::promql::conformance
