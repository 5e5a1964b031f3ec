#include "bench/metrics/proc_stats.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/strings.h"

namespace vigil::bench {
namespace {

absl::StatusOr<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value in kB of a "Name:   123 kB" line of /proc/<pid>/status, in bytes.
bool StatusField(std::string_view status, std::string_view name, int64_t* bytes) {
  size_t pos = 0;
  while (pos < status.size()) {
    size_t eol = status.find('\n', pos);
    if (eol == std::string_view::npos) eol = status.size();
    std::string_view line = status.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.size() <= name.size() || line.substr(0, name.size()) != name ||
        line[name.size()] != ':') {
      continue;
    }
    std::string_view rest = line.substr(name.size() + 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    const size_t space = rest.find(' ');
    int64_t kb = 0;
    if (!ParseInt64(rest.substr(0, space), &kb) || kb < 0) return false;
    *bytes = kb * 1024;
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<ProcessStats> ParseProcessStats(std::string_view stat, std::string_view status,
                                               int64_t ticks_per_second) {
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) {
    return absl::InvalidArgumentError("unexpected /proc/<pid>/stat format");
  }
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  std::string_view rest = stat.substr(close + 1);
  size_t pos = 0;
  while (pos < rest.size()) {
    while (pos < rest.size() && (rest[pos] == ' ' || rest[pos] == '\n')) ++pos;
    const size_t start = pos;
    while (pos < rest.size() && rest[pos] != ' ' && rest[pos] != '\n') ++pos;
    if (pos > start) fields.push_back(rest.substr(start, pos - start));
  }
  // utime and stime are fields 14 and 15.
  int64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !ParseInt64(fields[11], &utime) || !ParseInt64(fields[12], &stime)) {
    return absl::InvalidArgumentError("unexpected /proc/<pid>/stat format: no utime/stime");
  }
  ProcessStats out;
  out.cpu_us = (utime + stime) * 1000000 / ticks_per_second;
  if (!StatusField(status, "VmRSS", &out.rss_bytes) ||
      !StatusField(status, "VmHWM", &out.hwm_bytes)) {
    return absl::InvalidArgumentError("unexpected /proc/<pid>/status format: no VmRSS/VmHWM");
  }
  return out;
}

absl::StatusOr<ProcessStats> ReadProcessStats(int pid) {
  absl::StatusOr<std::string> stat = ReadAll(StrCat("/proc/", pid, "/stat"));
  if (!stat.ok()) return stat.status();
  absl::StatusOr<std::string> status = ReadAll(StrCat("/proc/", pid, "/status"));
  if (!status.ok()) return status.status();
  return ParseProcessStats(*stat, *status, sysconf(_SC_CLK_TCK));
}

}  // namespace vigil::bench
