// Reading an immutable on-disk block (docs/formats/block.md). The index and chunk segment
// files are memory-mapped and owned by the Block; chunk spans stay valid while it lives.
//
// Open validates meta.json, every index section checksum and all fixed-size tables, so the
// label name/value listings cannot fail afterwards. Variable-length records (series entries,
// postings lists, chunk records) are bounds-checked when read and their failures come back
// as DataLoss; chunk records are checksummed on every access. A corrupt block never crashes
// the reader. (A file truncated by another process *after* Open can still raise SIGBUS on
// access through the mapping; blocks are immutable, so nothing of ours does that.)
//
// Series are numbered 0..NumSeries()-1 in ascending label order, so postings are sorted ids.
//
// Thread-safety: immutable after Open; every method may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "storage/matcher.h"
#include "storage/metrics/block/block_meta.h"
#include "common/file_util.h"
#include "storage/metrics/chunkenc/chunk.h"

namespace vigil::block {

// Where a chunk lives and which samples it covers (both bounds inclusive).
struct ChunkMeta {
  int64_t mint = 0;
  int64_t maxt = 0;
  uint64_t ref = 0;
  friend bool operator==(const ChunkMeta&, const ChunkMeta&) = default;
};

struct BlockOpenOptions {
  // Off only for fuzzing the structural checks, which checksums would otherwise shield.
  bool verify_checksums = true;
};

class Block {
 public:
  static absl::StatusOr<std::unique_ptr<Block>> Open(const std::string& dir,
                                                     const BlockOpenOptions& options = {});
  ~Block();
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  const BlockMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  uint32_t NumSeries() const { return num_series_; }
  // Total bytes of the index and chunk files.
  uint64_t SizeBytes() const;

  // Sorted label names, and the sorted values of one name (empty when the name is absent).
  std::vector<std::string> LabelNames() const;
  std::vector<std::string> LabelValues(std::string_view name) const;

  // Sorted ids of the series with label name=value (empty when there are none).
  absl::StatusOr<std::vector<uint32_t>> Postings(std::string_view name,
                                                 std::string_view value) const;
  // Appends those ids to *out (which then needs sorting if it was not empty).
  absl::Status AppendPostings(std::string_view name, std::string_view value,
                              std::vector<uint32_t>* out) const;
  // 0..NumSeries()-1.
  std::vector<uint32_t> AllPostings() const;
  // Sorted ids of the series that all matchers select, with PromQL semantics (an absent label
  // matches as ""). An empty matcher list selects every series. Resolved by the shared
  // algorithm in index/postings.h over this block's index.
  absl::StatusOr<std::vector<uint32_t>> PostingsForMatchers(const Matchers& matchers) const;
  // Appends the ids of series whose label `name` has a value that `accept`s (then sorted
  // and de-duplicated), scanning the name's value table in place.
  absl::Status AppendPostingsWhere(std::string_view name,
                                   const std::function<bool(std::string_view)>& accept,
                                   std::vector<uint32_t>* out) const;

  absl::StatusOr<Labels> SeriesLabels(uint32_t id) const;
  absl::StatusOr<std::vector<ChunkMeta>> SeriesChunks(uint32_t id) const;
  // Both at once, reusing the caller's containers (either may be null).
  absl::Status Series(uint32_t id, Labels* labels, std::vector<ChunkMeta>* chunks) const;

  // A chunk's encoding and encoded bytes (pointing into the mapped segment file); decode it
  // with chunkenc::DecodeChunk. Verifies the record's checksum and bounds, and that the
  // encoding is one this build knows (XOR or dense).
  absl::StatusOr<chunkenc::ChunkView> Chunk(uint64_t ref) const;

 private:
  Block() = default;
  absl::Status OpenIndex();
  absl::Status OpenChunks();
  absl::Status Corrupt(std::string_view what) const;
  // Symbol ref of `s`, or -1.
  int64_t FindSymbol(std::string_view s) const;
  // Index into the postings table of (name ref, value ref), or -1.
  int64_t FindPostingsEntry(uint32_t name, uint32_t value) const;
  // [first, first+count) entries of the postings table for a name ref; count 0 if absent.
  void NameRange(uint32_t name, uint32_t* first, uint32_t* count) const;
  absl::Status AppendPostingsAt(uint32_t entry, std::vector<uint32_t>* out) const;

  std::string dir_;
  BlockMeta meta_;
  std::unique_ptr<MappedFile> index_;
  std::vector<std::unique_ptr<MappedFile>> segments_;  // segments_[i] is file i+1
  std::vector<std::string_view> symbols_;              // into the index mapping
  std::span<const uint8_t> series_;
  std::span<const uint8_t> series_offsets_;
  std::span<const uint8_t> postings_;
  std::span<const uint8_t> postings_table_;
  std::span<const uint8_t> label_names_;
  uint32_t num_series_ = 0;
  bool verify_ = true;
};

}  // namespace vigil::block
