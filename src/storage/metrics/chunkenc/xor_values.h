// The value half of Gorilla XOR coding, shared by XOR chunks (xor_chunk.h) and the XOR value
// section of dense chunks (dense_chunk.h): each value's bits are XORed with the previous
// value's and the meaningful bits are written inside a leading/trailing-zero window. The bit
// layout is in docs/formats/chunk.md.
//
// Thread-safety: stateless functions over caller-owned streams and state.
#pragma once

#include <bit>
#include <cstdint>

#include "storage/metrics/chunkenc/bstream.h"

namespace vigil::chunkenc {

// The window state carried from value to value; leading == kNoWindow before the first window.
struct XorWindow {
  static constexpr uint8_t kNoWindow = 0xff;
  uint8_t leading = kNoWindow;
  uint8_t trailing = 0;
};

// Writes `vbits` given the previous value's bits (not for the first value, which is raw).
inline void WriteXorValue(BitWriter* w, uint64_t vbits, uint64_t prev, XorWindow* win) {
  const uint64_t x = vbits ^ prev;
  if (x == 0) {
    w->WriteBit(false);
    return;
  }
  int leading = std::countl_zero(x);
  const int trailing = std::countr_zero(x);
  if (leading >= 32) leading = 31;  // the leading count has 5 bits
  if (win->leading != XorWindow::kNoWindow && leading >= win->leading &&
      trailing >= win->trailing) {
    // The meaningful bits fit the previous window: '10' + the window.
    w->WriteBits(0b10, 2);
    w->WriteBits(x >> win->trailing, 64 - win->leading - win->trailing);
    return;
  }
  win->leading = static_cast<uint8_t>(leading);
  win->trailing = static_cast<uint8_t>(trailing);
  const int sig = 64 - leading - trailing;  // 1..64; 64 is written as 0
  w->WriteBits((uint64_t{0b11} << 11) | (static_cast<uint64_t>(leading) << 6) |
                   static_cast<uint64_t>(sig & 63),
               13);
  w->WriteBits(x >> trailing, sig);
}

// Reads the next value into *vbits (which holds the previous value's bits on entry). On
// failure returns false and sets *error to a static description.
inline bool ReadXorValue(BitReader* r, uint64_t* vbits, XorWindow* win, const char** error) {
  bool bit;
  if (!r->ReadBit(&bit)) {
    *error = "truncated value";
    return false;
  }
  if (!bit) return true;  // same value as before
  if (!r->ReadBit(&bit)) {
    *error = "truncated value";
    return false;
  }
  if (bit) {
    uint64_t lead, sig;
    if (!r->ReadBits(5, &lead) || !r->ReadBits(6, &sig)) {
      *error = "truncated value";
      return false;
    }
    if (sig == 0) sig = 64;
    if (lead + sig > 64) {
      *error = "bad value window";
      return false;
    }
    win->leading = static_cast<uint8_t>(lead);
    win->trailing = static_cast<uint8_t>(64 - lead - sig);
  } else if (win->leading == XorWindow::kNoWindow) {
    *error = "value reuses a window before one was set";
    return false;
  }
  const int sig = 64 - win->leading - win->trailing;
  uint64_t bits;
  if (!r->ReadBits(sig, &bits)) {
    *error = "truncated value";
    return false;
  }
  *vbits ^= bits << win->trailing;
  return true;
}

}  // namespace vigil::chunkenc
