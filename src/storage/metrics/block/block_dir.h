// Managing the blocks of a data folder: listing them, deleting one so that a crash midway
// never leaves a half-deleted block that still looks valid, and removing leftovers of
// interrupted writes and deletions.
//
// Thread-safety: the functions are reentrant; callers serialize changes to one folder.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vigil::block {

// Ids of the block folders (named by a valid ULID) directly under `parent_dir`, ascending
// (which is creation order). A missing `parent_dir` gives an empty list.
absl::StatusOr<std::vector<std::string>> ListBlockIds(const std::string& parent_dir);

// Renames `<parent>/<id>` to `<parent>/<id>.tmp-delete` (atomic, fsynced), then removes it.
absl::Status DeleteBlock(const std::string& parent_dir, const std::string& id);

// Removes `*.tmp` and `*.tmp-delete` folders left by interrupted writes and deletions. Call at
// startup, before opening blocks.
absl::Status RemoveStaleTmpDirs(const std::string& parent_dir);

}  // namespace vigil::block
