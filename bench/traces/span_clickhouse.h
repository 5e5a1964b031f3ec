// The span workload as ClickHouse JSONEachRow rows, for the two tables ClickHouse-based
// tracing stacks keep (bench/traces/run.sh creates them):
//
//   spans          one row per span, ordered by (service, start_ns): ids as hex, name, kind,
//                  service, resource and span attributes as parallel key/value arrays (values
//                  as text), duration, status, events as parallel arrays
//   trace_id_ts    one row per trace: trace_id, its first span's start and last span's end,
//                  ordered by trace_id, which turns a trace-id lookup into a time range for
//                  the spans table
//
// Times are UInt64 nanoseconds (ClickHouse 18.16 has no DateTime64).
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "bench/traces/span_workload.h"

namespace vigil::bench {

// Appends one `spans` row and its newline.
void AppendClickHouseSpanRow(const GenSpan& span, const GenResource& resource, std::string* out);

// Appends one `trace_id_ts` row and its newline.
void AppendClickHouseTraceRow(const std::array<uint8_t, 16>& trace_id, int64_t start_ns,
                              int64_t end_ns, std::string* out);

// OTLP's kind and status names, as the OpenTelemetry ClickHouse exporter writes them.
std::string_view SpanKindName(GenSpanKind kind);

}  // namespace vigil::bench
