#include "bench/logs/log_format.h"

#include <cmath>

#include "common/json_writer.h"
#include "common/strings.h"

namespace vigil::bench {
namespace {

void Append2(std::string* out, int64_t v) {
  out->push_back(static_cast<char>('0' + v / 10));
  out->push_back(static_cast<char>('0' + v % 10));
}

// duration_ms is a multiple of 0.1: written as "35.2" without floating-point formatting.
void AppendTenths(std::string* out, double ms) {
  const int64_t tenths = std::llround(ms * 10);
  StrAppend(out, tenths / 10, ".", static_cast<char>('0' + tenths % 10));
}

void AppendField(std::string* out, std::string_view key, std::string_view value) {
  out->push_back(',');
  AppendJsonString(out, key);
  out->push_back(':');
  AppendJsonString(out, value);
}

}  // namespace

void AppendRfc3339Nano(std::string* out, int64_t ns) {
  constexpr int64_t kNsPerDay = 86400LL * 1'000'000'000;
  int64_t days = ns / kNsPerDay;
  int64_t rem = ns % kNsPerDay;
  if (rem < 0) {
    rem += kNsPerDay;
    --days;
  }
  // Civil date from days since 1970-01-01 (proleptic Gregorian calendar, 400-year eras).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const int64_t secs = rem / 1'000'000'000;
  const int64_t frac = rem % 1'000'000'000;
  Append2(out, year / 100);
  Append2(out, year % 100);
  out->push_back('-');
  Append2(out, month);
  out->push_back('-');
  Append2(out, day);
  out->push_back('T');
  Append2(out, secs / 3600);
  out->push_back(':');
  Append2(out, secs / 60 % 60);
  out->push_back(':');
  Append2(out, secs % 60);
  out->push_back('.');
  char digits[9];
  int64_t f = frac;
  for (int i = 8; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + f % 10);
    f /= 10;
  }
  out->append(digits, 9);
  out->push_back('Z');
}

void AppendNdjson(const LogRecord& r, std::string* out) {
  out->append("{\"timestamp\":\"");
  AppendRfc3339Nano(out, r.time_ns);
  out->push_back('"');
  AppendField(out, "level", r.level);
  AppendField(out, "service", r.service);
  AppendField(out, "env", r.env);
  AppendField(out, "message", r.message);
  if (!r.trace_id.empty()) {
    AppendField(out, "trace_id", r.trace_id);
    AppendField(out, "span_id", r.span_id);
  }
  if (!r.http_method.empty()) {
    AppendField(out, "http_method", r.http_method);
    AppendField(out, "http_route", r.http_route);
  }
  if (r.status_code != 0) StrAppend(out, ",\"status_code\":", r.status_code);
  if (r.duration_ms >= 0) {
    out->append(",\"duration_ms\":");
    AppendTenths(out, r.duration_ms);
  }
  if (!r.error_code.empty()) AppendField(out, "error_code", r.error_code);
  for (const LogAttribute& a : r.attributes) AppendField(out, a.key, a.value);
  out->append("}\n");
}

void AppendClickHouseRow(const LogRecord& r, std::string* out) {
  StrAppend(out, "{\"timestamp_ns\":", r.time_ns);
  AppendField(out, "service", r.service);
  AppendField(out, "env", r.env);
  AppendField(out, "level", r.level);
  AppendField(out, "message", r.message);
  if (!r.trace_id.empty()) {
    AppendField(out, "trace_id", r.trace_id);
    AppendField(out, "span_id", r.span_id);
  }
  if (!r.error_code.empty()) AppendField(out, "error_code", r.error_code);
  if (r.duration_ms >= 0) {
    out->append(",\"duration_ms\":");
    AppendTenths(out, r.duration_ms);
  }
  if (!r.http_method.empty()) {
    AppendField(out, "http_method", r.http_method);
    AppendField(out, "http_route", r.http_route);
  }
  if (r.status_code != 0) StrAppend(out, ",\"status_code\":", r.status_code);
  out->append(",\"attr_keys\":[");
  for (size_t i = 0; i < r.attributes.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, r.attributes[i].key);
  }
  out->append("],\"attr_values\":[");
  for (size_t i = 0; i < r.attributes.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, r.attributes[i].value);
  }
  out->append("]}\n");
}

void LogSummary::Add(const LogRecord& r, std::string_view needle) {
  if (lines == 0 || r.time_ns < first_ns) first_ns = r.time_ns;
  if (lines == 0 || r.time_ns > last_ns) last_ns = r.time_ns;
  ++lines;
  ++levels[std::string(r.level)];
  ++services[std::string(r.service)];
  if (!r.error_code.empty()) ++error_codes[std::string(r.error_code)];
  if (!r.trace_id.empty()) ++traced_lines;
  if (!needle.empty() && r.trace_id == needle) {
    needle_trace_id = std::string(needle);
    ++needle_lines;
  }
  if (r.message.find(kSubstringNeedle) != std::string::npos) ++substring_lines;
  if (r.error_code == kFilterErrorCode && r.duration_ms > kFilterMinDurationMs) ++filter_lines;
  // Floor division: minute buckets as ClickHouse's intDiv computes them for positive times.
  level_minutes.emplace(r.time_ns / 60'000'000'000, std::string(r.level));
}

std::string LogSummary::ToJson() const {
  std::string out;
  JsonWriter j(&out);
  j.BeginObject();
  j.Key("lines").Int(lines).Key("ndjson_bytes").Int(ndjson_bytes);
  j.Key("clickhouse_bytes").Int(clickhouse_bytes);
  j.Key("first_ns").Int(first_ns).Key("last_ns").Int(last_ns);
  j.Key("traced_lines").Int(traced_lines);
  auto counts = [&j](std::string_view key, const auto& m) {
    j.Key(key).BeginObject();
    for (const auto& [k, v] : m) j.Key(k).Int(v);
    j.EndObject();
  };
  counts("levels", levels);
  counts("services", services);
  counts("error_codes", error_codes);
  j.Key("needle_trace_id").String(needle_trace_id).Key("needle_lines").Int(needle_lines);
  j.Key("substring").String(kSubstringNeedle).Key("substring_lines").Int(substring_lines);
  j.Key("filter_lines").Int(filter_lines);
  j.Key("level_minute_groups").Int(static_cast<int64_t>(level_minutes.size()));
  j.EndObject();
  return out;
}

}  // namespace vigil::bench
