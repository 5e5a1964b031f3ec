// Invariants every log decoder keeps, checked by the fuzz targets after each input: a failed
// request leaves the batch empty, every accepted entry is counted, ids are canonical hex,
// field names are unique, every string is UTF-8 and every stream names its service. Touching
// every view also lets the sanitizers catch one that dangles.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/labels.h"
#include "ingest/logs/log_decode_result.h"
#include "ingest/logs/stream_labels.h"
#include "storage/log_record.h"

namespace vigil::fuzz_logs {

inline void Require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "log decoder invariant broken: %s\n", what);
  std::abort();
}

inline bool IsLowerHex(std::string_view s, size_t len) {
  if (s.empty()) return true;
  if (s.size() != len) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

inline void CheckBatch(const LogBatch& batch, const LogDecodeResult& result) {
  if (!result.status.ok()) {
    Require(batch.empty(), "a failed request left entries");
    return;
  }
  Require(result.rejected <= result.total, "more refused than seen");
  Require(batch.size() == result.total - result.rejected, "entries != total - rejected");
  for (const Labels& l : batch.streams()) {
    Require(!l.Get(kServiceNameLabel).empty(), "stream without service_name");
    for (const LabelView& lv : l) {
      Require(IsValidLabelName(lv.name) && IsValidUtf8(lv.value), "invalid label");
    }
  }
  for (const LogBatch::Entry& e : batch.entries()) {
    Require(e.stream < batch.streams().size(), "entry of no stream");
    Require(IsLowerHex(e.trace_id, 32) && IsLowerHex(e.span_id, 16), "non-canonical id");
    Require(IsValidUtf8(e.body) && IsValidUtf8(e.severity_text), "body not UTF-8");
    auto fields = batch.FieldsOf(e);
    for (size_t i = 0; i < fields.size(); ++i) {
      Require(!fields[i].name.empty() && IsValidUtf8(fields[i].name), "bad field name");
      Require(IsValidUtf8(fields[i].value), "field value not UTF-8");
      for (size_t j = 0; j < i; ++j) {
        Require(fields[j].name != fields[i].name, "duplicate field name");
      }
    }
  }
}

}  // namespace vigil::fuzz_logs
