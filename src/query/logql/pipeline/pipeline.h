// A LogQL log pipeline: the ordered stages after a stream selector, run line by line.
//
//   Pipeline p;
//   p.Add(*LineFilter::Make(LineFilterOp::kContains, {"error"}));
//   p.Add(JsonParser());
//   p.Add(LabelFilter::Numeric("status", CompareOp::kGe, 500));
//   LineState state;                      // one per thread, reused for every line
//   if (p.Process(stream, record, state)) emit(state.line(), state.ToLabels());
//
// Stages are a closed set held in a std::variant, so running one is a switch, not a virtual
// call. For metric queries over a label (`| unwrap x`), SetUnwrap adds the extraction and the
// stages after it (Loki allows only label filters there), and ProcessSample yields the value.
//
// Thread-safety: immutable once built; Process/ProcessSample may run concurrently, each
// thread with its own LineState.
#pragma once

#include <optional>
#include <variant>
#include <vector>

#include "common/labels.h"
#include "query/logql/pipeline/drop_keep.h"
#include "query/logql/pipeline/json_parser.h"
#include "query/logql/pipeline/label_filter.h"
#include "query/logql/pipeline/line_filter.h"
#include "query/logql/pipeline/line_format.h"
#include "query/logql/pipeline/line_state.h"
#include "query/logql/pipeline/logfmt_parser.h"
#include "query/logql/pipeline/pattern.h"
#include "query/logql/pipeline/regexp_parser.h"
#include "query/logql/pipeline/unwrap.h"
#include "storage/log_record.h"

namespace vigil::logql::pipeline {

using Stage =
    std::variant<LineFilter, JsonParser, UnpackParser, LogfmtParser, RegexpParser, PatternParser,
                 Decolorize, LabelFilter, LineFormat, LabelFormat, DropLabels, KeepLabels>;

class Pipeline {
 public:
  Pipeline() = default;
  explicit Pipeline(std::vector<Stage> stages) : stages_(std::move(stages)) {}

  void Add(Stage stage) { stages_.push_back(std::move(stage)); }
  void SetUnwrap(Unwrap unwrap, std::vector<Stage> post_stages = {});

  size_t size() const { return stages_.size(); }
  bool empty() const { return stages_.empty() && !unwrap_; }
  bool has_unwrap() const { return unwrap_.has_value(); }

  // Resets `state` to the record and runs the stages; false when a stage drops the line.
  // Afterwards state.line() is the (possibly rewritten) line and state.ToLabels() its labels.
  bool Process(const Labels& stream, const LogRecordView& record, LineState& state) const;

  // For `| unwrap`: Process, then the extraction and the post-unwrap stages, then removes
  // the unwrapped label. False when the line is dropped or yields no sample. Without an
  // unwrap, behaves as Process and sets *value to 0.
  bool ProcessSample(const Labels& stream, const LogRecordView& record, LineState& state,
                     double* value) const;

 private:
  static bool Run(const std::vector<Stage>& stages, LineState& state);

  std::vector<Stage> stages_;
  std::optional<Unwrap> unwrap_;
  std::vector<Stage> post_stages_;
};

}  // namespace vigil::logql::pipeline
