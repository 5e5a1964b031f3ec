#include "ingest/logs/pending_entry.h"

#include <array>

#include "absl/container/flat_hash_map.h"
#include "common/strings.h"

namespace vigil {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Byte -> hex digit value, with flags: bit 4 set for an uppercase digit, 0xff for no digit.
// A table, because ids are checked digit by digit for every ingested line.
constexpr auto kHexTable = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xff);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<uint8_t>((c - 'A' + 10) | 0x10);
  return t;
}();

int HexValue(char c) {
  uint8_t v = kHexTable[static_cast<uint8_t>(c)];
  return v == 0xff ? -1 : (v & 0x0f);
}

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
    absl::flat_hash_map<std::string_view, size_t> seen;
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

bool NormalizeHexId(IdKind kind, std::string_view hex, StringArena* arena, std::string_view* out,
                    std::string* error) {
  *out = {};
  if (hex.empty()) return true;
  const size_t want = kind == IdKind::kTrace ? 32 : 16;
  // OR of all table entries: 0xff somewhere means a non-digit, bit 4 an uppercase digit, the
  // low bits any non-zero digit.
  uint8_t all = 0;
  for (char c : hex) all |= kHexTable[static_cast<uint8_t>(c)];
  if (all == 0xff) {
    *error = StrCat("invalid ", IdName(kind), " ", QuoteString(Truncated(hex, 64)),
                    ": not a hex string");
    return false;
  }
  const bool lower = (all & 0x10) == 0;
  const bool zero = (all & 0x0f) == 0;
  if (hex.size() != want) {
    *error = StrCat("invalid ", IdName(kind), " ", QuoteString(Truncated(hex, 64)), ": ",
                    hex.size(), " hex digits, expected ", want);
    return false;
  }
  if (zero) return true;
  if (lower) {
    *out = hex;
    return true;
  }
  char buf[32];
  for (size_t i = 0; i < want; ++i) buf[i] = kHexDigits[HexValue(hex[i])];
  *out = arena->Copy(std::string_view(buf, want));
  return true;
}

bool EncodeRawId(IdKind kind, std::string_view raw, StringArena* arena, std::string_view* out,
                 std::string* error) {
  *out = {};
  if (raw.empty()) return true;
  const size_t want = kind == IdKind::kTrace ? 16 : 8;
  if (raw.size() != want) {
    *error = StrCat("invalid ", IdName(kind), ": ", raw.size(), " bytes, expected ", want);
    return false;
  }
  bool zero = true;
  char buf[32];
  for (size_t i = 0; i < want; ++i) {
    auto b = static_cast<unsigned char>(raw[i]);
    if (b != 0) zero = false;
    buf[2 * i] = kHexDigits[b >> 4];
    buf[2 * i + 1] = kHexDigits[b & 0xF];
  }
  if (zero) return true;
  *out = arena->Copy(std::string_view(buf, 2 * want));
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
