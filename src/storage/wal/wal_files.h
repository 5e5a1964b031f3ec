// File names and small POSIX helpers of a WAL directory.
//
// A WAL directory holds segments named by their index in eight or more decimal digits
// (`00000001`), checkpoints named `checkpoint.` plus the index of the last segment they
// cover, and, transiently, `checkpoint.NNNNNNNN.tmp` while one is being written. Other
// names are ignored, so an operator's stray file cannot break recovery.
//
// Thread-safety: pure functions and system calls; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vigil::wal {

std::string SegmentName(int index);
std::string CheckpointName(int index);
bool ParseSegmentName(std::string_view name, int* index);
bool ParseCheckpointName(std::string_view name, int* index);

struct DirListing {
  std::vector<int> segments;             // ascending
  std::vector<int> checkpoints;          // ascending
  std::vector<std::string> temporaries;  // unfinished checkpoint files
};
absl::Status ListWalDir(const std::string& dir, DirListing* out);

// Status for a failed system call, with the operation and path in the message.
absl::Status ErrnoError(int err, std::string_view op, std::string_view path);

// Writes all of `data` at `offset`, retrying short writes and EINTR.
absl::Status PwriteAll(int fd, std::string_view data, uint64_t offset, std::string_view path);
// fsync on a directory, so creations, renames and deletions in it survive a crash.
absl::Status SyncDir(int dir_fd, std::string_view dir);
// Writes zeros to [from, to) of the file, from aligned memory (see aligned_buffer.h).
absl::Status PwriteZeros(int fd, uint64_t from, uint64_t to, std::string_view path);
// Whether every byte of the file from `offset` to its end is zero.
absl::StatusOr<bool> AllZeroFrom(const std::string& path, uint64_t offset);
// Sum of the sizes of segment and checkpoint files; 0 for files that vanish meanwhile.
uint64_t WalDirBytes(const std::string& dir);

}  // namespace vigil::wal
