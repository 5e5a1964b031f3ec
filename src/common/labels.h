// Label sets: the identity of a metric series (including `__name__`) and of a log stream.
//
// A `Labels` value is an immutable, sorted-by-name list with unique names. `LabelView` is a
// non-owning pair used on ingest paths so that decoded requests can be looked up in the head
// without copying strings; `HashLabels` gives the same hash for a view span and for the
// equivalent `Labels`.
//
// Thread-safety: `Labels` is a value type; const methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace vigil {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

struct LabelView {
  std::string_view name;
  std::string_view value;
};

class Labels {
 public:
  Labels() = default;
  // `items` must be sorted by name with unique names (checked in debug builds).
  explicit Labels(std::vector<Label> items);
  Labels(std::initializer_list<Label> items);
  // Sorts; when a name repeats the last value wins.
  static Labels FromUnsorted(std::vector<Label> items);
  static Labels FromViews(std::span<const LabelView> views);  // views must be sorted

  const std::vector<Label>& items() const { return items_; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  // The value of `name`, or "" when absent (Prometheus treats an empty value as absent).
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricName); }

  uint64_t Hash() const;
  // Prometheus' notation: `name{a="b", c="d"}`, or `{a="b"}` without a metric name.
  std::string ToString() const;
  // Total bytes of names and values, for limits and accounting.
  size_t ByteSize() const;

  friend bool operator==(const Labels& a, const Labels& b) { return a.items_ == b.items_; }
  friend bool operator<(const Labels& a, const Labels& b) { return a.items_ < b.items_; }

 private:
  std::vector<Label> items_;
};

// Same value as Labels::Hash for the same (sorted) pairs.
uint64_t HashLabels(std::span<const LabelView> sorted);
bool LabelsEqual(const Labels& a, std::span<const LabelView> b);

// Builds a label set by edits on top of a base: Set with an empty value deletes.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base);
  LabelsBuilder& Set(std::string_view name, std::string_view value);
  LabelsBuilder& Del(std::string_view name);
  std::string_view Get(std::string_view name) const;
  Labels Build() const;

 private:
  std::vector<Label> items_;  // kept sorted
};

bool IsValidLabelName(std::string_view name);
bool IsValidMetricName(std::string_view name);
bool IsValidUtf8(std::string_view s);

// Checks what Prometheus requires of an ingested series: sorted unique valid names, a valid
// non-empty metric name, UTF-8 values, no empty values. The message names the offending label.
absl::Status ValidateSeriesLabels(std::span<const LabelView> sorted);

}  // namespace vigil
