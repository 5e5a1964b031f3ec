// Fuzz target for the text exposition parser: any input must parse without crashing, within
// bounded work, and every sample handed out must satisfy the parser's contract (sorted,
// unique, valid label names, UTF-8 values, no empty values).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/labels.h"
#include "ingest/exposition/parser.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckLabels(std::span<const vigil::LabelView> labels, bool with_name) {
  bool has_name = false;
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto& l = labels[i];
    if (i > 0) Check(labels[i - 1].name < l.name);
    Check(!l.value.empty());
    Check(vigil::IsValidUtf8(l.value));
    Check(vigil::IsValidLabelName(l.name));
    if (with_name && l.name == vigil::kMetricName) {
      has_name = true;
      Check(vigil::IsValidMetricName(l.value));
    }
  }
  // Exemplar labels are free-form: they may even carry a label called __name__.
  if (with_name) Check(has_name);
}

void Run(std::string_view body, vigil::ExpositionFormat format) {
  vigil::ExpositionParseOptions options;
  options.format = format;
  options.default_timestamp_ms = 42;
  options.max_errors = 8;
  vigil::ExpositionParser parser(body, options);
  uint64_t entries = 0;
  for (;;) {
    auto entry = parser.Next();
    if (entry == vigil::ExpositionParser::Entry::kEnd) break;
    ++entries;
    if (entry == vigil::ExpositionParser::Entry::kSample) {
      const auto& s = parser.sample();
      CheckLabels(s.labels, true);
      if (!s.has_timestamp) Check(s.timestamp_ms == 42);
      if (s.has_exemplar) CheckLabels(s.exemplar.labels, false);
    } else {
      const auto& m = parser.metadata();
      Check(vigil::IsValidMetricName(m.family));
      Check(vigil::IsValidUtf8(m.help));
    }
  }
  Check(parser.Next() == vigil::ExpositionParser::Entry::kEnd);
  const auto& errors = parser.errors();
  Check(errors.items.size() <= 8);
  Check(errors.items.size() <= errors.total);
  // Per line at most one entry and one error (a sample can keep its line while its exemplar
  // is dropped), plus the missing-EOF error.
  uint64_t lines = 1;
  for (char c : body) lines += c == '\n';
  Check(entries + errors.total <= 2 * lines + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  Run(body, vigil::ExpositionFormat::kAuto);
  Run(body, vigil::ExpositionFormat::kPrometheusText);
  Run(body, vigil::ExpositionFormat::kOpenMetrics);
  return 0;
}
