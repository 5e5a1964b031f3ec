// ParseRelabelConfigs: reading relabel rules from YAML with Prometheus' validation.
#include <set>
#include <string>

#include "common/strings.h"
#include "ingest/scrape/relabel.h"
#include "yaml-cpp/yaml.h"

namespace vigil {
namespace {

absl::Status ErrorAt(const YAML::Node& node, std::string_view reason) {
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return absl::InvalidArgumentError(std::string(reason));
  return absl::InvalidArgumentError(StrCat("line ", mark.line + 1, ": ", reason));
}

// A YAML scalar as a string. A null value reads as "", as Go's YAML decoder leaves the field
// at its zero value.
absl::StatusOr<std::string> ReadString(const YAML::Node& value, std::string_view key) {
  if (value.IsNull()) return std::string();
  if (!value.IsScalar()) return ErrorAt(value, StrCat("\"", key, "\" must be a string"));
  return value.Scalar();
}

// What a rule looked like before validation: which optional fields were written.
struct RawRule {
  RelabelConfig config;
  std::string action_text = "replace";
  bool source_labels_set = false;
  bool regex_set = false;
};

absl::Status ReadField(const YAML::Node& key_node, const YAML::Node& value, RawRule* raw) {
  const std::string& key = key_node.Scalar();
  RelabelConfig& c = raw->config;
  if (key == "source_labels") {
    if (value.IsNull()) return absl::OkStatus();
    if (!value.IsSequence()) {
      return ErrorAt(value, "\"source_labels\" must be a list of label names");
    }
    raw->source_labels_set = true;
    for (const auto& item : value) {
      if (!item.IsScalar() || !IsValidLabelName(item.Scalar())) {
        return ErrorAt(item, StrCat(QuoteString(Truncated(item.Scalar())),
                                    " is not a valid label name in \"source_labels\""));
      }
      c.source_labels.push_back(item.Scalar());
    }
    return absl::OkStatus();
  }
  if (key == "separator" || key == "target_label" || key == "replacement" || key == "action") {
    absl::StatusOr<std::string> s = ReadString(value, key);
    if (!s.ok()) return s.status();
    if (key == "separator") c.separator = *std::move(s);
    if (key == "target_label") c.target_label = *std::move(s);
    if (key == "replacement") c.replacement = *std::move(s);
    if (key == "action") {
      raw->action_text = *std::move(s);
      if (!raw->action_text.empty() && !ParseRelabelAction(raw->action_text, &c.action)) {
        return ErrorAt(value,
                       StrCat("unknown relabel action ", QuoteString(Truncated(raw->action_text))));
      }
    }
    return absl::OkStatus();
  }
  if (key == "regex") {
    absl::StatusOr<std::string> s = ReadString(value, key);
    if (!s.ok()) return s.status();
    raw->regex_set = true;
    auto re = CompileRelabelRegex(*s);
    if (!re.ok()) return ErrorAt(value, ToStd(re.status().message()));
    c.regex = *std::move(re);
    return absl::OkStatus();
  }
  if (key == "modulus") {
    if (value.IsNull()) {
      c.modulus = 0;
      return absl::OkStatus();
    }
    if (!value.IsScalar() || !ParseUint64(value.Scalar(), &c.modulus)) {
      return ErrorAt(value, StrCat("\"modulus\" must be a non-negative integer, got ",
                                   QuoteString(Truncated(value.Scalar()))));
    }
    return absl::OkStatus();
  }
  return ErrorAt(key_node,
                 StrCat("unknown field ", QuoteString(Truncated(key)), " in relabel config"));
}

// Prometheus' (relabel.Config).Validate, message for message.
absl::Status Validate(const YAML::Node& node, const RawRule& raw) {
  const RelabelConfig& c = raw.config;
  using A = RelabelAction;
  const A a = c.action;
  const std::string_view name = RelabelActionName(a);
  if (raw.action_text.empty()) return ErrorAt(node, "relabel action cannot be empty");
  if (a == A::kHashMod && c.modulus == 0) {
    return ErrorAt(node, "relabel configuration for hashmod requires non-zero modulus");
  }
  const bool needs_target = a == A::kReplace || a == A::kHashMod || a == A::kLowercase ||
                            a == A::kUppercase || a == A::kKeepEqual || a == A::kDropEqual;
  if (needs_target && c.target_label.empty()) {
    return ErrorAt(
        node, StrCat("relabel configuration for ", name, " action requires 'target_label' value"));
  }
  auto invalid_target = [&] {
    return ErrorAt(node, StrCat(QuoteString(Truncated(c.target_label)),
                                " is invalid 'target_label' for ", name, " action"));
  };
  // A target with $references must still expand to something that can be a label name.
  static const RE2 kTemplateTarget(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
  const bool templated = c.target_label.find('$') != std::string::npos;
  if (a == A::kReplace && !templated && !IsValidLabelName(c.target_label)) {
    return invalid_target();
  }
  if (a == A::kReplace && templated && !RE2::FullMatch(c.target_label, kTemplateTarget)) {
    return invalid_target();
  }
  const bool simple_target =
      a == A::kLowercase || a == A::kUppercase || a == A::kKeepEqual || a == A::kDropEqual;
  if (simple_target && !IsValidLabelName(c.target_label)) return invalid_target();
  if (simple_target && c.replacement != "$1") {
    return ErrorAt(node, StrCat("'replacement' can not be set for ", name, " action"));
  }
  if (a == A::kLabelMap && !RE2::FullMatch(c.replacement, kTemplateTarget)) {
    return ErrorAt(node, StrCat(QuoteString(Truncated(c.replacement)),
                                " is invalid 'replacement' for labelmap action"));
  }
  if (a == A::kHashMod && !IsValidLabelName(c.target_label)) return invalid_target();
  if ((a == A::kKeepEqual || a == A::kDropEqual) &&
      (raw.regex_set || c.modulus != 0 || c.separator != ";" || c.replacement != "$1")) {
    return ErrorAt(node, StrCat(name,
                                " action requires only 'source_labels' and "
                                "'target_label', and no other fields"));
  }
  if ((a == A::kLabelDrop || a == A::kLabelKeep) &&
      (raw.source_labels_set || !c.target_label.empty() || c.modulus != 0 || c.separator != ";" ||
       c.replacement != "$1")) {
    return ErrorAt(node, StrCat(name, " action requires only 'regex', and no other fields"));
  }
  return absl::OkStatus();
}

absl::StatusOr<RelabelConfig> ParseRule(const YAML::Node& node) {
  if (node.IsNull()) return ErrorAt(node, "empty or null relabel rule");
  if (!node.IsMap()) return ErrorAt(node, "a relabel rule must be a map");
  RawRule raw;
  std::set<std::string> seen;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) return ErrorAt(kv.first, "relabel config keys must be strings");
    if (!seen.insert(kv.first.Scalar()).second) {
      return ErrorAt(kv.first, StrCat("duplicate key ", QuoteString(Truncated(kv.first.Scalar())),
                                      " in relabel config"));
    }
    absl::Status s = ReadField(kv.first, kv.second, &raw);
    if (!s.ok()) return s;
  }
  absl::Status s = Validate(node, raw);
  if (!s.ok()) return s;
  return std::move(raw.config);
}

}  // namespace

absl::StatusOr<std::vector<RelabelConfig>> ParseRelabelConfigs(const YAML::Node& node) {
  std::vector<RelabelConfig> out;
  // yaml-cpp throws on misuse of nodes; nothing escapes this boundary as an exception.
  try {
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) return ErrorAt(node, "relabel configs must be a list of rules");
    out.reserve(node.size());
    for (const auto& item : node) {
      absl::StatusOr<RelabelConfig> rule = ParseRule(item);
      if (!rule.ok()) return rule.status();
      out.push_back(*std::move(rule));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat("invalid relabel config: ", e.what()));
  }
  return out;
}

}  // namespace vigil
