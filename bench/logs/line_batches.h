// Cuts a buffer of newline-terminated lines into request bodies of at most N lines, without
// copying: each batch is a view into the buffer and ends just after a newline (or at the end
// of the buffer, so a last line without a newline still counts).
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace vigil::bench {

struct LineBatch {
  std::string_view body;
  int64_t lines = 0;
};

// `batch_lines` < 1 is treated as 1. Empty data gives no batch.
std::vector<LineBatch> CutLineBatches(std::string_view data, int64_t batch_lines);

}  // namespace vigil::bench
