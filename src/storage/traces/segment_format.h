// The trace segment's file layout and metadata (docs/formats/trace_segment.md).
//
// A segment holds the spans of one head cut in time sections, each sorted by (trace id, start
// time), in blocks of at most kBlockRows spans. Each block stores its columns as separate zstd frames, so a search
// decompresses only the columns it tests. The metadata (string dictionary, resources, scopes,
// per-block bounds, and per section a Bloom filter of its trace ids) follows the blocks,
// zstd-compressed, then a fixed-size footer.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/columnar/column_file.h"
#include "storage/span_record.h"

namespace vigil::traces {

inline constexpr std::string_view kSegmentMagic = "VGTSEG01";
inline constexpr uint32_t kSegmentVersion = 2;
// Version 1 (one trace-id Bloom filter for the whole segment, a single section) is still read.
inline constexpr uint32_t kSegmentMinVersion = 1;
inline constexpr uint32_t kBlockRows = 2048;

// Column ids of a block (the encodings are in docs/formats/trace_segment.md).
enum Column : uint32_t {
  kColTrace = 0,    // runs of equal trace ids: (16-byte id, row count)
  kColSpanId = 1,   // 8 bytes a row
  kColParent = 2,   // none / a row of this block / 8 raw bytes
  kColTimes = 3,    // start as a delta from the previous row, duration
  kColMeta = 4,     // kind and status, resource, name, scope, flags
  kColText = 5,     // trace state, status message
  kColAttrs = 6,    // span attributes
  kColEvents = 7,   // events, links and the dropped counts
  kColCount = 8,
};

using columnar::Chunk;

// A search index over one frequent span attribute of a block, beside the full attribute column:
// the key's distinct values and, per row, which one the span has. A search filtering on the
// key reads this small column instead of decompressing and parsing every attribute.
struct KeyColumn {
  uint32_t key = 0;  // string id
  Chunk chunk;
};
// Which keys get one: present (once) on at least a quarter of the block's spans, with at most
// kKeyColumnMaxValues distinct values; at most kMaxKeyColumns per block.
inline constexpr uint32_t kMaxKeyColumns = 16;
inline constexpr uint32_t kKeyColumnMaxValues = 256;

struct BlockMeta {
  uint32_t rows = 0;
  TraceId min_trace;
  TraceId max_trace;
  int64_t min_start = 0;
  int64_t max_start = 0;
  int64_t max_end = 0;
  int64_t max_duration = 0;
  // Bit (resource id % 64) is set for every resource with a span in the block.
  uint64_t resource_bits = 0;
  std::array<Chunk, kColCount> columns;
  std::vector<KeyColumn> key_columns;  // by ascending key; none in version 1
};

struct ResourceMeta {
  uint32_t service = 0;  // string id
  struct Attribute {
    uint32_t key = 0;  // string id
    AttributeType type = AttributeType::kString;
    std::string value;
  };
  std::vector<Attribute> attributes;
};

struct ScopeMeta {
  uint32_t name = 0;  // string ids
  uint32_t version = 0;
};

// A run of consecutive blocks holding the spans that start in one time window, sorted by
// trace id among themselves, with a Bloom filter of their trace ids. Sections keep a
// segment's blocks time-bounded (a search over a recent window skips the older sections'
// blocks by their time bounds) while a trace lookup still reads one block per section that
// may hold the trace.
struct SectionMeta {
  uint32_t first_block = 0;
  uint32_t blocks = 0;
  std::string trace_bloom;  // BloomBuilder bytes over TraceIdHash
};

struct SegmentMeta {
  int64_t min_start = 0;
  int64_t max_start = 0;
  int64_t max_end = 0;
  uint64_t rows = 0;
  std::vector<std::string> strings;  // services, span and event names, scopes, attribute keys
  std::vector<ResourceMeta> resources;
  std::vector<ScopeMeta> scopes;
  std::vector<BlockMeta> blocks;  // in row order: by section, then ascending trace ids
  std::vector<SectionMeta> sections;  // in time order, covering every block
};

// Version 1 is written only to test its reader: no key columns, and exactly one section.
std::string EncodeSegmentMeta(const SegmentMeta& meta, uint32_t version = kSegmentVersion);
absl::StatusOr<SegmentMeta> DecodeSegmentMeta(std::string_view data,
                                              uint32_t version = kSegmentVersion);

// The hash a segment's trace-id Bloom filter is keyed by.
uint64_t TraceIdHash(const TraceId& id);

}  // namespace vigil::traces
