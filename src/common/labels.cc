#include "common/labels.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

#include "common/coding.h"
#include "common/strings.h"
#define XXH_INLINE_ALL  // inlined: label hashing is on the ingest hot path
#include "xxhash.h"

namespace vigil {
namespace {

// Packed data is produced only by this file (or compared equal to such data), so it is
// well-formed; reads stay within `end` regardless.
size_t GetLength(const char** p, const char* end) {
  uint64_t v = 0;
  const auto* u = reinterpret_cast<const uint8_t*>(*p);
  DecodeUvarint(&u, reinterpret_cast<const uint8_t*>(end), &v);
  *p = reinterpret_cast<const char*>(u);
  return std::min<uint64_t>(v, static_cast<uint64_t>(end - *p));
}

constexpr char kLabelTag = 0x0a;  // field 1, length-delimited: the Label message
constexpr char kNameTag = 0x0a;   // Label.name
constexpr char kValueTag = 0x12;  // Label.value

bool ByName(const Label& a, const Label& b) { return a.name < b.name; }

size_t InnerSize(std::string_view name, std::string_view value) {
  return (name.empty() ? 0 : 1 + UvarintSize(name.size()) + name.size()) +
         (value.empty() ? 0 : 1 + UvarintSize(value.size()) + value.size());
}

// Appends the Label messages of `items` (sorted) to *out, sized first and written through
// a pointer: label sets are packed for every ingested series and log line, and piece-by-piece
// appends cost several times the copying.
template <typename Items>
void PackAll(const Items& items, std::string* out) {
  AppendSized(out, [&](auto& w) {
    for (const auto& l : items) {
      w.Byte(kLabelTag);
      w.Uvarint(InnerSize(l.name, l.value));
      if (!l.name.empty()) {
        w.Byte(kNameTag);
        w.String(l.name);
      }
      if (!l.value.empty()) {
        w.Byte(kValueTag);
        w.String(l.value);
      }
    }
  });
}

}  // namespace

void Labels::Iterator::Decode() {
  if (p_ >= end_) {
    next_ = p_;
    return;
  }
  const char* q = p_ + 1;  // the Label tag
  size_t len = GetLength(&q, end_);
  const char* msg_end = q + len;
  cur_ = LabelView{};
  while (q < msg_end) {
    char tag = *q++;
    size_t n = GetLength(&q, msg_end);
    (tag == kNameTag ? cur_.name : cur_.value) = std::string_view(q, n);
    q += n;
  }
  next_ = msg_end;
}

void PackLabels(std::span<const LabelView> sorted, std::string* out) { PackAll(sorted, out); }

Labels::Labels(const std::vector<Label>& items) {
  assert(std::is_sorted(items.begin(), items.end(), ByName));
  PackAll(items, &packed_);
}

Labels::Labels(std::initializer_list<Label> items) : Labels(std::vector<Label>(items)) {}

Labels Labels::FromUnsorted(std::vector<Label> items) {
  std::stable_sort(items.begin(), items.end(), ByName);
  // Keep the last of each run of equal names.
  std::vector<Label> out;
  out.reserve(items.size());
  for (auto& l : items) {
    if (!out.empty() && out.back().name == l.name) {
      out.back().value = std::move(l.value);
    } else {
      out.push_back(std::move(l));
    }
  }
  return Labels(out);
}

Labels Labels::FromViews(std::span<const LabelView> views) {
  Labels l;
  size_t bytes = 0;
  for (const auto& v : views) bytes += v.name.size() + v.value.size() + 8;
  l.packed_.reserve(bytes);
  PackLabels(views, &l.packed_);
  return l;
}

Labels Labels::FromPacked(std::string packed) {
  Labels l;
  l.packed_ = std::move(packed);
  return l;
}

size_t Labels::size() const {
  size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

std::vector<Label> Labels::ToVector() const {
  std::vector<Label> out;
  for (const auto& l : *this) out.push_back({std::string(l.name), std::string(l.value)});
  return out;
}

std::string_view Labels::Get(std::string_view name) const {
  for (const auto& l : *this) {
    if (l.name == name) return l.value;
    if (l.name > name) break;
  }
  return {};
}

uint64_t HashPacked(std::string_view packed) { return XXH3_64bits(packed.data(), packed.size()); }

uint64_t Labels::Hash() const { return HashPacked(packed_); }

namespace {

// Label by label, from the start: the reference order, and the fallback of Compare.
int CompareFrom(Labels::Iterator ia, Labels::Iterator ib, Labels::Iterator a_end,
                Labels::Iterator b_end) {
  for (; ia != a_end && ib != b_end; ++ia, ++ib) {
    if (int c = ia->name.compare(ib->name); c != 0) return c;
    if (int c = ia->value.compare(ib->value); c != 0) return c;
  }
  if (ia != a_end) return 1;
  if (ib != b_end) return -1;
  return 0;
}

// Offset of the first byte where a and b differ (min of their sizes when one is a prefix).
size_t FirstDifference(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= n; i += 8) {
      uint64_t x, y;
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) return i + (static_cast<size_t>(std::countr_zero(x ^ y)) >> 3);
    }
  }
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

// Series are sorted and merged by label sets that mostly share their first labels (the metric
// name, job, ...): rather than decode and compare label after label, find the first byte
// where the encodings differ, then compare only the label holding it. Every label before it
// is byte for byte the same in both, so it starts at the same offset in both.
int Labels::Compare(const Labels& a, const Labels& b) {
  const std::string_view pa = a.packed_, pb = b.packed_;
  const size_t m = FirstDifference(pa, pb);
  if (m == pa.size() && m == pb.size()) return 0;
  const char* const a_end = pa.data() + pa.size();
  size_t s = 0;  // start of the label holding byte m
  while (s < pa.size() && s < pb.size()) {
    const char* q = pa.data() + s + 1;  // after the Label tag
    const size_t len = GetLength(&q, a_end);
    const size_t e = static_cast<size_t>(q - pa.data()) + len;
    if (e > m) break;
    s = e;
  }
  const Labels::Iterator ia(pa.data() + s, a_end), ib(pb.data() + s, pb.data() + pb.size());
  return CompareFrom(ia, ib, a.end(), b.end());
}

int Labels::CompareLabelByLabel(const Labels& a, const Labels& b) {
  return CompareFrom(a.begin(), b.begin(), a.end(), b.end());
}

std::string Labels::ToString() const {
  std::string out;
  std::string_view metric = MetricName();
  out.append(metric);
  out.push_back('{');
  bool first = true;
  for (const auto& l : *this) {
    if (l.name == kMetricName) continue;
    if (!first) out.append(", ");
    first = false;
    StrAppend(&out, l.name, "=", QuoteString(l.value));
  }
  out.push_back('}');
  if (!metric.empty() && first) out.resize(out.size() - 2);  // bare metric name
  return out;
}

size_t Labels::ByteSize() const {
  size_t n = 0;
  for (const auto& l : *this) n += l.name.size() + l.value.size();
  return n;
}

uint64_t HashLabels(std::span<const LabelView> sorted) {
  thread_local std::string scratch;
  scratch.clear();
  PackLabels(sorted, &scratch);
  return HashPacked(scratch);
}

bool LabelsEqual(const Labels& a, std::span<const LabelView> b) {
  auto it = a.begin();
  for (const auto& v : b) {
    if (it == a.end() || it->name != v.name || it->value != v.value) return false;
    ++it;
  }
  return it == a.end();
}

LabelsBuilder::LabelsBuilder(const Labels& base) : items_(base.ToVector()) {}

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) return Del(name);
  auto it = std::lower_bound(items_.begin(), items_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != items_.end() && it->name == name) {
    it->value.assign(value);
  } else {
    items_.insert(it, Label{std::string(name), std::string(value)});
  }
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) {
  auto it = std::lower_bound(items_.begin(), items_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != items_.end() && it->name == name) items_.erase(it);
  return *this;
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  for (const auto& l : items_) {
    if (l.name == name) return l.value;
  }
  return {};
}

