#include "query/logsearch/record_fields.h"

namespace vigil::logsearch {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsWordChar(char c) {
  return IsHex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '_' || c == '-';
}

}  // namespace

std::string_view FieldValue(const Labels& stream, const LogRecordView& r, std::string_view name,
                            std::string* scratch) {
  if (std::string_view v = stream.Get(name); !v.empty()) return v;
  if (name == "body" || name == "message" || name == "_line") return r.body;
  if (name == "level" || name == "severity") {
    if (!r.severity_text.empty()) return r.severity_text;
    if (r.severity != kSeverityUnspecified) return SeverityName(r.severity);
  }
  if (name == "trace_id") return r.trace_id;
  if (name == "span_id") return r.span_id;
  if (name == "_pattern") {
    MessagePattern(r.body, scratch);
    return *scratch;
  }
  for (const LogFieldView& f : r.fields) {
    if (f.name == name) return f.value;
  }
  return {};
}

void MessagePattern(std::string_view body, std::string* out) {
  out->clear();
  size_t i = 0;
  const size_t n = body.size();
  while (i < n) {
    char c = body[i];
    if (c == '"' || c == '\'') {
      size_t j = body.find(c, i + 1);
      if (j != std::string_view::npos && j - i <= 256) {
        out->append("<S>");
        i = j + 1;
        continue;
      }
    }
    if (IsWordChar(c) && (i == 0 || !IsWordChar(body[i - 1]))) {
      // A whole word: a number, a hex id (8+ hex digits with a digit), a UUID, or text.
      size_t j = i;
      bool digits_only = true, hex_only = true, has_digit = false;
      while (j < n && IsWordChar(body[j])) {
        digits_only = digits_only && IsDigit(body[j]);
        hex_only = hex_only && (IsHex(body[j]) || body[j] == '-');
        has_digit = has_digit || IsDigit(body[j]);
        ++j;
      }
      size_t lead = i;
      while (lead < j && IsDigit(body[lead])) ++lead;
      if (digits_only) {
        out->append("<N>");
      } else if (lead > i && j - lead <= 3 && !hex_only) {
        out->append("<N>");  // a number with a unit: 35ms, 20KB
        out->append(body.substr(lead, j - lead));
      } else if (hex_only && has_digit && j - i >= 8) {
        out->append("<ID>");
      } else {
        out->append(body.substr(i, j - i));
      }
      i = j;
      continue;
    }
    out->push_back(c);
    ++i;
  }
}

}  // namespace vigil::logsearch
