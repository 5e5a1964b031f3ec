// LineState: one log line travelling through a LogQL pipeline — its text, its timestamp and a
// mutable label set — plus the per-thread scratch the stages need (padded JSON buffer, regex
// groups, template evaluation), so that stages themselves stay immutable and allocation-free
// once the buffers have warmed up.
//
// Labels follow Loki's rules:
//   * the set starts as the stream labels plus the record's structured metadata (its fields,
//     and trace_id/span_id when LineStateOptions says so); a metadata name that clashes with a
//     stream label gets the suffix `_extracted`;
//   * parsers name extracted labels with ExtractedLabelName: sanitized as Loki sanitizes keys,
//     and suffixed `_extracted` when the original stream labels have that name;
//   * a parsed label replaces structured metadata of the same name (Loki's precedence is
//     parsed > structured metadata > stream);
//   * `__error__` and `__error_details__` live outside the set (SetError) and appear in the
//     output only when non-empty.
// Labels are materialised lazily on first access, so a pipeline of line filters alone never
// touches them.
//
// Views returned by label accessors stay valid until that label is changed or the next Reset.
// The `stream` and `record` passed to Reset must outlive the processing of that line.
//
// Thread-safety: not thread-safe; use one LineState per thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "re2/re2.h"
#include "storage/log_record.h"

namespace vigil::logql::pipeline {

inline constexpr std::string_view kErrorLabel = "__error__";
inline constexpr std::string_view kErrorDetailsLabel = "__error_details__";
inline constexpr std::string_view kExtractedSuffix = "_extracted";

// Values of `__error__`, spelled as Loki spells them.
inline constexpr std::string_view kJsonParserErr = "JSONParserErr";
inline constexpr std::string_view kLogfmtParserErr = "LogfmtParserErr";
inline constexpr std::string_view kSampleExtractionErr = "SampleExtractionErr";
inline constexpr std::string_view kLabelFilterErr = "LabelFilterErr";
inline constexpr std::string_view kTemplateFormatErr = "TemplateFormatErr";

enum class LabelCategory : uint8_t { kStream, kMetadata, kParsed };

// Appends `key` made into a label name as Loki's parsers do: surrounding whitespace trimmed,
// every character (a UTF-8 sequence counts as one) outside [a-zA-Z0-9_] replaced by `_`, and
// a `_` prepended when `*out` is empty and the key starts with a digit (so appending the parts
// of a flattened JSON key prefixes only the first). Appends nothing for a blank key.
void AppendSanitizedLabelName(std::string_view key, std::string* out);

struct LineStateOptions {
  // Expose the record's trace_id and span_id as structured metadata (Loki's OTLP ingestion
  // stores them that way), unless a field of the same name exists.
  bool trace_context_as_metadata = true;
};

class JsonScratch;
class TemplateScratch;

class LineState {
 public:
  explicit LineState(LineStateOptions options = {});
  ~LineState();
  LineState(const LineState&) = delete;
  LineState& operator=(const LineState&) = delete;

  // Starts a new line: the record's body becomes the line, labels are reset to the stream's
  // and the record's metadata, the error is cleared. Buffers are kept for reuse.
  void Reset(const Labels& stream, const LogRecordView& record);

  // ---- The line.
  std::string_view line() const { return line_; }
  int64_t timestamp_ns() const { return record_ != nullptr ? record_->timestamp_ns : 0; }
  const LogRecordView* record() const { return record_; }
  // Replaces the line by a copy of `text`; `text` may point into the current line.
  void SetLine(std::string_view text);
  // A cleared buffer that does not alias line(): build the new line there, then call
  // CommitLineBuffer(). Lets a formatter read line() while writing its replacement.
  std::string* LineBuffer();
  void CommitLineBuffer();

  // ---- Labels (stream, structured metadata, extracted), without the error labels unless
  // noted.
  // Finds `name`; `__error__` and `__error_details__` read the error when set.
  bool Lookup(std::string_view name, std::string_view* value);
  // The value of `name`, "" when absent.
  std::string_view Get(std::string_view name);
  // Sets `name`, following Loki's category precedence. An empty name is ignored; setting
  // `__error__` or `__error_details__` sets the error instead. `value` may alias a label.
  void Set(std::string_view name, std::string_view value,
           LabelCategory category = LabelCategory::kParsed);
  // Removes `name` (no-op when absent).
  void Del(std::string_view name);
  // Whether the original stream labels of this line contain `name` (Loki's BaseHas).
  bool StreamHas(std::string_view name);
  // The name a parser gives to key `key`: AppendSanitizedLabelName, plus `_extracted` when
  // the stream has it. Returns a view of an internal buffer valid until the next call.
  std::string_view ExtractedLabelName(std::string_view key);
  // Same, for a name built by the caller (already sanitized).
  std::string_view ExtractedLabelNameFor(std::string_view sanitized);

  // Number of label slots, for iteration with LabelAt; deleted slots report false.
  size_t LabelSlots();
  bool LabelAt(size_t i, std::string_view* name, std::string_view* value,
               LabelCategory* category = nullptr);

  // ---- Errors.
  void SetError(std::string_view error, std::string_view details = {});
  bool HasError() const { return !error_.empty(); }
  std::string_view error() const { return error_; }
  std::string_view error_details() const { return error_details_; }
  void ClearError() { error_.clear(); }
  void ClearErrorDetails() { error_details_.clear(); }

  // ---- Output: the current labels plus non-empty error labels, sorted by name.
  void SortedLabelViews(std::vector<LabelView>* out);
  Labels ToLabels();

  // ---- Scratch space for stages (created on first use).
  JsonScratch& json_scratch();
  TemplateScratch& template_scratch();
  std::vector<re2::StringPiece>& regex_groups() { return regex_groups_; }
  std::vector<std::string_view>& view_scratch() { return view_scratch_; }
  std::string& scratch_string() { return scratch_; }

 private:
  struct Slot {
    std::string name;
    std::string value;
    LabelCategory category = LabelCategory::kParsed;
    bool live = false;
  };

  void EnsureLabels() {
    if (!labels_loaded_) LoadLabels();
  }
  void LoadLabels();
  Slot* Find(std::string_view name);
  Slot& NewSlot();
  // Large label sets (a JSON line with thousands of fields) get a hash index so that each
  // Set stays O(1); small ones are scanned, which is faster for them.
  void IndexSlot(uint32_t slot);
  void RebuildIndex(size_t capacity);

  LineStateOptions options_;
  const Labels* stream_ = nullptr;
  const LogRecordView* record_ = nullptr;
  std::string_view line_;
  std::string line_bufs_[2];
  int current_buf_ = 0;

  bool labels_loaded_ = false;
  std::deque<Slot> slots_;  // deque: growing it never moves a slot, so views stay valid
  size_t used_slots_ = 0;
  std::vector<uint32_t> index_;  // open addressing: slot + 1, 0 for empty
  bool indexed_ = false;
  std::vector<std::string_view> stream_names_;  // into *stream_

  std::string error_;
  std::string error_details_;

  std::string name_buf_;
  std::string scratch_;
  std::vector<re2::StringPiece> regex_groups_;
  std::vector<std::string_view> view_scratch_;
  std::vector<LabelView> views_;
  std::unique_ptr<JsonScratch> json_;
  std::unique_ptr<TemplateScratch> template_;
};

}  // namespace vigil::logql::pipeline
