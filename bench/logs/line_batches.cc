#include "bench/logs/line_batches.h"

#include <algorithm>

namespace vigil::bench {

std::vector<LineBatch> CutLineBatches(std::string_view data, int64_t batch_lines) {
  batch_lines = std::max<int64_t>(1, batch_lines);
  std::vector<LineBatch> batches;
  size_t begin = 0;
  int64_t in_batch = 0;
  for (size_t pos = 0; pos < data.size();) {
    const size_t nl = data.find('\n', pos);
    pos = nl == std::string_view::npos ? data.size() : nl + 1;
    ++in_batch;
    if (in_batch == batch_lines || pos == data.size()) {
      batches.push_back({data.substr(begin, pos - begin), in_batch});
      begin = pos;
      in_batch = 0;
    }
  }
  return batches;
}

}  // namespace vigil::bench
