// Trace and span ids as text: what the log decoders store (lowercase hex) and the metric
// decoders put on exemplars, from the hex of JSON bodies or the raw bytes of protobuf ones.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/string_arena.h"

namespace vigil {

enum class IdKind { kTrace, kSpan };
inline std::string_view IdName(IdKind k) { return k == IdKind::kTrace ? "trace_id" : "span_id"; }

// A hex id from JSON: "" or all zeros -> absent (*out empty); 32 (trace) or 16 (span) hex
// digits of any case -> lowercase (a view of `hex` when it already is, else an arena copy).
bool NormalizeHexId(IdKind kind, std::string_view hex, StringArena* arena, std::string_view* out,
                    std::string* error);
// A raw id from protobuf: empty or all zero bytes -> absent; 16 (trace) or 8 (span) bytes ->
// lowercase hex in the arena.
bool EncodeRawId(IdKind kind, std::string_view raw, StringArena* arena, std::string_view* out,
                 std::string* error);

}  // namespace vigil
