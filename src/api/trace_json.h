// vigil's JSON for a trace: the spans in tree order (depth first, children by start) with each
// span's depth, self time and time on the critical path, plus the trace's analysis (critical
// path, slowest spans, error spans, services), and `logs_search`: the log search that finds the
// trace's log lines by trace id. The UI's waterfall reads it as it is.
//
// Times are nanoseconds: instants as decimal strings (`start_time_unix_nano`, beyond a double's
// precision), durations as numbers.
//
// Thread-safety: pure functions.
#pragma once

#include <span>

#include "common/json_writer.h"
#include "query/traces/trace_analysis.h"
#include "storage/span_record.h"

namespace vigil {

void WriteTraceJson(JsonWriter& w, std::span<const Span> spans, const TraceAnalysis& analysis);

// {"k": "v", ...} of attributes (values as text).
void WriteAttributesObject(JsonWriter& w, const std::vector<SpanAttribute>& attrs);

}  // namespace vigil
