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
#include <initializer_list>
#include <iterator>
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

// Stored packed in one string, so a label set is one allocation, compares with memcmp and
// hashes in one pass (a head with millions of series keeps one per series). The packed form
// is, byte for byte, how protobuf encodes a sorted `repeated Label labels = 1` (Label{1: name,
// 2: value}, empty strings omitted, minimal varints), as in remote_write's TimeSeries: a
// decoded request's label bytes are then a lookup key as they stand (see PackLabels).
class Labels {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = LabelView;
    using difference_type = std::ptrdiff_t;
    using pointer = const LabelView*;
    using reference = const LabelView&;
    Iterator() = default;
    Iterator(const char* p, const char* end) : p_(p), end_(end) { Decode(); }
    const LabelView& operator*() const { return cur_; }
    const LabelView* operator->() const { return &cur_; }
    Iterator& operator++() {
      p_ = next_;
      Decode();
      return *this;
    }
    Iterator operator++(int) {
      Iterator t = *this;
      ++*this;
      return t;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.p_ == b.p_; }

   private:
    void Decode();
    const char* p_ = nullptr;
    const char* end_ = nullptr;
    const char* next_ = nullptr;
    LabelView cur_;
  };

  Labels() = default;
  // `items` must be sorted by name with unique names (checked in debug builds).
  explicit Labels(const std::vector<Label>& items);
  Labels(std::initializer_list<Label> items);
  // Sorts; when a name repeats the last value wins.
  static Labels FromUnsorted(std::vector<Label> items);
  static Labels FromViews(std::span<const LabelView> views);  // views must be sorted
  // Adopts an encoding made by PackLabels.
  static Labels FromPacked(std::string packed);

  Iterator begin() const { return Iterator(packed_.data(), packed_.data() + packed_.size()); }
  Iterator end() const {
    return Iterator(packed_.data() + packed_.size(), packed_.data() + packed_.size());
  }
  size_t size() const;
  bool empty() const { return packed_.empty(); }
  std::vector<Label> ToVector() const;
  // The packed encoding (see PackLabels).
  std::string_view packed() const { return packed_; }

  // The value of `name`, or "" when absent (Prometheus treats an empty value as absent).
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const { return !Get(name).empty(); }
  std::string_view MetricName() const { return Get(kMetricName); }

  uint64_t Hash() const;
  // Prometheus' notation: `name{a="b", c="d"}`, or `{a="b"}` without a metric name.
  std::string ToString() const;
  // Total bytes of names and values, for limits and accounting.
  size_t ByteSize() const;
  // Heap bytes held (for memory accounting).
  size_t MemoryBytes() const { return packed_.capacity() > 15 ? packed_.capacity() : 0; }

  friend bool operator==(const Labels& a, const Labels& b) { return a.packed_ == b.packed_; }
  // Label by label: name, then value (the order Prometheus sorts series in).
  friend bool operator<(const Labels& a, const Labels& b) { return Compare(a, b) < 0; }
  static int Compare(const Labels& a, const Labels& b);
  // The same order by the plain definition (decodes every label); for tests of Compare.
  static int CompareLabelByLabel(const Labels& a, const Labels& b);

 private:
  std::string packed_;
};

// Appends the packed encoding of sorted views to *out (the Labels representation): for each
// label `0x0a len { 0x0a len name, 0x12 len value }`.
void PackLabels(std::span<const LabelView> sorted, std::string* out);

// Same value as Labels::Hash for the same (sorted) pairs.
uint64_t HashLabels(std::span<const LabelView> sorted);
// The hash of a packed encoding (Labels::Hash is HashPacked(packed())).
uint64_t HashPacked(std::string_view packed);
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
