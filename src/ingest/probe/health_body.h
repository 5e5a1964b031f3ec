// Reading a health endpoint's JSON body into numbers.
//
// Understood shapes (the common ones: ad-hoc services, Spring Boot actuator, the IETF
// health-check draft):
//   {"status": "degraded", "checks": {"database": true, "redis": false}}
//   {"status": "UP", "components": {"db": {"status": "UP"}}}
//   {"status": "pass", "checks": {"db:responseTime": [{"status": "pass"}, {"status": "warn"}]}}
// A status is a word — healthy/ok/up/pass/passing = 1, degraded/warn/warning = 0.5,
// unhealthy/down/fail/failed/error/critical/out_of_service = 0 (case-insensitive) — or a
// boolean (1/0), or the number 0 or 1. A check whose value is a list takes its worst entry.
// A check is "up" only when its status is 1; unrecognized check values are left out.
//
// Bounds: bodies over kMaxHealthBodyBytes are not parsed, at most kMaxHealthChecks checks
// are read (in document order) and check names longer than kMaxCheckNameBytes are skipped,
// so a hostile endpoint cannot make the probe write unbounded series.
//
// Thread-safety: a HealthBodyParser is used by one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace simdjson::dom {
class parser;
}

namespace vigil {

inline constexpr size_t kMaxHealthBodyBytes = 1 << 20;
inline constexpr size_t kMaxHealthChecks = 64;
inline constexpr size_t kMaxCheckNameBytes = 128;

struct HealthReport {
  std::optional<double> status;                      // 1, 0.5 or 0
  std::vector<std::pair<std::string, bool>> checks;  // name, up
};

// The value of a status word, or nullopt for an unknown word.
std::optional<double> HealthWordValue(std::string_view word);

class HealthBodyParser {
 public:
  HealthBodyParser();
  ~HealthBodyParser();
  HealthBodyParser(const HealthBodyParser&) = delete;
  HealthBodyParser& operator=(const HealthBodyParser&) = delete;

  // nullopt when the body is not a JSON object (or is too large): no health series then.
  std::optional<HealthReport> Parse(std::string_view body);

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;  // reused so buffers are kept
};

}  // namespace vigil
