// Traces in the JSON shape of Jaeger's query API (`/api/traces/{id}`, `/api/traces?…`), so
// Jaeger's UI and the tools built on its API can read vigil's traces.
//
// Mapping from the OpenTelemetry model (as Jaeger's own OTLP translation does): ids as
// lowercase hex; times and durations in microseconds; the parent as a CHILD_OF reference and
// links as FOLLOWS_FROM; one process per distinct resource (`serviceName` and the resource
// attributes as tags); span kind as the `span.kind` tag; an error status as `error=true` plus
// `otel.status_code`/`otel.status_description`; the scope as `otel.scope.name`/`.version`;
// events as logs with an `event` field.
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <vector>

#include "common/json_writer.h"
#include "storage/span_record.h"

namespace vigil {

// One trace object ({"traceID", "spans", "processes", "warnings"}) of the spans of one trace.
void WriteJaegerTrace(JsonWriter& w, std::span<const Span> spans);

}  // namespace vigil
