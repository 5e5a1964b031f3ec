// Writes one trace segment (docs/formats/trace_segment.md) from the spans of a head cut.
//
// The spans are grouped into time sections, and within a section sorted by (trace id, start
// time) so that a trace's spans sit together: fetching a trace reads one block of a section
// (rarely two), and parent links mostly point inside the block, which
// the parent column stores as a row number instead of 8 random bytes. Strings that repeat
// (services, span and event names, scopes, attribute keys) go to the segment's dictionary;
// resources are stored once in the metadata.
//
// Thread-safety: a pure function of its inputs; the batches are only read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "storage/span_record.h"
#include "storage/traces/segment_format.h"

namespace vigil::traces {

struct SegmentWriterOptions {
  int zstd_level = 3;
  // Sections (see SectionMeta): spans are grouped by the window of this width (aligned to the
  // epoch) their start falls in, and adjacent windows merge until a section holds at least
  // min_section_rows spans, so a cut covering a short time (the usual case under steady
  // traffic) stays one section. 0 writes one section.
  int64_t section_window_ns = 60'000'000'000;
  uint32_t min_section_rows = 8 * kBlockRows;
};

// Buffers WriteSegment keeps from one segment to the next when given the same scratch. A
// cut stages tens of MiB (every span's encoded columns, in arrival order, before they are
// copied in trace order); on a virtual machine faulting in fresh pages for that cost about a
// fifth of writing the segment. One WriteSegment at a time per scratch.
class SegmentScratch {
 public:
  SegmentScratch();
  ~SegmentScratch();
  SegmentScratch(const SegmentScratch&) = delete;
  SegmentScratch& operator=(const SegmentScratch&) = delete;

  struct Buffers;  // segment_writer.cc
  Buffers& buffers() { return *buffers_; }

 private:
  std::unique_ptr<Buffers> buffers_;
};

// Hands every batch of a segment to `emit`, one after the other. A batch need only live during
// its call (the writer keeps its own encoding of the spans), but the strings its views point
// at must stay valid until WriteSegment returns: the segment's dictionary refers to them. A
// trace cut decodes one head record at a time this way, instead of holding the whole head
// decoded (several hundred bytes per span) beside the staged spans.
using SpanBatchEmit = std::function<void(const SpanBatch&)>;
using SpanBatchSource = std::function<absl::Status(const SpanBatchEmit& emit)>;

// Writes every span the source emits to a new file at `path` (fsync'd); returns its size.
// `scratch`, if given, lends its buffers (see SegmentScratch).
absl::StatusOr<uint64_t> WriteSegment(const std::string& path, const SpanBatchSource& source,
                                      const SegmentWriterOptions& options = {},
                                      SegmentScratch* scratch = nullptr);
// The same for batches at hand.
absl::StatusOr<uint64_t> WriteSegment(const std::string& path,
                                      std::span<const SpanBatch* const> batches,
                                      const SegmentWriterOptions& options = {},
                                      SegmentScratch* scratch = nullptr);

}  // namespace vigil::traces
