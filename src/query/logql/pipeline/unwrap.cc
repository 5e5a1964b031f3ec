#include "query/logql/pipeline/unwrap.h"

#include "common/strings.h"
#include "query/logql/pipeline/value_parse.h"

namespace vigil::logql::pipeline {

absl::StatusOr<Unwrap> Unwrap::Make(std::string_view label, UnwrapConversion conversion) {
  if (!IsValidLabelName(label)) {
    return absl::InvalidArgumentError(StrCat("invalid unwrap label name ", QuoteString(label)));
  }
  Unwrap u;
  u.label_ = std::string(label);
  u.conversion_ = conversion;
  return u;
}

bool Unwrap::Extract(LineState& state, double* value) const {
  const std::string_view v = state.Get(label_);
  if (v.empty()) return false;  // lines without the label are simply not samples
  std::string err;
  bool ok = false;
  switch (conversion_) {
    case UnwrapConversion::kFloat:
      ok = ParseGoFloatValue(v, value, &err);
      break;
    case UnwrapConversion::kDuration: {
      int64_t ns = 0;
      ok = ParseGoDuration(v, &ns, &err);
      // Go's Duration.Seconds(): whole seconds plus the fraction, keeping precision.
      *value = static_cast<double>(ns / 1000000000) + static_cast<double>(ns % 1000000000) / 1e9;
      break;
    }
    case UnwrapConversion::kBytes: {
      uint64_t b = 0;
      ok = ParseHumanBytes(v, &b, &err);
      *value = static_cast<double>(b);
      break;
    }
  }
  if (!ok) {
    *value = 0;
    state.SetError(kSampleExtractionErr, err);
  }
  return true;
}

}  // namespace vigil::logql::pipeline
