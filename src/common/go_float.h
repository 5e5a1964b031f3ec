// Go's strconv.ParseFloat(s, 64), the number syntax Prometheus accepts everywhere (text
// exposition, `le` bucket bounds, API parameters): decimal and hexadecimal (`0x1.8p3`,
// exponent required) literals, `_` between digits, an optional sign, case-insensitive
// "Inf"/"Infinity" (signed or not) and "NaN" (unsigned only). Values too large for a double
// are refused as Go refuses them (ErrRange); values too small round to zero as in Go. NaN
// comes back as the ordinary quiet NaN, never as Prometheus' staleness marker.
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>

namespace vigil {

bool ParseGoFloat(std::string_view s, double* out);

}  // namespace vigil
