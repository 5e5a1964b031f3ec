#include "storage/logs/tokenizer.h"

namespace vigil::logs {

std::vector<std::string> RequiredTokens(std::string_view needle) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < needle.size()) {
    while (i < needle.size() && !IsTokenChar(static_cast<unsigned char>(needle[i]))) ++i;
    size_t start = i;
    while (i < needle.size() && IsTokenChar(static_cast<unsigned char>(needle[i]))) ++i;
    // Whole only if bounded by separators inside the needle on both sides.
    bool left_bounded = start > 0;
    bool right_bounded = i < needle.size();
    size_t n = i - start;
    if (n > 0 && n <= kMaxTokenBytes && left_bounded && right_bounded) {
      out.emplace_back(needle.substr(start, n));
    }
  }
  return out;
}

}  // namespace vigil::logs
