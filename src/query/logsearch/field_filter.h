// A filter of the structured search API: `name op value`, parsed from text such as
// `error_code=PAYMENT_DECLINED`, `duration_ms>200`, `service!=auth`, `route=~"/api/.*"`.
//
// Operators: = != (string equality), =~ !~ (RE2, fully anchored as in label matchers),
// > >= < <= (numeric: both sides parsed as numbers, a value that is no number fails the
// filter). The value may be double-quoted (Go escapes). Names resolve as FieldValue does
// (record_fields.h).
//
// Thread-safety: immutable after Parse; Matches may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "re2/re2.h"
#include "storage/log_record.h"

namespace vigil::logsearch {

class FieldFilter {
 public:
  enum class Op { kEq, kNe, kRe, kNotRe, kGt, kGe, kLt, kLe };

  static absl::StatusOr<FieldFilter> Parse(std::string_view text);

  bool Matches(const Labels& stream, const LogRecordView& r, std::string* scratch) const;

  const std::string& name() const { return name_; }
  Op op() const { return op_; }
  const std::string& value() const { return value_; }

 private:
  std::string name_;
  Op op_ = Op::kEq;
  std::string value_;
  double number_ = 0;
  std::shared_ptr<const RE2> re_;
};

}  // namespace vigil::logsearch
