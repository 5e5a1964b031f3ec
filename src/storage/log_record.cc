#include "storage/log_record.h"

#include "absl/strings/ascii.h"

namespace vigil {

std::string_view SeverityName(SeverityNumber s) {
  if (s == 0 || s > 24) return "unknown";
  static constexpr std::string_view kNames[] = {"trace", "debug", "info", "warn", "error", "fatal"};
  return kNames[(s - 1) / 4];
}

SeverityNumber ParseSeverity(std::string_view text) {
  // Short enough for a stack copy; longer strings are no level name we know.
  char buf[16];
  if (text.empty() || text.size() >= sizeof(buf)) return kSeverityUnspecified;
  size_t n = 0;
  for (char c : text) buf[n++] = absl::ascii_tolower(static_cast<unsigned char>(c));
  std::string_view t(buf, n);
  // OTLP's "INFO2" … "FATAL4": a base name followed by a digit 2–4.
  int offset = 0;
  if (n > 1 && t.back() >= '2' && t.back() <= '4') {
    std::string_view base = t.substr(0, n - 1);
    if (base == "trace" || base == "debug" || base == "info" || base == "warn" ||
        base == "error" || base == "fatal") {
      offset = t.back() - '1';
      t = base;
    }
  }
  SeverityNumber s = kSeverityUnspecified;
  if (t == "trace" || t == "trc") {
    s = kSeverityTrace;
  } else if (t == "debug" || t == "dbg") {
    s = kSeverityDebug;
  } else if (t == "info" || t == "information" || t == "informational" || t == "notice" ||
             t == "inf") {
    s = kSeverityInfo;
  } else if (t == "warn" || t == "warning" || t == "wrn") {
    s = kSeverityWarn;
  } else if (t == "error" || t == "err" || t == "eror") {
    s = kSeverityError;
  } else if (t == "fatal" || t == "critical" || t == "crit" || t == "panic" || t == "emerg" ||
             t == "emergency" || t == "alert" || t == "ftl") {
    s = kSeverityFatal;
  }
  return s == kSeverityUnspecified ? s : static_cast<SeverityNumber>(s + offset);
}

uint32_t LogBatch::AddStream(Labels labels) {
  auto [it, inserted] =
      stream_index_.try_emplace(std::string(labels.packed()), static_cast<uint32_t>(streams_.size()));
  if (inserted) streams_.push_back(std::move(labels));
  return it->second;
}

LogBatch::Entry& LogBatch::AddEntry(uint32_t stream) {
  Entry& e = entries_.emplace_back();
  e.stream = stream;
  e.first_field = static_cast<uint32_t>(fields_.size());
  return e;
}

void LogBatch::AddField(std::string_view name, std::string_view value) {
  fields_.push_back({name, value});
  entries_.back().num_fields++;
}

void LogBatch::DropLastEntry() {
  if (entries_.empty()) return;
  fields_.resize(entries_.back().first_field);
  entries_.pop_back();
}

LogRecordView LogBatch::View(const Entry& e) const {
  LogRecordView v;
  v.timestamp_ns = e.timestamp_ns;
  v.severity = e.severity;
  v.severity_text = e.severity_text;
  v.body = e.body;
  v.trace_id = e.trace_id;
  v.span_id = e.span_id;
  v.fields = FieldsOf(e);
  return v;
}

}  // namespace vigil
