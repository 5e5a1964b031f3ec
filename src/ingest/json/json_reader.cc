#include "ingest/json/json_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/strings.h"
#include "ingest/json/json_syntax.h"

namespace vigil {
namespace {

// Length of the valid UTF-8 sequence starting at p[0], or 0 when it is invalid.
size_t ValidSequenceLength(const unsigned char* p, size_t n) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (n < len) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  }
  return len;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

absl::Status JsonBody::Reset(std::string_view body, bool padded) {
  body_ = body;
  invalid_.clear();
  if (padded) {
    padded_.resize(body.size() + simdjson::SIMDJSON_PADDING);
    if (!body.empty()) std::memcpy(padded_.data(), body.data(), body.size());
    std::memset(padded_.data() + body.size(), ' ', simdjson::SIMDJSON_PADDING);
  } else {
    padded_.clear();
  }
  if (simdjson::validate_utf8(body.data(), body.size())) return absl::OkStatus();
  const auto* p = reinterpret_cast<const unsigned char*>(body.data());
  const size_t n = body.size();
  for (size_t i = 0; i < n;) {
    size_t len = ValidSequenceLength(p + i, n - i);
    if (len > 0) {
      i += len;
      continue;
    }
    if (padded) padded_[i] = '?';
    if (!invalid_.empty() && invalid_.back().second == i) {
      invalid_.back().second = i + 1;
    } else {
      if (invalid_.size() == kMaxInvalidUtf8Runs) {
        return absl::InvalidArgumentError(StrCat("body is not UTF-8: more than ",
                                                 kMaxInvalidUtf8Runs, " invalid byte sequences"));
      }
      invalid_.emplace_back(i, i + 1);
    }
    ++i;
  }
  return absl::OkStatus();
}

bool JsonBody::Iterate(ondemand::parser& parser, size_t offset, size_t len, ondemand::document* doc,
                       std::string* error) const {
  if (!CheckJsonSyntax(std::string_view(padded_.data() + offset, len), error)) {
    *error = StrCat("malformed JSON: ", *error);
    return false;
  }
  simdjson::error_code e =
      parser.iterate(padded_.data() + offset, len, padded_.size() - offset).get(*doc);
  if (e != simdjson::SUCCESS) {
    *error = StrCat("malformed JSON: ", simdjson::error_message(e));
    return false;
  }
  return true;
}

bool JsonBody::HasInvalidUtf8(std::string_view padded_view) const {
  if (invalid_.empty()) return false;
  size_t begin = OffsetOf(padded_view.data());
  return RangeHasInvalidUtf8(begin, begin + padded_view.size());
}

bool JsonBody::RangeHasInvalidUtf8(size_t begin, size_t end) const {
  // The first run ending after `begin` is the only one that can overlap.
  auto it = std::upper_bound(
      invalid_.begin(), invalid_.end(), begin,
      [](size_t b, const std::pair<size_t, size_t>& run) { return b < run.second; });
  return it != invalid_.end() && it->first < end;
}

std::string_view JsonTypeName(ondemand::json_type t) {
  switch (t) {
    case ondemand::json_type::array:
      return "array";
    case ondemand::json_type::object:
      return "object";
    case ondemand::json_type::number:
      return "number";
    case ondemand::json_type::string:
      return "string";
    case ondemand::json_type::boolean:
      return "boolean";
    case ondemand::json_type::null:
      return "null";
  }
  return "unknown";
}

std::string_view JsonReader::Token(ondemand::value& v) {
  std::string_view tok = v.raw_json_token();
  while (!tok.empty() && IsSpace(tok.back())) tok.remove_suffix(1);
  return tok;
}

JsonRead JsonReader::Type(ondemand::value& v, ondemand::json_type* type) {
  simdjson::error_code e = v.type().get(*type);
  if (e != simdjson::SUCCESS) return Fail(e);
  last_type_ = *type;
  return JsonRead::kOk;
}

// The raw bytes of a string token from just after its opening quote to its closing one,
// without unescaping; checked for UTF-8. `*escaped` tells whether unescaping is needed.
JsonRead JsonReader::ScanRaw(const char* p, std::string_view* raw, bool* escaped) {
  const size_t limit = static_cast<size_t>(body_->padded_end() - p);
  size_t i = 0;
  while (i < limit && p[i] != '"') {
    if (p[i] == '\\') {
      *escaped = true;
      ++i;
    }
    ++i;
  }
  if (i >= limit) return Fail(simdjson::UNCLOSED_STRING);
  *raw = std::string_view(p, i);
  if (body_->HasInvalidUtf8(*raw)) return JsonRead::kInvalidUtf8;
  return JsonRead::kOk;
}

JsonRead JsonReader::Key(ondemand::field& f, std::string_view* out) {
  const char* p = f.key().raw();
  std::string_view raw;
  bool escaped = false;
  if (JsonRead r = ScanRaw(p, &raw, &escaped); r != JsonRead::kOk) return r;
  if (!escaped) {
    *out = body_->ToBody(raw);
    return JsonRead::kOk;
  }
  std::string_view unescaped;
  if (f.unescaped_key().get(unescaped) != simdjson::SUCCESS) return JsonRead::kInvalidEscape;
  *out = arena_->Copy(unescaped);
  return JsonRead::kOk;
}

JsonRead JsonReader::String(ondemand::value& v, std::string_view* out) {
  ondemand::json_type t;
  if (JsonRead r = Type(v, &t); r != JsonRead::kOk) return r;
  if (t != ondemand::json_type::string) return JsonRead::kWrongType;
  std::string_view tok = v.raw_json_token();
  const char* p = tok.data() + 1;  // after the opening quote
  std::string_view raw;
  bool escaped = false;
  if (JsonRead r = ScanRaw(p, &raw, &escaped); r != JsonRead::kOk) return r;
  if (!escaped) {
    *out = body_->ToBody(raw);
    return JsonRead::kOk;
  }
  std::string_view unescaped;
  if (v.get_string().get(unescaped) != simdjson::SUCCESS) return JsonRead::kInvalidEscape;
  *out = arena_->Copy(unescaped);
  return JsonRead::kOk;
}

JsonRead JsonReader::RawString(std::string_view raw, bool escaped, std::string_view* out) {
  if (body_->BodyHasInvalidUtf8(raw)) return JsonRead::kInvalidUtf8;
  if (!escaped) {
    *out = raw;
    return JsonRead::kOk;
  }
  unescape_scratch_.clear();
  if (!UnescapeJsonString(raw, &unescape_scratch_)) return JsonRead::kInvalidEscape;
  *out = arena_->Copy(unescape_scratch_);
  return JsonRead::kOk;
}

JsonRead JsonReader::MemberKey(const JsonMember& m, std::string_view* out) {
  return RawString(m.key, m.key_escaped, out);
}

JsonRead JsonReader::MemberText(const JsonMember& m, std::string_view* out) {
  last_type_ = m.type;
  switch (m.type) {
    case ondemand::json_type::string:
      return RawString(m.value, m.value_escaped, out);
    case ondemand::json_type::null:
      *out = {};
      return JsonRead::kOk;
    case ondemand::json_type::array:
    case ondemand::json_type::object:
      if (body_->BodyHasInvalidUtf8(m.value)) return JsonRead::kInvalidUtf8;
      break;
    case ondemand::json_type::number:
    case ondemand::json_type::boolean:
      break;
  }
  *out = m.value;
  return JsonRead::kOk;
}

JsonRead JsonReader::Text(ondemand::value& v, ondemand::json_type* type, std::string_view* out) {
  if (JsonRead r = Type(v, type); r != JsonRead::kOk) return r;
  switch (*type) {
    case ondemand::json_type::string:
      return String(v, out);
    case ondemand::json_type::number: {
      std::string_view tok = Token(v);
      if (!IsJsonNumber(tok)) return JsonRead::kInvalidValue;
      *out = body_->ToBody(tok);
      return JsonRead::kOk;
    }
    case ondemand::json_type::boolean: {
      std::string_view tok = Token(v);
      if (tok != "true" && tok != "false") return JsonRead::kInvalidValue;
      *out = body_->ToBody(tok);
      return JsonRead::kOk;
    }
    case ondemand::json_type::null: {
      if (Token(v) != "null") return JsonRead::kInvalidValue;
      *out = {};
      return JsonRead::kOk;
    }
    case ondemand::json_type::array: {
      ondemand::array a;
      std::string_view raw;
      if (auto e = v.get_array().get(a); e != simdjson::SUCCESS) return Fail(e);
      if (auto e = a.raw_json().get(raw); e != simdjson::SUCCESS) return Fail(e);
      if (body_->HasInvalidUtf8(raw)) return JsonRead::kInvalidUtf8;
      *out = body_->ToBody(raw);
      return JsonRead::kOk;
    }
    case ondemand::json_type::object: {
      ondemand::object o;
      std::string_view raw;
      if (auto e = v.get_object().get(o); e != simdjson::SUCCESS) return Fail(e);
      if (auto e = o.raw_json().get(raw); e != simdjson::SUCCESS) return Fail(e);
      if (body_->HasInvalidUtf8(raw)) return JsonRead::kInvalidUtf8;
      *out = body_->ToBody(raw);
      return JsonRead::kOk;
    }
  }
  return JsonRead::kWrongType;
}

JsonRead JsonReader::Uint64(ondemand::value& v, uint64_t* out) {
  ondemand::json_type t;
  if (JsonRead r = Type(v, &t); r != JsonRead::kOk) return r;
  std::string_view text;
  if (t == ondemand::json_type::number) {
    text = Token(v);
  } else if (t == ondemand::json_type::string) {
    if (JsonRead r = String(v, &text); r != JsonRead::kOk) return r;
  } else {
    return JsonRead::kWrongType;
  }
  if (ParseUint64(text, out)) return JsonRead::kOk;
  double d;
  // 1.7e18 from a JavaScript exporter: integral doubles are accepted.
  if (IsJsonNumber(text) && ParseDouble(text, &d) && d >= 0 && d < 18446744073709551616.0 &&
      std::floor(d) == d) {
    *out = static_cast<uint64_t>(d);
    return JsonRead::kOk;
  }
  return JsonRead::kInvalidValue;
}

JsonRead JsonReader::Int64(ondemand::value& v, int64_t* out) {
  ondemand::json_type t;
  if (JsonRead r = Type(v, &t); r != JsonRead::kOk) return r;
  std::string_view text;
  if (t == ondemand::json_type::number) {
    text = Token(v);
  } else if (t == ondemand::json_type::string) {
    if (JsonRead r = String(v, &text); r != JsonRead::kOk) return r;
  } else {
    return JsonRead::kWrongType;
  }
  if (ParseInt64(text, out)) return JsonRead::kOk;
  double d;
  if (IsJsonNumber(text) && ParseDouble(text, &d) && d >= -9223372036854775808.0 &&
      d < 9223372036854775808.0 && std::floor(d) == d) {
    *out = static_cast<int64_t>(d);
    return JsonRead::kOk;
  }
  return JsonRead::kInvalidValue;
}

JsonRead JsonReader::Double(ondemand::value& v, double* out) {
  ondemand::json_type t;
  if (JsonRead r = Type(v, &t); r != JsonRead::kOk) return r;
  std::string_view text;
  if (t == ondemand::json_type::number) {
    text = Token(v);
  } else if (t == ondemand::json_type::string) {
    if (JsonRead r = String(v, &text); r != JsonRead::kOk) return r;
    if (text == "NaN") {
      *out = std::nan("");
      return JsonRead::kOk;
    }
    if (text == "Infinity" || text == "-Infinity") {
      *out = text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
      return JsonRead::kOk;
    }
  } else {
    return JsonRead::kWrongType;
  }
  if (IsJsonNumber(text) && ParseDouble(text, out)) return JsonRead::kOk;
  return JsonRead::kInvalidValue;
}

JsonRead JsonReader::Bool(ondemand::value& v, bool* out) {
  ondemand::json_type t;
  if (JsonRead r = Type(v, &t); r != JsonRead::kOk) return r;
  if (t != ondemand::json_type::boolean) return JsonRead::kWrongType;
  std::string_view tok = Token(v);
  if (tok == "true") {
    *out = true;
  } else if (tok == "false") {
    *out = false;
  } else {
    return JsonRead::kInvalidValue;
  }
  return JsonRead::kOk;
}

std::string JsonReader::MalformedMessage() const {
  return StrCat("malformed JSON: ", simdjson::error_message(error_));
}

std::string JsonReadMessage(JsonRead r, std::string_view what, std::string_view expected,
                            ondemand::json_type got) {
  switch (r) {
    case JsonRead::kWrongType:
      return StrCat(what, " must be ", expected, ", got ", JsonTypeName(got));
    case JsonRead::kInvalidUtf8:
      return StrCat("invalid UTF-8 in ", what);
    case JsonRead::kInvalidEscape:
      return StrCat("invalid escape sequence in ", what);
    case JsonRead::kInvalidValue:
      return StrCat(what, " is not ", expected);
    case JsonRead::kMalformed:
      return StrCat("malformed JSON in ", what);
    case JsonRead::kOk:
      break;
  }
  return std::string();
}

}  // namespace vigil
