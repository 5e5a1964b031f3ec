#include "ingest/json/json_object_scan.h"

#include <cstring>

#include "common/go_text.h"
#include "common/strings.h"
#include "ingest/json/json_syntax.h"

namespace vigil {
namespace {

using JsonType = simdjson::ondemand::json_type;
constexpr size_t kNpos = std::string_view::npos;

JsonType TypeOfFirstChar(char c) {
  switch (c) {
    case '{':
      return JsonType::object;
    case '[':
      return JsonType::array;
    case '"':
      return JsonType::string;
    case 't':
    case 'f':
      return JsonType::boolean;
    case 'n':
      return JsonType::null;
    default:
      return JsonType::number;
  }
}

uint32_t Hex4(std::string_view s) {
  uint32_t v = 0;
  for (size_t k = 0; k < 4; ++k) v = v << 4 | static_cast<uint32_t>(HexDigitValue(s[k]));
  return v;
}

}  // namespace

JsonObjectScan::Result JsonObjectScan::Scan(std::string_view s, uint32_t expand_depth,
                                            std::string* error) {
  members_.clear();
  open_.clear();
  size_t i = SkipJsonSpace(s, 0);
  if (i >= s.size() || s[i] != '{') {
    if (!CheckJsonSyntax(s, error)) return Result::kMalformed;
    type_ = TypeOfFirstChar(s[i]);
    return Result::kNotObject;
  }
  type_ = JsonType::object;
  // Each pass of the loop reads one member, then what follows its value: a ',' or the '}'
  // of every object that closes there.
  i = SkipJsonSpace(s, i + 1);
  if (i < s.size() && s[i] == '}') {
    i = SkipJsonSpace(s, i + 1);
    if (i != s.size()) {
      JsonSyntaxError(i, "unexpected content after the JSON value", error);
      return Result::kMalformed;
    }
    return Result::kOk;
  }
  while (true) {
    if (i >= s.size() || s[i] != '"') {
      JsonSyntaxError(i, "expected a string key", error);
      return Result::kMalformed;
    }
    bool listed = false;
    JsonMember m;
    m.depth = static_cast<uint32_t>(open_.size());
    m.descendants = 0;
    m.key_escaped = false;
    m.value_escaped = false;
    size_t key_end = ScanJsonString(s, i + 1, &m.key_escaped, error);
    if (key_end == kNpos) return Result::kMalformed;
    m.key = s.substr(i + 1, key_end - i - 1);
    i = SkipJsonSpace(s, key_end + 1);
    if (i >= s.size() || s[i] != ':') {
      JsonSyntaxError(i, "expected ':'", error);
      return Result::kMalformed;
    }
    i = SkipJsonSpace(s, i + 1);
    if (i >= s.size()) {
      JsonSyntaxError(i, "expected a value", error);
      return Result::kMalformed;
    }
    const char c = s[i];
    if (c == '"') {
      size_t end = ScanJsonString(s, i + 1, &m.value_escaped, error);
      if (end == kNpos) return Result::kMalformed;
      m.type = JsonType::string;
      m.value = s.substr(i + 1, end - i - 1);
      i = end + 1;
    } else if (c == '{' && m.depth < expand_depth) {
      // Listed member by member; the value's text is set when the object closes.
      if (open_.size() + 2 > kMaxJsonDepth) {
        JsonSyntaxError(i, "containers nested too deeply", error);
        return Result::kMalformed;
      }
      m.type = JsonType::object;
      m.value = s.substr(i, 1);
      open_.push_back(static_cast<uint32_t>(members_.size()));
      members_.push_back(m);
      i = SkipJsonSpace(s, i + 1);
      if (i >= s.size() || s[i] != '}') continue;  // on to its first key
      // Empty: it closes in the loop below like any other.
      listed = true;
    } else if (c == '{' || c == '[') {
      size_t end = SkipJsonValue(s, i, open_.size() + 1, error);
      if (end == kNpos) return Result::kMalformed;
      m.type = c == '{' ? JsonType::object : JsonType::array;
      m.value = s.substr(i, end - i);
      i = end;
    } else if (c == 't' || c == 'f' || c == 'n') {
      size_t end = ScanJsonLiteral(s, i, error);
      if (end == kNpos) return Result::kMalformed;
      m.type = c == 'n' ? JsonType::null : JsonType::boolean;
      m.value = s.substr(i, end - i);
      i = end;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t end = ScanJsonNumber(s, i, error);
      if (end == kNpos) return Result::kMalformed;
      m.type = JsonType::number;
      m.value = s.substr(i, end - i);
      i = end;
    } else {
      JsonSyntaxError(i, "expected a value", error);
      return Result::kMalformed;
    }
    if (!listed) members_.push_back(m);
    // After a value: a ',' continues the innermost object, each '}' closes one.
    while (true) {
      i = SkipJsonSpace(s, i);
      if (i < s.size() && s[i] == ',') {
        i = SkipJsonSpace(s, i + 1);
        break;
      }
      if (i >= s.size() || s[i] != '}') {
        JsonSyntaxError(i, "expected ',' or '}'", error);
        return Result::kMalformed;
      }
      ++i;
      if (open_.empty()) {
        i = SkipJsonSpace(s, i);
        if (i != s.size()) {
          JsonSyntaxError(i, "unexpected content after the JSON value", error);
          return Result::kMalformed;
        }
        return Result::kOk;
      }
      const uint32_t parent = open_.back();
      open_.pop_back();
      JsonMember& p = members_[parent];
      p.value =
          std::string_view(p.value.data(), static_cast<size_t>(s.data() + i - p.value.data()));
      p.descendants = static_cast<uint32_t>(members_.size() - parent - 1);
    }
  }
}

bool UnescapeJsonString(std::string_view raw, std::string* out) {
  out->reserve(out->size() + raw.size());
  for (size_t i = 0; i < raw.size();) {
    size_t b = raw.find('\\', i);
    if (b == std::string_view::npos) {
      out->append(raw.substr(i));
      break;
    }
    out->append(raw.substr(i, b - i));
    const char e = raw[b + 1];
    i = b + 2;
    switch (e) {
      case 'b':
        out->push_back('\b');
        continue;
      case 'f':
        out->push_back('\f');
        continue;
      case 'n':
        out->push_back('\n');
        continue;
      case 'r':
        out->push_back('\r');
        continue;
      case 't':
        out->push_back('\t');
        continue;
      case 'u':
        break;
      default:  // '"', '\\', '/'
        out->push_back(e);
        continue;
    }
    uint32_t cp = Hex4(raw.substr(i, 4));
    i += 4;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + 6 > raw.size() || raw[i] != '\\' || raw[i + 1] != 'u') return false;
      uint32_t low = Hex4(raw.substr(i + 2, 4));
      if (low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      i += 6;
    }
    gotext::AppendUtf8(out, static_cast<int32_t>(cp));
  }
  return true;
}

}  // namespace vigil
