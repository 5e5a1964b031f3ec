#include "ingest/common/decode_result.h"

namespace vigil {

std::string DecodeResult::Summary(std::string_view items, size_t max_messages) const {
  if (!status.ok()) return std::string(status.message());
  if (rejected == 0) return StrCat(total, " ", items, " accepted");
  std::string out = StrCat(rejected, " of ", total, " ", items, " refused: ");
  size_t shown = 0;
  for (const EntryError& e : errors) {
    if (shown == max_messages) break;
    if (shown > 0) out.append("; ");
    out.append(e.message);
    ++shown;
  }
  size_t more = errors.size() - shown + unlisted_errors;
  if (more > 0) StrAppend(&out, " (and ", more, " more errors)");
  return out;
}

}  // namespace vigil
