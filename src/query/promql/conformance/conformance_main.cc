// promql_conformance: runs Prometheus 2.42's PromQL test scripts against the engine.
//
//   promql_conformance [-v] [--known-failures=FILE] [--write-known-failures=FILE]
//                      [--case-timeout=SECONDS] [--in-process] [FILE.test ...]
//
// Without files it runs every .test file of the v2.42 conformance folder (compiled in) and
// checks that all 566 cases were found. Prints `file: passed/total` per file and
// `promql conformance: N/M passed`; -v adds every failure. With --known-failures the exit
// status is 0 only when the failures are exactly the listed ones; without it, only when
// every case passes. A missing folder or unreadable file is an error (exit 2).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/logging.h"
#include "common/strings.h"
#include "query/promql/conformance/isolated_run.h"
#include "query/promql/conformance/known_failures.h"
#include "query/promql/conformance/test_script.h"

#ifndef VIGIL_CONFORMANCE_DIR
#error "VIGIL_CONFORMANCE_DIR must name the folder of the v2.42 .test files"
#endif

namespace vigil::promql::conformance {
namespace {

constexpr size_t kV242Cases = 566;

struct Flags {
  bool verbose = false;
  bool in_process = false;
  std::string known_failures;
  std::string write_known_failures;
  int64_t case_timeout_s = 120;
  std::vector<std::string> files;
};

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return static_cast<bool>(f) || f.eof();
}

std::string FirstLine(std::string_view s) { return std::string(s.substr(0, s.find('\n'))); }

// "range", "@ variant, range", "instant" … for the known-failures reasons.
std::string ShortVariant(std::string_view v) {
  bool range = v.find("as a range query") != std::string_view::npos;
  if (v.starts_with("@")) return range ? "@ variant, range" : "@ variant";
  if (v.starts_with("instant")) return range ? "range" : "instant";
  return std::string(v);
}

int Usage(const char* why) {
  std::cerr << "promql_conformance: " << why
            << "\nusage: promql_conformance [-v] [--known-failures=FILE] "
               "[--write-known-failures=FILE] [--case-timeout=SECONDS] [--in-process] "
               "[FILE.test ...]\n";
  return 2;
}

int Main(int argc, char** argv) {
  SetLogLevel(LogLevel::kWarn);  // the stores' startup lines would drown the report
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view name, std::string* out) {
      if (a.starts_with(name) && a.size() > name.size() && a[name.size()] == '=') {
        *out = std::string(a.substr(name.size() + 1));
        return true;
      }
      return false;
    };
    std::string timeout;
    if (a == "-v" || a == "--verbose") {
      flags.verbose = true;
    } else if (a == "--in-process") {
      flags.in_process = true;
    } else if (value("--known-failures", &flags.known_failures) ||
               value("--write-known-failures", &flags.write_known_failures)) {
    } else if (value("--case-timeout", &timeout)) {
      if (!ParseInt64(timeout, &flags.case_timeout_s) || flags.case_timeout_s <= 0) {
        return Usage("--case-timeout needs a positive number of seconds");
      }
    } else if (a == "-h" || a == "--help") {
      return Usage("runs PromQL .test scripts against the engine");
    } else if (a.starts_with("-")) {
      return Usage(StrCat("unknown flag ", QuoteString(a)).c_str());
    } else {
      flags.files.emplace_back(a);
    }
  }

  bool default_set = flags.files.empty();
  if (default_set) {
    std::error_code ec;
    std::filesystem::path dir(VIGIL_CONFORMANCE_DIR);
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".test") flags.files.push_back(e.path().string());
    }
    if (ec || flags.files.empty()) {
      std::cerr << "promql_conformance: FAILED: no .test files in the conformance folder " << dir
                << (ec ? StrCat(" (", ec.message(), ")") : std::string())
                << ": the PromQL conformance data (Prometheus v2.42 promql/testdata) is missing\n";
      return 2;
    }
    std::sort(flags.files.begin(), flags.files.end());
  }

  std::map<CaseKey, std::string> known;
  if (!flags.known_failures.empty()) {
    std::string text;
    if (!ReadFile(flags.known_failures, &text)) {
      std::cerr << "promql_conformance: cannot read " << flags.known_failures << "\n";
      return 2;
    }
    auto parsed = ParseKnownFailures(text);
    if (!parsed.ok()) {
      std::cerr << "promql_conformance: " << flags.known_failures << ": "
                << parsed.status().message() << "\n";
      return 2;
    }
    known = *std::move(parsed);
  }

  std::vector<CaseStatus> statuses;
  std::map<CaseKey, std::pair<std::string, CaseOutcome>> failures;  // -> query, outcome
  std::set<std::string> files_run;
  size_t passed_total = 0;
  for (const std::string& path : flags.files) {
    std::string name = std::filesystem::path(path).filename().string();
    files_run.insert(name);
    std::string text;
    if (!ReadFile(path, &text)) {
      std::cerr << "promql_conformance: FAILED: cannot read " << path << "\n";
      return 2;
    }
    std::map<int, CaseOutcome> outcomes;
    std::map<int, std::string> queries;
    auto script = ParseTestScript(text);
    if (!script.ok()) {
      // Upstream fails a whole file that does not parse: so do we, case by case.
      std::string why = StrCat("script does not parse: ", std::string(script.status().message()));
      std::cerr << name << ": " << why << "\n";
      for (int line : EvalLines(text)) {
        CaseOutcome o;
        o.line = line;
        o.variant = "script";
        o.message = why;
        outcomes[line] = o;
      }
    } else {
      for (const Command& c : script->commands) {
        if (const auto* e = std::get_if<EvalCmd>(&c)) queries[e->line] = e->expr;
      }
      outcomes = flags.in_process ? RunScriptInProcess(*script)
                                  : RunScriptIsolated(*script, flags.case_timeout_s * 1000);
    }
    size_t passed = 0;
    for (const auto& [line, o] : outcomes) {
      CaseKey key{name, line};
      statuses.push_back({key, o.passed});
      if (o.passed) {
        ++passed;
      } else {
        failures[key] = {queries[line], o};
      }
    }
    passed_total += passed;
    std::cout << name << ": " << passed << "/" << outcomes.size() << " passed\n";
  }

  if (flags.verbose) {
    for (const auto& [key, f] : failures) {
      const auto& [query, o] = f;
      std::cout << "\nFAIL " << FormatCaseKey(key) << (known.contains(key) ? " (known)" : "")
                << ": " << query << "\n  in: " << o.variant << "\n  " << o.message << "\n";
    }
    std::cout << "\n";
  }
  std::cout << "promql conformance: " << passed_total << "/" << statuses.size() << " passed\n";

  int rc = 0;
  if (default_set && statuses.size() != kV242Cases) {
    std::cout << "FAILED: expected " << kV242Cases << " cases in the v2.42 scripts, found "
              << statuses.size() << "\n";
    rc = 1;
  }
  if (!flags.write_known_failures.empty()) {
    std::ofstream f(flags.write_known_failures, std::ios::trunc);
    f << "# PromQL conformance cases (Prometheus v2.42 .test files) the engine does not pass\n"
         "# yet, as `file.test:LINE  # reason`. The conformance test fails when a case not\n"
         "# listed here fails, and when a listed case passes: remove it then.\n";
    for (const auto& [key, fo] : failures) {
      std::string reason =
          StrCat(ShortVariant(fo.second.variant), ": ", FirstLine(fo.second.message));
      f << FormatCaseKey(key) << "  # " << std::string(Truncated(reason, 160)) << "\n";
    }
    if (!f) {
      std::cerr << "promql_conformance: cannot write " << flags.write_known_failures << "\n";
      return 2;
    }
    std::cout << "wrote " << failures.size() << " failures to " << flags.write_known_failures
              << "\n";
  }
  if (!flags.known_failures.empty()) {
    KnownFailureCheck check = CheckKnownFailures(statuses, known, files_run);
    for (const CaseKey& k : check.regressions) {
      const auto& [query, o] = failures[k];
      std::cout << "REGRESSION " << FormatCaseKey(k) << ": " << query << "\n  in: " << o.variant
                << "\n  " << o.message << "\n";
    }
    for (const CaseKey& k : check.now_passing) {
      std::cout << "NOW PASSING " << FormatCaseKey(k)
                << ": remove it from the known failures list\n";
    }
    for (const CaseKey& k : check.no_such_case) {
      std::cout << "NO SUCH CASE " << FormatCaseKey(k)
                << " in the known failures list (not an eval line)\n";
    }
    if (!check.ok()) {
      std::cout << "FAILED: " << check.regressions.size() << " regressions, "
                << check.now_passing.size() << " listed cases now passing, "
                << check.no_such_case.size() << " unknown entries (" << flags.known_failures
                << ")\n";
      rc = 1;
    } else {
      std::cout << "known failures: " << known.size() << " listed, all as expected\n";
    }
  } else if (passed_total != statuses.size()) {
    rc = 1;
  }
  return rc;
}

}  // namespace
}  // namespace vigil::promql::conformance

int main(int argc, char** argv) { return vigil::promql::conformance::Main(argc, argv); }
