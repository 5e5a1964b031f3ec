// The log store's WAL record: one appended batch (format: docs/formats/log_segment.md, "WAL
// record"). Stream labels travel with every record, so replay needs no other state.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "storage/log_record.h"

namespace vigil::logs {

// Appends the record holding `batch`'s entries listed in `entries` (indexes into
// batch.entries()) to `out`. With `offsets`, also gives where each entry starts in `out`
// (the log head reads rows straight from the record).
void EncodeWalRecord(const LogBatch& batch, std::span<const uint32_t> entries, std::string* out,
                     std::vector<uint32_t>* offsets = nullptr);

// Decodes a record into `batch` (which must be empty); strings are views into `record`.
absl::Status DecodeWalRecord(std::string_view record, LogBatch* batch);

}  // namespace vigil::logs
