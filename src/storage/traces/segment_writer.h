// Writes one trace segment (docs/formats/trace_segment.md) from the spans of a head cut.
//
// The spans are sorted by (trace id, start time) so that a trace's spans sit together: fetching
// a trace reads one block (rarely two), and parent links mostly point inside the block, which
// the parent column stores as a row number instead of 8 random bytes. Strings that repeat
// (services, span and event names, scopes, attribute keys) go to the segment's dictionary;
// resources are stored once in the metadata.
//
// Thread-safety: a pure function of its inputs; the batches are only read.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "storage/span_record.h"

namespace vigil::traces {

struct SegmentWriterOptions {
  int zstd_level = 3;
};

// Writes every span of `batches` to a new file at `path` (fsync'd); returns its size.
absl::StatusOr<uint64_t> WriteSegment(const std::string& path,
                                      std::span<const SpanBatch* const> batches,
                                      const SegmentWriterOptions& options = {});

}  // namespace vigil::traces
