// Writes one log segment file from rows sorted by stream, then time (format:
// docs/formats/log_segment.md).
//
// Rows are cut into blocks of at most `block_rows` rows or `block_body_bytes` of bodies. Each
// block stores every column as its own zstd frame (timestamps as deltas, severity, severity
// text, body lengths and bytes, trace and span ids as raw bytes, one column per frequent field
// name, the remaining fields in one column) and two Bloom filters: body tokens and
// field=value pairs (trace_id included). Field names present in at least
// `field_column_min_share` of the rows get their own column (at most `max_field_columns`).
// The file is written under `path`, fsync'd, and complete once WriteSegment returns OK.
//
// Thread-safety: pure function; may run concurrently for different paths.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "storage/log_record.h"

namespace vigil::logs {

// What the writer knows of each row without decoding it.
struct SegmentRowInfo {
  uint32_t stream = 0;  // index into the `streams` argument
  int64_t timestamp_ns = 0;
  uint32_t body_size = 0;
};

// Reads row i into *out, appending its fields to *pool (the writer points out->fields at
// them). The views must stay valid for the whole WriteSegment call. Rows are read a block at
// a time, so a segment's worth of decoded fields is never held at once; a sample of them is
// read once more beforehand to choose the field columns.
using SegmentRowReader =
    absl::FunctionRef<void(size_t i, LogRecordView* out, std::vector<LogFieldView>* pool)>;

struct SegmentWriterOptions {
  size_t block_rows = 4096;
  size_t block_body_bytes = 1 << 20;
  int zstd_level = 3;
  double field_column_min_share = 0.05;
  size_t max_field_columns = 48;
};

// `streams` sorted by labels; rows sorted by (stream, timestamp). Returns the file's size.
absl::StatusOr<uint64_t> WriteSegment(const std::string& path, const std::vector<Labels>& streams,
                                      std::span<const SegmentRowInfo> rows,
                                      SegmentRowReader read,
                                      const SegmentWriterOptions& options = {});

}  // namespace vigil::logs
