// Hash containers keyed by std::string_view.
//
// Debian's Abseil is built with its own absl::string_view, so absl::Hash has no overload for
// std::string_view and falls back to std::hash, a byte-at-a-time-mixing hash several times
// slower than Abseil's. In the segment writers' dictionaries that fallback was a visible
// share of the cut. These aliases hash the same bytes through absl::string_view instead.
#pragma once

#include <cstddef>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "common/strings.h"

namespace vigil {

struct StringViewHash {
  size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>{}(ToAbsl(s));
  }
};

template <typename V>
using StringViewMap = absl::flat_hash_map<std::string_view, V, StringViewHash>;
using StringViewSet = absl::flat_hash_set<std::string_view, StringViewHash>;

}  // namespace vigil
