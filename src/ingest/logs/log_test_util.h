// Helpers for the log decoder tests: look up fields and labels of decoded entries.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/log_record.h"

namespace vigil::testing_logs {

inline std::optional<std::string> Field(const LogBatch& batch, const LogBatch::Entry& e,
                                        std::string_view name) {
  for (const LogFieldView& f : batch.FieldsOf(e)) {
    if (f.name == name) return std::string(f.value);
  }
  return std::nullopt;
}

inline std::string StreamOf(const LogBatch& batch, const LogBatch::Entry& e) {
  return batch.streams()[e.stream].ToString();
}

inline std::string Label(const LogBatch& batch, const LogBatch::Entry& e, std::string_view name) {
  return std::string(batch.streams()[e.stream].Get(name));
}

}  // namespace vigil::testing_logs
