// Prometheus relabeling: `relabel_configs` and `metric_relabel_configs` rules applied to a
// label set, with Prometheus' semantics (as of 2.42) so existing scrape configs behave alike.
//
// Rules run in order over a working copy of the labels; each sees the result of the previous
// one. A label set to an empty value is removed. Per action:
//   replace    when `regex` matches the source value, sets the expanded `target_label` to the
//              expanded `replacement` (`$1`, `${1}`, `$name`, `${name}`, `$$`, as Go's
//              Regexp.Expand); an empty result deletes the target; no match leaves all as is;
//              an expanded target that is not a valid label name is skipped.
//   keep/drop  drop the set unless / when `regex` matches the source value.
//   keepequal/dropequal  drop the set unless / when the source value equals `target_label`'s.
//   hashmod    sets `target_label` to md5(source value)'s last 8 bytes, read big-endian,
//              modulo `modulus`.
//   labelmap   for each label whose name matches `regex`, copies its value to the label named
//              by the expanded `replacement` (names that come out invalid are skipped).
//   labeldrop/labelkeep  remove labels whose names match / do not match `regex`.
//   lowercase/uppercase  set `target_label` to the source value with ASCII letters re-cased
//              (non-ASCII letters are left as they are).
// The source value is the values of `source_labels` joined by `separator` (absent = "").
// Regexes are anchored at both ends, as Prometheus anchors them.
//
// Thread-safety: configs are immutable after parsing and may be shared by any number of
// threads calling Relabel concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "re2/re2.h"

namespace YAML {
class Node;
}

namespace vigil {

enum class RelabelAction : uint8_t {
  kReplace,
  kKeep,
  kDrop,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
  kKeepEqual,
  kDropEqual,
};

// The action's name as written in configs ("hashmod", "labelmap" …).
std::string_view RelabelActionName(RelabelAction a);
// Case-insensitive, as Prometheus reads it.
bool ParseRelabelAction(std::string_view s, RelabelAction* out);

// Compiles `pattern` anchored as Prometheus does: ^(?:pattern)$.
absl::StatusOr<std::shared_ptr<RE2>> CompileRelabelRegex(std::string_view pattern);
// The shared default regex, "(.*)" anchored.
std::shared_ptr<RE2> DefaultRelabelRegex();

struct RelabelConfig {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string target_label;
  std::shared_ptr<RE2> regex = DefaultRelabelRegex();
  uint64_t modulus = 0;
  std::string replacement = "$1";
  RelabelAction action = RelabelAction::kReplace;
};

// Applies `configs` in order. nullopt when a keep/drop-style rule drops the set.
std::optional<Labels> Relabel(const Labels& labels, std::span<const RelabelConfig> configs);
// The same for a sorted view span (a freshly parsed sample), without building Labels first.
std::optional<Labels> Relabel(std::span<const LabelView> sorted,
                              std::span<const RelabelConfig> configs);

// Reads a YAML list of relabel rules (a null or missing node is an empty list), validating as
// Prometheus does. Errors name the YAML line: "line 7: unknown relabel action \"foo\"".
absl::StatusOr<std::vector<RelabelConfig>> ParseRelabelConfigs(const YAML::Node& node);

}  // namespace vigil
