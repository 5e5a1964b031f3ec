// An open trace segment (docs/formats/trace_segment.md): the metadata in memory, the blocks
// mapped and decompressed column by column on demand.
//
// GetTrace consults each section's trace-id Bloom filter, then the section's blocks whose
// trace-id range holds the id (the section's rows are sorted by trace id: one block, two when
// the trace straddles a boundary).
// Scan skips blocks by time, resource (service) bits and maximum duration, then decodes only
// the light columns, and for rows that passed everything else the key columns of the filtered
// attribute keys, falling back to the full attribute column for keys without one.
//
// Thread-safety: immutable after Open; every method may run concurrently (scratch buffers are
// per thread).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/file_util.h"
#include "storage/traces/segment_format.h"
#include "common/string_view_hash.h"
#include "storage/traces_store.h"

namespace vigil::traces {

struct BlockScratch;

class Segment {
 public:
  static absl::StatusOr<std::shared_ptr<const Segment>> Open(const std::string& path);

  const SegmentMeta& meta() const { return meta_; }
  const std::string& path() const { return file_->path(); }
  uint64_t size_bytes() const { return file_->size(); }
  // True when spans starting in [start_ns, end_ns) may be here.
  bool Overlaps(int64_t start_ns, int64_t end_ns) const {
    return meta_.rows > 0 && meta_.max_start >= start_ns && meta_.min_start < end_ns;
  }

  // Appends the spans of `id` to *out.
  absl::Status GetTrace(const TraceId& id, std::vector<Span>* out) const;
  // The light rows of `id`'s spans (views valid during fn).
  absl::Status TraceRows(const TraceId& id,
                         const std::function<void(std::span<const SpanRow>)>& fn) const;

  // Streams the rows that pass the request; returns false when `fn` asked to stop.
  absl::StatusOr<bool> Scan(const SpanScanRequest& req,
                            const std::function<bool(std::span<const SpanRow>)>& fn) const;

  // Adds the services with spans starting in the range / the span names of `service`.
  void Services(std::vector<std::string>* out) const;
  absl::Status SpanNames(std::string_view service, int64_t start_ns, int64_t end_ns,
                         std::vector<std::string>* out) const;

 private:
  Segment() = default;
  template <typename Fn>
  absl::Status ForTraceBlocks(const TraceId& id, Fn fn) const;

  std::unique_ptr<MappedFile> file_;
  SegmentMeta meta_;
  StringViewMap<uint32_t> string_ids_;  // views of meta_.strings
  // Unique per opened segment for the life of the process (unlike its address), so a
  // thread's scratch can tell whether it still holds one of this segment's blocks.
  const uint64_t instance_ = NextInstance();
  static uint64_t NextInstance();
};

}  // namespace vigil::traces
