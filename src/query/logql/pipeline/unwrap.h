// `| unwrap label`, `| unwrap duration(label)` (or duration_seconds), `| unwrap bytes(label)`:
// the sample value of a metric query over log lines, read from a label.
//
// As in Loki: a line without the label (or with an empty value) gives no sample and no
// error; a value that does not convert gives a sample of 0 with
// `__error__=SampleExtractionErr` (post-unwrap filters such as `| __error__=""` can drop
// it); and the unwrapped label is removed from the sample's labels (Pipeline does that).
// Conversions: plain = Go's ParseFloat, duration = Go's ParseDuration in seconds, bytes =
// go-humanize's ParseBytes.
//
// Thread-safety: immutable; Extract may run concurrently on different LineStates.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "query/logql/pipeline/line_state.h"

namespace vigil::logql::pipeline {

enum class UnwrapConversion { kFloat, kDuration, kBytes };

class Unwrap {
 public:
  static absl::StatusOr<Unwrap> Make(std::string_view label, UnwrapConversion conversion);

  // False when the line yields no sample; otherwise *value is set (0 on a conversion error).
  bool Extract(LineState& state, double* value) const;
  const std::string& label() const { return label_; }

 private:
  std::string label_;
  UnwrapConversion conversion_ = UnwrapConversion::kFloat;
};

}  // namespace vigil::logql::pipeline
