// Fuzzes the WAL record decoders: no input may crash them, and whatever decodes must
// re-encode to something that decodes to the same entries.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "storage/metrics/wal/records.h"

namespace {

using namespace vigil::wal;  // NOLINT: a fuzz entry point, not library code

bool Same(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

void Check(bool ok) {
  if (!ok) std::abort();
}

void FuzzSeries(std::string_view in, std::string* buf) {
  std::vector<RefSeries> a, b;
  if (!DecodeSeries(in, &a).ok()) return;
  EncodeSeries(a, buf);
  Check(DecodeSeries(*buf, &b).ok() && a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) Check(a[i].ref == b[i].ref && a[i].labels == b[i].labels);
}

void FuzzSamples(std::string_view in, std::string* buf) {
  std::vector<RefSample> a, b;
  if (!DecodeSamples(in, &a).ok()) return;
  EncodeSamples(a, buf);
  Check(DecodeSamples(*buf, &b).ok() && a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    Check(a[i].ref == b[i].ref && a[i].t == b[i].t && Same(a[i].v, b[i].v));
  }
}

void FuzzExemplars(std::string_view in, std::string* buf) {
  std::vector<RefExemplar> a, b;
  if (!DecodeExemplars(in, &a).ok()) return;
  EncodeExemplars(a, buf);
  Check(DecodeExemplars(*buf, &b).ok() && a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    Check(a[i].ref == b[i].ref && a[i].t == b[i].t && Same(a[i].v, b[i].v) &&
          a[i].labels == b[i].labels);
  }
}

void FuzzTombstones(std::string_view in, std::string* buf) {
  std::vector<RefTombstone> a, b;
  if (!DecodeTombstones(in, &a).ok()) return;
  EncodeTombstones(a, buf);
  Check(DecodeTombstones(*buf, &b).ok() && a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    Check(a[i].ref == b[i].ref && a[i].mint == b[i].mint && a[i].maxt == b[i].maxt);
  }
}

void FuzzMetadata(std::string_view in, std::string* buf) {
  std::vector<RefMetadata> a, b;
  if (!DecodeMetadata(in, &a).ok()) return;
  EncodeMetadata(a, buf);
  Check(DecodeMetadata(*buf, &b).ok() && a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    Check(a[i].metric == b[i].metric && a[i].type == b[i].type && a[i].unit == b[i].unit &&
          a[i].help == b[i].help);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string buf;
  // Every decoder sees every input (most reject the type byte at once), so the fuzzer also
  // checks that a record of one type is refused by the others.
  PeekType(in);
  FuzzSeries(in, &buf);
  FuzzSamples(in, &buf);
  FuzzExemplars(in, &buf);
  FuzzTombstones(in, &buf);
  FuzzMetadata(in, &buf);
  return 0;
}
