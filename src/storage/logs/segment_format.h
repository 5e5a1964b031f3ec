// The log segment's file layout and its metadata section (docs/formats/log_segment.md).
//
// A segment is immutable: column chunks and Bloom filters of each block, then the metadata
// (streams, blocks, field dictionary) compressed with zstd, then a fixed-size footer.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "storage/columnar/column_file.h"

namespace vigil::logs {

inline constexpr std::string_view kSegmentMagic = "VGLSEG01";
inline constexpr uint32_t kSegmentVersion = 1;

// Column ids of a block. Field columns (one per frequent field name) follow kColFirstField.
enum Column : uint32_t {
  kColTimestamp = 0,
  kColSeverity = 1,
  kColSeverityText = 2,
  kColBody = 3,
  kColTraceId = 4,
  kColSpanId = 5,
  kColOtherFields = 6,
  kColFirstField = 7,
};

// Column chunks are zstd frames; Bloom filters are stored as they are (raw_size == size).
using columnar::Chunk;

struct BlockMeta {
  uint32_t first_row = 0;
  uint32_t rows = 0;
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint32_t first_stream = 0;  // streams are in row order, so a block covers a range of them
  uint32_t last_stream = 0;
  std::vector<Chunk> columns;  // indexed by Column; field columns after kColFirstField
  Chunk token_bloom;
  Chunk field_bloom;
};

struct StreamMeta {
  Labels labels;
  uint32_t first_row = 0;
  uint32_t rows = 0;
  int64_t min_time = 0;
  int64_t max_time = 0;
};

struct SegmentMeta {
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint64_t rows = 0;
  uint64_t body_bytes = 0;                     // uncompressed
  std::vector<std::string> field_columns;      // names of the dedicated field columns
  std::vector<std::string> other_field_names;  // dictionary of the other-fields column
  std::vector<StreamMeta> streams;             // sorted by labels
  std::vector<BlockMeta> blocks;               // in row order
};

std::string EncodeSegmentMeta(const SegmentMeta& meta);
absl::StatusOr<SegmentMeta> DecodeSegmentMeta(std::string_view data);

}  // namespace vigil::logs
