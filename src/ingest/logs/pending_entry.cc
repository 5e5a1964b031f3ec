#include "ingest/logs/pending_entry.h"

#include <array>

#include "absl/container/flat_hash_map.h"
#include "common/string_view_hash.h"
#include "common/strings.h"

namespace vigil {
namespace {

// Small entries (the common case) dedupe with a quadratic scan that allocates nothing.
constexpr size_t kLinearDedupeLimit = 16;

void DedupeFields(std::vector<LogFieldView>* fields) {
  std::vector<LogFieldView>& f = *fields;
  size_t n = f.size();
  if (n < 2) return;
  size_t out = 0;
  if (n <= kLinearDedupeLimit) {
    for (size_t i = 0; i < n; ++i) {
      size_t j = 0;
      while (j < out && f[j].name != f[i].name) ++j;
      if (j < out) {
        f[j].value = f[i].value;
      } else {
        f[out++] = f[i];
      }
    }
  } else {
    StringViewMap<size_t> seen;
    seen.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      auto [it, inserted] = seen.try_emplace(f[i].name, out);
      if (inserted) {
        f[out++] = f[i];
      } else {
        f[it->second].value = f[i].value;
      }
    }
  }
  f.resize(out);
}

}  // namespace

void PendingEntry::Clear() {
  timestamp_ns = 0;
  severity = kSeverityUnspecified;
  severity_text = body = trace_id = span_id = {};
  fields.clear();
}

bool CommitEntry(const StreamLabelConfig& config, uint32_t stream, PendingEntry* entry,
                 LogBatch* batch, std::string* error) {
  if (config.max_line_bytes > 0 && entry->body.size() > config.max_line_bytes) {
    *error = StrCat("line is ", entry->body.size(), " bytes, limit ", config.max_line_bytes);
    return false;
  }
  DedupeFields(&entry->fields);
  if (entry->fields.size() > config.max_fields) {
    *error = StrCat("too many fields: ", entry->fields.size(), ", limit ", config.max_fields);
    return false;
  }
  LogBatch::Entry& e = batch->AddEntry(stream);
  e.timestamp_ns = entry->timestamp_ns;
  e.severity = entry->severity;
  e.severity_text = entry->severity_text;
  e.body = entry->body;
  e.trace_id = entry->trace_id;
  e.span_id = entry->span_id;
  for (const LogFieldView& f : entry->fields) batch->AddField(f.name, f.value);
  return true;
}


SeverityNumber SeverityFromLevel(std::string_view text, bool numeric) {
  if (!numeric) return ParseSeverity(text);
  // pino / bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
  if (text == "10") return kSeverityTrace;
  if (text == "20") return kSeverityDebug;
  if (text == "30") return kSeverityInfo;
  if (text == "40") return kSeverityWarn;
  if (text == "50") return kSeverityError;
  if (text == "60") return kSeverityFatal;
  return kSeverityUnspecified;
}

}  // namespace vigil
