// The `logfmt` parser stage and its decoder.
//
//   | logfmt                          every key=value pair becomes a label
//   | logfmt --strict --keep-empty    flags as in Loki
//   | logfmt dst="key", key2          only the named keys (renamed to the label given)
//
// Keys are sanitized (line_state.h) and get `_extracted` on a clash with a stream label.
// Values may be bare or double-quoted with JSON-style escapes. A bare key (`flag`) or an
// empty value (`a=`) yields no label unless --keep-empty. Without --strict malformed pairs are
// skipped silently; with it, parsing stops at the first error and sets
// `__error__=LogfmtParserErr` (keeping the labels found before it).
//
// Thread-safety: LogfmtParser is immutable and may run concurrently on different
// LineStates; a LogfmtDecoder is used by one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/pipeline/line_state.h"

namespace vigil::logql::pipeline {

// Decodes key/value pairs the way Loki's logfmt decoder (go-logfmt) does.
class LogfmtDecoder {
 public:
  // `buf` holds unescaped quoted values; both must outlive the decoder's results.
  LogfmtDecoder(std::string_view line, std::string* buf) : line_(line), buf_(buf) {}

  bool EndOfLine() const { return pos_ >= line_.size(); }
  // Advances to the next pair. False at the end of the line or on a malformed pair (then
  // error() is set and decoding can continue after it).
  bool ScanKeyval();
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  // The last error ("logfmt syntax error at pos 5 : unexpected '='"), or "".
  const std::string& error() const { return error_; }

 private:
  bool SkipValue();
  void SyntaxError(std::string_view msg);

  std::string_view line_;
  std::string* buf_;
  size_t pos_ = 0;
  std::string_view key_;
  std::string_view value_;
  std::string error_;
};

struct LogfmtExtraction {
  std::string label;  // the label to set, a valid label name
  std::string key;    // the logfmt key to read
};

class LogfmtParser {
 public:
  struct Options {
    bool strict = false;
    bool keep_empty = false;
  };

  LogfmtParser() = default;
  static absl::StatusOr<LogfmtParser> Make(Options options,
                                           std::vector<LogfmtExtraction> extractions = {});

  bool Process(LineState& state) const;

 private:
  Options options_;
  std::vector<LogfmtExtraction> extractions_;
};

}  // namespace vigil::logql::pipeline
