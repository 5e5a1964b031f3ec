#include "query/logql/pipeline/json_scratch.h"

#include <cstring>

#include "common/strings.h"

namespace vigil::logql::pipeline {
namespace {

// Copies `in` to `out`, replacing every byte that is not part of a valid UTF-8 sequence by a
// space (one per byte, as Go decodes each such byte as one RuneError).
void CopyReplacingInvalidUtf8(std::string_view in, char* out) {
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char b0 = s[i];
    if (b0 < 0x80) {
      out[i] = static_cast<char>(b0);
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    }
    bool ok = len > 0 && i + len <= n && s[i + 1] >= lo && s[i + 1] <= hi;
    for (size_t k = 2; ok && k < len; ++k) ok = s[i + k] >= 0x80 && s[i + k] <= 0xBF;
    if (!ok) {
      out[i] = ' ';
      ++i;
      continue;
    }
    std::memcpy(out + i, s + i, len);
    i += len;
  }
}

}  // namespace

simdjson::error_code JsonScratch::Iterate(std::string_view json,
                                          simdjson::ondemand::document* doc) {
  if (json.size() > kMaxJsonLineBytes) return simdjson::CAPACITY;
  if (padded.size() < json.size() + simdjson::SIMDJSON_PADDING) {
    padded.resize(json.size() + simdjson::SIMDJSON_PADDING);
  }
  if (simdjson::validate_utf8(json.data(), json.size())) {
    std::memcpy(padded.data(), json.data(), json.size());
  } else {
    CopyReplacingInvalidUtf8(json, padded.data());
  }
  std::memset(padded.data() + json.size(), ' ', simdjson::SIMDJSON_PADDING);
  length = json.size();
  return Reiterate(doc);
}

simdjson::error_code JsonScratch::Reiterate(simdjson::ondemand::document* doc) {
  simdjson::padded_string_view view(padded.data(), length, padded.size());
  return parser.iterate(view).get(*doc);
}

std::string_view JsonScratch::ReplaceRuneErrors(std::string_view s, std::string* out) {
  static constexpr std::string_view kRuneError = "\xEF\xBF\xBD";
  size_t pos = s.find(kRuneError);
  if (pos == std::string_view::npos) return s;
  out->clear();
  size_t start = 0;
  while (pos != std::string_view::npos) {
    out->append(s.substr(start, pos - start));
    out->push_back(' ');
    start = pos + kRuneError.size();
    pos = s.find(kRuneError, start);
  }
  out->append(s.substr(start));
  return *out;
}

std::string JsonErrorDetails(simdjson::error_code err) {
  if (err == simdjson::CAPACITY) {
    return StrCat("line longer than ", static_cast<uint64_t>(kMaxJsonLineBytes), " bytes");
  }
  if (err == simdjson::DEPTH_ERROR) {
    return StrCat("JSON nested deeper than ", kMaxJsonDepth, " levels");
  }
  return StrCat("invalid JSON: ", simdjson::error_message(err));
}

}  // namespace vigil::logql::pipeline
