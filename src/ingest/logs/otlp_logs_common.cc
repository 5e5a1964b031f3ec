#include "ingest/logs/otlp_logs_common.h"

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

}  // namespace vigil
