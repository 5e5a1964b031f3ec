// What an ingestion decoder (logs, spans, metric points) reports besides the batch it fills:
// whether the request could be decoded at all, how many items it carried, and which items were
// refused and why.
//
// Contract: a decoder either fails the whole request (`status` not OK — the body is not JSON,
// its protobuf framing is broken — and the batch is left empty) or decodes every entry it can,
// refusing the bad ones one by one with a specific message (`stream {app="x"} entry 3: invalid
// UTF-8 in line`, `line 7: invalid trace_id ...`). Messages are kept for the first
// kMaxErrorMessages errors only; `rejected` still counts every refused entry, so a body of a
// million bad lines costs a counter, not a million strings.
//
// Thread-safety: value type.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/strings.h"

namespace vigil {

struct EntryError {
  size_t ordinal = 0;  // 0-based position, in request order, of the (first) refused entry
  size_t entries = 1;  // entries this error refuses (a stream with bad labels refuses them all)
  std::string message;
};

struct DecodeResult {
  static constexpr size_t kMaxErrorMessages = 100;

  absl::Status status;             // not OK: nothing of the request was decoded
  size_t total = 0;                // entries in the request, accepted and refused
  size_t rejected = 0;             // entries refused
  std::vector<EntryError> errors;  // the first kMaxErrorMessages errors, in request order
  size_t unlisted_errors = 0;      // errors past kMaxErrorMessages (counted, message dropped)

  size_t accepted() const { return total - rejected; }
  // True when the request decoded and no entry was refused.
  bool ok() const { return status.ok() && rejected == 0; }

  // Records a refusal; the message is built only while it will be kept.
  template <typename... Args>
  void Refuse(size_t ordinal, size_t entries, const Args&... message_parts) {
    rejected += entries;
    if (errors.size() >= kMaxErrorMessages) {
      ++unlisted_errors;
      return;
    }
    errors.push_back({ordinal, entries, StrCat(message_parts...)});
  }

  // One line for an HTTP error body or a log: the status message, or
  // "2 of 120 <items> refused: <message>; <message>", listing at most `max_messages`.
  std::string Summary(std::string_view items, size_t max_messages = 5) const;
};

}  // namespace vigil
