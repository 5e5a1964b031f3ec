// A pull parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0 text.
//
// Contract:
// - The body is split into lines on '\n' and parsed one line at a time. A bad line yields a
//   specific error naming its 1-based line number ("line 3: expected label name, got \"}\"")
//   and is skipped; parsing goes on with the next line, so the valid part of a body is kept.
//   Errors are kept up to ParseOptions::max_errors; the rest are only counted.
// - Each sample comes with its labels sorted by name, `__name__` included; a label with an
//   empty value is left out (Prometheus treats it as absent). Duplicate label names, invalid
//   names, invalid UTF-8, bad escapes and bad numbers are line errors.
// - Samples without a timestamp get ParseOptions::default_timestamp_ms (has_timestamp says
//   which). Text 0.0.4 timestamps are integer milliseconds; OpenMetrics timestamps (and all
//   exemplar timestamps) are float seconds, converted to milliseconds.
// - Exemplars (`value # {trace_id="abc"} 0.67 1700000000.123`) are accepted in both formats.
//   An exemplar whose label names and values exceed 128 characters (OpenMetrics' limit) is
//   dropped with an error while its sample is kept.
// - Each sample is attributed to the family of the preceding TYPE line when its name is
//   the family name plus a suffix the type allows (see BelongsToFamily); otherwise its family
//   is its own name, of unknown type.
// - Both formats accept runs of blanks (space, tab) between tokens and before a line; the
//   0.0.4 format also accepts a trailing comma in a label set and CRLF line ends. Blank
//   lines are skipped. OpenMetrics rejects `#` lines other than HELP, TYPE, UNIT and EOF.
// - OpenMetrics requires a final `# EOF`: a missing one is an error (the samples are kept);
//   content after it is an error and is not parsed.
// - Work is linear in the body; memory is the label vectors plus a scratch buffer no larger
//   than the longest line, both reused from line to line. Nothing is allocated per sample
//   once they have grown.
//
// Views handed out (labels, names, help text) point into the body or into the parser's
// scratch buffer and stay valid until the next call to Next(). The body must outlive the
// parser.
//
// Thread-safety: a parser is used by one thread at a time; distinct parsers are independent.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "ingest/exposition/format.h"
#include "storage/sample.h"

namespace vigil {

struct ExpositionParseOptions {
  ExpositionFormat format = ExpositionFormat::kAuto;
  // Consulted when format is kAuto (the request's or response's Content-Type header).
  std::string_view content_type;
  int64_t default_timestamp_ms = 0;
  size_t max_errors = 64;
};

struct ExpositionError {
  uint64_t line = 0;    // 1-based
  std::string message;  // "line 3: …"
};

struct ExpositionErrors {
  std::vector<ExpositionError> items;  // the first max_errors errors
  uint64_t total = 0;                  // all errors, including those not kept

  bool empty() const { return total == 0; }
  // The kept messages joined by "; ", with "(and N more errors)" when some were dropped.
  std::string Summary() const;
};

struct ExemplarView {
  std::span<const LabelView> labels;  // sorted by name
  double value = 0;
  int64_t timestamp_ms = 0;
  bool has_timestamp = false;
};

struct SampleView {
  std::span<const LabelView> labels;  // sorted by name, includes __name__
  std::string_view metric_name;
  std::string_view family;  // the metric family (see the contract above)
  MetricType type = MetricType::kUnknown;
  double value = 0;
  int64_t timestamp_ms = 0;
  bool has_timestamp = false;
  bool has_exemplar = false;
  ExemplarView exemplar;  // meaningful when has_exemplar
  uint64_t line = 0;
};

struct MetadataView {
  enum class Kind : uint8_t { kHelp, kType, kUnit };
  Kind kind = Kind::kHelp;
  std::string_view family;
  std::string_view help;                   // kHelp: unescaped text
  MetricType type = MetricType::kUnknown;  // kType
  std::string_view unit;                   // kUnit
  uint64_t line = 0;
};

// Copies an exemplar view into the storage value type.
Exemplar ToExemplar(const ExemplarView& view);

class ExpositionParser {
 public:
  enum class Entry : uint8_t { kSample, kMetadata, kEnd };

  ExpositionParser(std::string_view body, const ExpositionParseOptions& options);

  // Moves to the next sample or metadata line, recording and skipping bad lines. After kEnd
  // every further call returns kEnd.
  Entry Next();

  const SampleView& sample() const { return sample_; }
  const MetadataView& metadata() const { return metadata_; }
  const ExpositionErrors& errors() const { return errors_; }
  ExpositionFormat format() const { return format_; }

 private:
  // Each returns false after recording an error for the current line.
  bool ParseLine(std::string_view line, Entry* entry);
  bool ParseComment(std::string_view line, Entry* entry);
  bool ParseSample(std::string_view line);
  bool ParseLabels(std::string_view line, size_t* pos, std::vector<LabelView>* out,
                   std::string_view what);
  bool ParseQuoted(std::string_view line, size_t* pos, std::string_view label,
                   std::string_view what, std::string_view* out);
  bool ParseExemplar(std::string_view line, size_t pos);
  bool SortAndCheck(std::vector<LabelView>* labels, std::string_view what);
  void AttributeFamily();
  void EndOfBody();

  bool Fail(std::string_view message);
  // Copies unescaped bytes into the scratch buffer, which was sized for the line.
  char* ScratchAlloc(size_t n);

  std::string_view body_;
  ExpositionFormat format_;
  size_t max_errors_;
  int64_t default_timestamp_ms_;

  size_t pos_ = 0;
  uint64_t line_no_ = 0;
  bool done_ = false;
  bool eof_seen_ = false;

  std::string_view family_;
  MetricType family_type_ = MetricType::kUnknown;

  std::string scratch_;
  size_t scratch_used_ = 0;
  std::vector<LabelView> labels_;
  std::vector<LabelView> exemplar_labels_;

  SampleView sample_;
  MetadataView metadata_;
  ExpositionErrors errors_;
};

// Runs a parser over `body`, calling on_sample(const SampleView&) and
// on_metadata(const MetadataView&) for each entry, and returns the errors.
template <typename OnSample, typename OnMetadata>
ExpositionErrors ParseExposition(std::string_view body, const ExpositionParseOptions& options,
                                 OnSample&& on_sample, OnMetadata&& on_metadata) {
  ExpositionParser parser(body, options);
  for (;;) {
    switch (parser.Next()) {
      case ExpositionParser::Entry::kSample:
        on_sample(parser.sample());
        break;
      case ExpositionParser::Entry::kMetadata:
        on_metadata(parser.metadata());
        break;
      case ExpositionParser::Entry::kEnd:
        return parser.errors();
    }
  }
}

}  // namespace vigil
