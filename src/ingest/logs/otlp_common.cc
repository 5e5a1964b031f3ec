#include "ingest/logs/otlp_common.h"

#include <charconv>
#include <cmath>

#include "common/json_writer.h"
#include "common/proto_wire.h"
#include "common/strings.h"

namespace vigil {

void MapOtlpResource(const StreamLabelConfig& config, NameTable& names,
                     std::span<const OtlpAttribute> attributes, std::vector<LabelView>* labels,
                     std::vector<LogFieldView>* fields) {
  labels->clear();
  fields->clear();
  std::string_view service_name;
  for (const OtlpAttribute& a : attributes) {
    if (a.key == "service.name" && !a.value.empty()) service_name = a.value;
    bool is_label = false;
    for (const std::string& l : config.otlp_resource_labels) is_label |= a.key == l;
    if (!is_label) {
      fields->push_back({names.Sanitized(a.key), a.value});
      continue;
    }
    if (a.value.empty()) continue;
    std::string_view name = names.Sanitized(a.key);
    bool replaced = false;  // attribute keys must be unique; if not, the last one wins
    for (LabelView& l : *labels) {
      if (l.name == name) {
        l.value = a.value;
        replaced = true;
      }
    }
    if (!replaced) labels->push_back({name, a.value});
  }
  if (service_name.empty()) {
    int from_field;
    service_name = FindServiceName(config, *labels, *fields, &from_field);
    if (service_name.empty()) service_name = kUnknownService;
  }
  for (auto it = labels->begin(); it != labels->end(); ++it) {
    if (it->name == kServiceNameLabel) {
      labels->erase(it);
      break;
    }
  }
  labels->push_back({kServiceNameLabel, service_name});
}

SeverityNumber OtlpSeverity(uint64_t number, std::string_view text) {
  if (number >= 1 && number <= 24) return static_cast<SeverityNumber>(number);
  return ParseSeverity(text);
}

int OtlpSeverityFromName(std::string_view name) {
  constexpr std::string_view kPrefix = "SEVERITY_NUMBER_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return -1;
  name.remove_prefix(kPrefix.size());
  if (name == "UNSPECIFIED") return 0;
  static constexpr std::string_view kBases[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
  for (int b = 0; b < 6; ++b) {
    if (name.substr(0, kBases[b].size()) != kBases[b]) continue;
    std::string_view rest = name.substr(kBases[b].size());
    if (rest.empty()) return b * 4 + 1;
    if (rest.size() == 1 && rest[0] >= '2' && rest[0] <= '4') return b * 4 + (rest[0] - '0');
  }
  return -1;
}

void AppendOtlpDouble(double v, bool json, std::string* out) {
  if (std::isnan(v)) {
    out->append(json ? "\"NaN\"" : "NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? (json ? "\"Infinity\"" : "Infinity")
                      : (json ? "\"-Infinity\"" : "-Infinity"));
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out->append(buf, r.ptr);
  }
}

void AppendBase64(std::string_view bytes, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size(), i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  if (i < n) {
    uint32_t v = uint32_t{p[i]} << 16;
    if (i + 1 < n) v |= uint32_t{p[i + 1]} << 8;
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
}

std::string EncodeOtlpLogsResponse(int64_t rejected, std::string_view error_message) {
  std::string out;
  if (rejected == 0 && error_message.empty()) return out;
  std::string partial;
  proto::WireWriter p(&partial);
  if (rejected != 0) p.VarintField(1, static_cast<uint64_t>(rejected));
  if (!error_message.empty()) p.BytesField(2, error_message);
  proto::WireWriter(&out).BytesField(1, partial);
  return out;
}

std::string OtlpLogsResponseJson(int64_t rejected, std::string_view error_message) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  if (rejected != 0 || !error_message.empty()) {
    w.Key("partialSuccess").BeginObject();
    if (rejected != 0) w.KV("rejectedLogRecords", StrCat(rejected));
    if (!error_message.empty()) w.KV("errorMessage", error_message);
    w.EndObject();
  }
  w.EndObject();
  return out;
}

}  // namespace vigil
