// meta.json of a block: its id, time range, statistics and compaction lineage. The JSON
// field names follow Prometheus' meta.json so operators recognise them.
//
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::block {

inline constexpr int kMetaVersion = 1;
inline constexpr int64_t kUnsetTime = std::numeric_limits<int64_t>::min();

struct BlockStats {
  uint64_t num_series = 0;
  uint64_t num_samples = 0;
  uint64_t num_chunks = 0;
  friend bool operator==(const BlockStats&, const BlockStats&) = default;
};

struct BlockMeta {
  std::string id;  // a ULID, also the directory name
  // The block covers [min_time, max_time): min_time inclusive, max_time EXCLUSIVE, as in
  // Prometheus. WriteBlock fills unset (kUnsetTime) bounds from the chunks it writes.
  int64_t min_time = kUnsetTime;
  int64_t max_time = kUnsetTime;
  BlockStats stats;  // filled in by WriteBlock
  int compaction_level = 1;
  std::vector<std::string> sources;  // ids of the level-1 blocks merged into this one
  std::vector<std::string> parents;  // ids of the blocks compacted directly into this one
  int version = kMetaVersion;
  friend bool operator==(const BlockMeta&, const BlockMeta&) = default;
};

std::string EncodeBlockMeta(const BlockMeta& meta);
// Parses and validates (id well-formed, min_time < max_time unless the block is empty).
absl::StatusOr<BlockMeta> ParseBlockMeta(std::string_view json);

}  // namespace vigil::block
