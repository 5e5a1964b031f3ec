// Owned storage for strings that views elsewhere point at: a decoder that has to unescape or
// render a value copies the result here once, and hands out a view that stays valid for the
// arena's lifetime.
//
// Thread-safety: one thread at a time.
#pragma once

#include <deque>
#include <string>
#include <string_view>

namespace vigil {

class StringArena {
 public:
  // Copies `s`; the returned view stays valid until the arena is destroyed or cleared.
  std::string_view Copy(std::string_view s) { return strings_.emplace_back(s); }
  void Clear() { strings_.clear(); }

 private:
  std::deque<std::string> strings_;  // deque: growing it never moves earlier strings
};

}  // namespace vigil