Labels LabelsBuilder::Build() const { return Labels(items_); }

namespace {

// Label name bytes: [a-zA-Z_] anywhere, [0-9] after the first. A table because every field
// name of every ingested log line is checked.
struct LabelNameChars {
  bool first[256] = {};
  bool rest[256] = {};
  constexpr LabelNameChars() {
    for (int c = 0; c < 256; ++c) {
      first[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      rest[c] = first[c] || (c >= '0' && c <= '9');
    }
  }
};
constexpr LabelNameChars kLabelNameChars;

}  // namespace

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !kLabelNameChars.first[static_cast<uint8_t>(name[0])]) return false;
  bool ok = true;
  for (size_t i = 1; i < name.size(); ++i) {
    ok &= kLabelNameChars.rest[static_cast<uint8_t>(name[i])];
  }
  return ok;
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Reject overlong encodings, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

absl::Status ValidateSeriesLabels(std::span<const LabelView> sorted) {
  bool has_name = false;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const LabelView& l = sorted[i];
    if (i > 0 && l.name <= sorted[i - 1].name) {
      if (l.name == sorted[i - 1].name) {
        return absl::InvalidArgumentError(StrCat("duplicate label name \"", l.name, "\""));
      }
      return absl::InvalidArgumentError(
          StrCat("label names not sorted: \"", sorted[i - 1].name, "\" before \"", l.name, "\""));
    }
    if (l.name == kMetricName) {
      if (!IsValidMetricName(l.value)) {
        return absl::InvalidArgumentError(StrCat("invalid metric name ", QuoteString(l.value)));
      }
      has_name = true;
      continue;
    }
    if (!IsValidLabelName(l.name)) {
      return absl::InvalidArgumentError(StrCat("invalid label name ", QuoteString(l.name)));
    }
    if (l.value.empty()) {
      return absl::InvalidArgumentError(StrCat("empty value for label \"", l.name, "\""));
    }
    if (!IsValidUtf8(l.value)) {
      return absl::InvalidArgumentError(StrCat("invalid UTF-8 in value of label \"", l.name, "\""));
    }
  }
  if (!has_name) return absl::InvalidArgumentError("missing or empty metric name");
  return absl::OkStatus();
}

}  // namespace vigil
