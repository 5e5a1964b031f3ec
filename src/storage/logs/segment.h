// A log segment opened for reading: the file mapped read-only, its metadata decoded once.
// Select scans the records of matching streams in a time range, skipping blocks whose time
// bounds, stream range or Bloom filters rule them out, and decompressing only the columns the
// request wants.
//
// Thread-safety: immutable after Open; Select may run concurrently.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/file_util.h"
#include "storage/logs/segment_format.h"
#include "storage/logs_store.h"

namespace vigil::logs {

struct SegmentScanStats {
  uint64_t blocks_total = 0;
  uint64_t blocks_skipped_by_bloom = 0;
  uint64_t blocks_skipped_by_content = 0;  // decompressed a hinted column, found no match
  uint64_t blocks_read = 0;
};

// What a request needs of one segment: the matching streams, the blocks that may hold wanted
// records (time, streams and Bloom filters allowing), and the hints checked row by row.
struct SegmentPlan {
  std::vector<bool> matched;     // per stream
  std::vector<uint32_t> blocks;  // candidate blocks, in file order
  std::string trace_raw;         // the trace id hint as 16 raw bytes ("" for none)
  std::vector<std::pair<std::string, std::string>> fields;  // field hints usable here
  std::vector<std::string_view> needles;                    // body substrings
};

class Segment {
 public:
  static absl::StatusOr<std::shared_ptr<const Segment>> Open(const std::string& path);

  const SegmentMeta& meta() const { return meta_; }
  const std::string& path() const { return file_->path(); }
  uint64_t file_bytes() const { return file_->size(); }

  // Calls `fn` for each run of consecutive rows of one stream (in time order) that passes the
  // request's time range, stream selector and hints. Returns false when `fn` asked to stop.
  absl::StatusOr<bool> Select(const LogSelectRequest& req, const LogRecordsFn& fn,
                              SegmentScanStats* stats = nullptr) const;

  // The same in two steps, so a caller can interleave blocks of several segments (newest
  // first, say). Plan returns false when no block can hold a wanted record.
  bool Plan(const LogSelectRequest& req, SegmentPlan* plan, SegmentScanStats* stats = nullptr) const;
  absl::StatusOr<bool> ReadBlock(const LogSelectRequest& req, const SegmentPlan& plan,
                                 uint32_t block, const LogRecordsFn& fn,
                                 SegmentScanStats* stats = nullptr) const;

 private:
  Segment() = default;
  std::unique_ptr<MappedFile> file_;
  SegmentMeta meta_;
};

}  // namespace vigil::logs
