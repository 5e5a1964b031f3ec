// The binary form of a batch of spans: one WAL record per Append, and the head's storage of
// those spans until they are cut into segments (docs/formats/trace_segment.md, "WAL record").
//
// EncodeSpanRecord writes the chosen spans of a SpanBatch (resources once, spans referring to
// them); DecodeSpanRecord rebuilds a SpanBatch whose strings are views into the record, so the
// record must outlive it. Decoding treats the record as hostile (a damaged WAL, a fuzzer):
// every length is checked and a malformed record fails with DataLoss, never a crash.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "storage/span_record.h"

namespace vigil::traces {

// Appends the record holding batch.spans()[i] for every i in `spans` (ascending) to *out.
void EncodeSpanRecord(const SpanBatch& batch, std::span<const uint32_t> spans, std::string* out);

// Replaces *out's content with the spans of `record`.
absl::Status DecodeSpanRecord(std::string_view record, SpanBatch* out);

}  // namespace vigil::traces
