#include "query/logql/pipeline/pipeline.h"

namespace vigil::logql::pipeline {

void Pipeline::SetUnwrap(Unwrap unwrap, std::vector<Stage> post_stages) {
  unwrap_ = std::move(unwrap);
  post_stages_ = std::move(post_stages);
}

bool Pipeline::Run(const std::vector<Stage>& stages, LineState& state) {
  for (const Stage& stage : stages) {
    const bool keep = std::visit([&state](const auto& s) { return s.Process(state); }, stage);
    if (!keep) return false;
  }
  return true;
}

bool Pipeline::Process(const Labels& stream, const LogRecordView& record, LineState& state) const {
  state.Reset(stream, record);
  return Run(stages_, state);
}

bool Pipeline::ProcessSample(const Labels& stream, const LogRecordView& record, LineState& state,
                             double* value) const {
  *value = 0;
  if (!Process(stream, record, state)) return false;
  if (!unwrap_) return true;
  if (!unwrap_->Extract(state, value)) return false;
  if (!Run(post_stages_, state)) return false;
  state.Del(unwrap_->label());
  return true;
}

}  // namespace vigil::logql::pipeline
