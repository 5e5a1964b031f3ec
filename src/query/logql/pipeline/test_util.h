// Test helper: a log record and its LineState, kept alive together.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "query/logql/pipeline/line_state.h"
#include "storage/log_record.h"

namespace vigil::logql::pipeline::testing {

class TestLine {
 public:
  explicit TestLine(std::string_view body, Labels stream = Labels(),
                    std::vector<std::pair<std::string, std::string>> fields = {},
                    int64_t ts_ns = 1700000000123456789)
      : stream_(std::move(stream)), body_(body), field_storage_(std::move(fields)) {
    for (const auto& [n, v] : field_storage_) fields_.push_back(LogFieldView{n, v});
    record_.timestamp_ns = ts_ns;
    record_.body = body_;
    record_.fields = fields_;
    state_.Reset(stream_, record_);
  }
  TestLine(const TestLine&) = delete;

  LineState& state() { return state_; }
  LogRecordView& record() { return record_; }
  const Labels& stream() const { return stream_; }
  // The final labels in Prometheus notation: {a="1", b="2"}.
  std::string LabelString() { return state_.ToLabels().ToString(); }

 private:
  Labels stream_;
  std::string body_;
  std::vector<std::pair<std::string, std::string>> field_storage_;
  std::vector<LogFieldView> fields_;
  LogRecordView record_;
  LineState state_;
};

}  // namespace vigil::logql::pipeline::testing
