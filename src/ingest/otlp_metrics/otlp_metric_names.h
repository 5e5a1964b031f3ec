// How OTLP metric and attribute names become Prometheus names, per OpenTelemetry's
// "Prometheus and OpenMetrics compatibility" specification (OTLP -> Prometheus):
//
//  * Metric names: every character outside [a-zA-Z0-9_:] becomes `_`, runs of `_` collapse to
//    one, a leading digit gets a `_` prefix. The unit, converted to a Prometheus word, is
//    appended unless the name already ends with it (`http.server.duration` in `s` ->
//    `http_server_duration_seconds`); monotonic sums (counters) then get `_total`, which is
//    moved after the unit when the sender put it first (`requests_total` in `By` ->
//    `requests_bytes_total`).
//  * Units: UCUM abbreviations become words (`ms` -> `milliseconds`, `By` -> `bytes`, `Cel` ->
//    `celsius`), `{...}` annotations are dropped (`{packet}` -> no unit), `a/b` becomes
//    `a_per_b` with the per-unit singular (`By/s` -> `bytes_per_second`), `1` becomes `ratio`
//    for gauges only. Unknown units are kept, sanitized.
//  * Label names (attribute keys): characters outside [a-zA-Z0-9_] become `_`, runs of `_`
//    collapse to one; a leading digit gets a `key_` prefix and a single leading `_` a `key`
//    prefix, while a leading `__` (Prometheus' reserved prefix) is kept as sent.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// The Prometheus family a metric maps to: what decides its suffixes.
enum class PromFamilyKind { kGauge, kCounter, kHistogram, kSummary };

// The Prometheus word for an OTLP unit ("" when the unit adds no suffix).
std::string PrometheusUnit(std::string_view otlp_unit, PromFamilyKind kind);

// The Prometheus metric family name (without `_bucket`/`_sum`/`_count`, with `_total` for
// counters). `otlp_name` must not be empty.
std::string PrometheusMetricName(std::string_view otlp_name, std::string_view otlp_unit,
                                 PromFamilyKind kind);

// The sanitized label name for an attribute key (see the file comment); `key` itself when it
// needs no change. "" for an empty key.
void AppendPrometheusLabelName(std::string_view key, std::string* out);
bool IsPrometheusLabelNameAsIs(std::string_view key);

}  // namespace vigil
