#include "ingest/probe/health_body.h"

#include <algorithm>
#include <cctype>

#include "simdjson.h"

namespace vigil {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != lower[i]) return false;
  }
  return true;
}

// The status a JSON value stands for. `nested` is false for a check's own value, which may
// be an object or a list holding statuses; inside those only scalars count.
std::optional<double> StatusOf(element v, bool nested) {
  switch (v.type()) {
    case element_type::BOOL: {
      bool b = false;
      if (v.get_bool().get(b) != simdjson::SUCCESS) return std::nullopt;
      return b ? 1.0 : 0.0;
    }
    case element_type::STRING: {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
      return HealthWordValue(s);
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      double d = 0;
      if (v.get_double().get(d) != simdjson::SUCCESS) return std::nullopt;
      if (d == 0 || d == 1) return d;
      return std::nullopt;
    }
    case element_type::OBJECT: {
      if (nested) return std::nullopt;
      simdjson::dom::object obj;
      if (v.get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;
      element inner;
      if (obj["status"].get(inner) == simdjson::SUCCESS) return StatusOf(inner, true);
      if (obj["healthy"].get(inner) == simdjson::SUCCESS) return StatusOf(inner, true);
      return std::nullopt;
    }
    case element_type::ARRAY: {
      if (nested) return std::nullopt;
      simdjson::dom::array arr;
      if (v.get_array().get(arr) != simdjson::SUCCESS) return std::nullopt;
      std::optional<double> worst;
      for (element item : arr) {
        simdjson::dom::object obj;
        element inner;
        if (item.get_object().get(obj) != simdjson::SUCCESS) continue;
        if (obj["status"].get(inner) != simdjson::SUCCESS) continue;
        std::optional<double> s = StatusOf(inner, true);
        if (s) worst = worst ? std::min(*worst, *s) : *s;
      }
      return worst;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<double> HealthWordValue(std::string_view word) {
  static constexpr std::pair<std::string_view, double> kWords[] = {
      {"healthy", 1},   {"ok", 1},         {"up", 1},       {"pass", 1},
      {"passing", 1},   {"degraded", 0.5}, {"warn", 0.5},   {"warning", 0.5},
      {"unhealthy", 0}, {"down", 0},       {"fail", 0},     {"failed", 0},
      {"failing", 0},   {"error", 0},      {"critical", 0}, {"out_of_service", 0},
  };
  for (const auto& [w, v] : kWords) {
    if (EqualsLower(word, w)) return v;
  }
  return std::nullopt;
}

HealthBodyParser::HealthBodyParser()
    : parser_(std::make_unique<simdjson::dom::parser>(kMaxHealthBodyBytes)) {}

HealthBodyParser::~HealthBodyParser() = default;

std::optional<HealthReport> HealthBodyParser::Parse(std::string_view body) {
  if (body.empty() || body.size() > kMaxHealthBodyBytes) return std::nullopt;
  element doc;
  if (parser_->parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return std::nullopt;
  HealthReport report;
  element status;
  if (root["status"].get(status) == simdjson::SUCCESS) report.status = StatusOf(status, true);
  for (std::string_view key : {"checks", "components"}) {
    simdjson::dom::object checks;
    if (root[key].get_object().get(checks) != simdjson::SUCCESS) continue;
    for (auto field : checks) {
      if (report.checks.size() >= kMaxHealthChecks) break;
      std::string_view name = field.key;
      if (name.empty() || name.size() > kMaxCheckNameBytes) continue;
      std::optional<double> s = StatusOf(field.value, false);
      if (!s) continue;
      bool duplicate = false;
      for (const auto& c : report.checks) duplicate |= c.first == name;
      if (!duplicate) report.checks.emplace_back(std::string(name), *s == 1.0);
    }
  }
  return report;
}

}  // namespace vigil
