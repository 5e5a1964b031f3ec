// Fuzzes query-string parsing, percent-decoding and URL splitting: none may crash, and what
// ParseQueryString accepts must survive an encode/parse round trip unchanged.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  vigil::ParamList params;
  if (vigil::ParseQueryString(in, &params).ok()) {
    vigil::ParamList again;
    if (!vigil::ParseQueryString(vigil::EncodeQueryString(params), &again).ok() ||
        again != params) {
      std::abort();
    }
  }
  for (bool plus : {false, true}) {
    auto decoded = vigil::PercentDecode(in, plus);
    if (decoded.ok()) {
      if (decoded->size() > in.size()) std::abort();
      auto round = vigil::PercentDecode(vigil::UrlEncode(*decoded), plus);
      if (!round.ok() || *round != *decoded) std::abort();
    }
  }
  (void)vigil::ParseHttpUrl(in);
  return 0;
}
