#include "storage/metrics/wal/records.h"

#include <algorithm>
#include <array>

#include "common/strings.h"
#include "common/coding.h"

namespace vigil::wal {
namespace {


// Smallest encoded entry of each record type, to cap reservations by the input size.
constexpr size_t kMinSeriesEntry = 2;     // ref, label count
constexpr size_t kMinSampleEntry = 10;    // ref delta, time delta, 8-byte value
constexpr size_t kMinTombstoneEntry = 3;  // ref, mint, maxt
constexpr size_t kMinExemplarEntry = 11;  // as a sample, plus a label count
constexpr size_t kMinMetadataEntry = 4;   // name, type, unit, help
constexpr size_t kMinLabel = 2;           // two empty strings

std::string_view RecordName(RecordType t) {
  switch (t) {
    case RecordType::kSeries:
      return "series";
    case RecordType::kSamples:
      return "samples";
    case RecordType::kTombstones:
      return "tombstones";
    case RecordType::kExemplars:
      return "exemplars";
    case RecordType::kMetadata:
      return "metadata";
    case RecordType::kUnknown:
      break;
  }
  return "unknown";
}

// Decoding state shared by all record types: the cursor, the entry being decoded and the
// error that names both.
class RecordDecoder {
 public:
  RecordDecoder(std::string_view rec, RecordType type) : in_(rec), type_(type) {}

  // Checks the type byte and reads the entry count.
  absl::Status Begin(uint64_t* count) {
    uint8_t t;
    if (!in_.Byte(&t)) return Error("empty record");
    if (t != static_cast<uint8_t>(type_)) {
      return Error(StrCat("record type byte is ", static_cast<int>(t), " (",
                          RecordName(static_cast<RecordType>(t)), "), expected ",
                          static_cast<int>(type_)));
    }
    if (!in_.Uvarint(count)) return Error("truncated entry count");
    count_ = *count;
    return absl::OkStatus();
  }

  // A reservation the input can actually back, whatever the count claims.
  size_t Reservable(size_t min_entry) const {
    return static_cast<size_t>(std::min<uint64_t>(count_, in_.remaining() / min_entry));
  }

  absl::Status End() {
    if (in_.remaining() != 0) {
      return Error(StrCat(in_.remaining(), " trailing bytes after ", count_, " entries"));
    }
    return absl::OkStatus();
  }

  absl::Status Truncated(std::string_view field) {
    return Error(
        StrCat("truncated or malformed ", field, " in entry ", entry_ + 1, " of ", count_));
  }

  absl::Status Error(std::string_view problem) {
    return absl::DataLossError(
        StrCat("wal ", RecordName(type_), " record: ", problem, " (at byte ", in_.offset(), ")"));
  }

  // Labels as a count and name/value strings; names must be strictly ascending.
  absl::Status ReadLabels(Labels* out) {
    uint64_t n;
    if (!in_.Uvarint(&n)) return Truncated("label count");
    if (n > in_.remaining() / kMinLabel) return Truncated("label count");
    std::vector<Label> items;
    items.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view name, value;
      if (!in_.String(&name)) return Truncated("label name");
      if (!in_.String(&value)) return Truncated("label value");
      if (!items.empty() && !(items.back().name < name)) {
        return Error(StrCat("label names not sorted and unique in entry ", entry_ + 1, ": ",
                            QuoteString(vigil::Truncated(items.back().name, 64)), " then ",
                            QuoteString(vigil::Truncated(name, 64))));
      }
      items.push_back(Label{std::string(name), std::string(value)});
    }
    *out = Labels(std::move(items));
    return absl::OkStatus();
  }

  ByteReader& in() { return in_; }
  void set_entry(uint64_t i) { entry_ = i; }

 private:
  ByteReader in_;
  RecordType type_;
  uint64_t count_ = 0;
  uint64_t entry_ = 0;
};

void PutLabels(std::string* out, const Labels& labels) {
  PutUvarint(out, labels.size());
  for (const auto& l : labels) {
    PutString(out, l.name);
    PutString(out, l.value);
  }
}

void BeginRecord(RecordType t, size_t count, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(t));
  PutUvarint(out, count);
}

// Deltas wrap in two's complement, so any pair of refs or timestamps round-trips.
int64_t WrappingDelta(uint64_t v, uint64_t base) { return static_cast<int64_t>(v - base); }
uint64_t WrappingAdd(uint64_t base, int64_t d) { return base + static_cast<uint64_t>(d); }

}  // namespace

RecordType PeekType(std::string_view record) {
  if (record.empty()) return RecordType::kUnknown;
  uint8_t b = static_cast<uint8_t>(record[0]);
  if (b >= static_cast<uint8_t>(RecordType::kSeries) &&
      b <= static_cast<uint8_t>(RecordType::kMetadata)) {
    return static_cast<RecordType>(b);
  }
  return RecordType::kUnknown;
}

void EncodeSeries(std::span<const RefSeries> series, std::string* out) {
  BeginRecord(RecordType::kSeries, series.size(), out);
  for (const RefSeries& s : series) {
    PutUvarint(out, s.ref);
    PutLabels(out, s.labels);
  }
}

absl::Status DecodeSeries(std::string_view record, std::vector<RefSeries>* out) {
  out->clear();
  RecordDecoder d(record, RecordType::kSeries);
  uint64_t count = 0;
  if (absl::Status st = d.Begin(&count); !st.ok()) return st;
  out->reserve(d.Reservable(kMinSeriesEntry));
  for (uint64_t i = 0; i < count; ++i) {
    d.set_entry(i);
    RefSeries s;
    if (!d.in().Uvarint(&s.ref)) return d.Truncated("ref");
    if (absl::Status st = d.ReadLabels(&s.labels); !st.ok()) return st;
    out->push_back(std::move(s));
  }
  return d.End();
}

// Samples and exemplars share a layout: a base ref and timestamp, then per entry the ref and
// timestamp as deltas from the base, the value, and (exemplars) the entry's own labels.
template <typename T, typename Extra>
void EncodeDeltaEntries(RecordType type, std::span<const T> entries, size_t entry_bytes,
                        std::string* out, Extra extra) {
  BeginRecord(type, entries.size(), out);
  if (entries.empty()) return;
  out->reserve(out->size() + 20 + entries.size() * entry_bytes);
  const T& base = entries.front();
  PutUvarint(out, base.ref);
  PutVarint(out, base.t);
  for (const T& e : entries) {
    PutVarint(out, WrappingDelta(e.ref, base.ref));
    PutVarint(out, WrappingDelta(static_cast<uint64_t>(e.t), static_cast<uint64_t>(base.t)));
    PutDouble(out, e.v);
    extra(e, out);
  }
}

template <typename T, typename Extra>
absl::Status DecodeDeltaEntries(std::string_view record, RecordType type, size_t min_entry,
                                std::vector<T>* out, Extra extra) {
  out->clear();
  RecordDecoder d(record, type);
  uint64_t count = 0;
  if (absl::Status st = d.Begin(&count); !st.ok()) return st;
  if (count == 0) return d.End();
  uint64_t base_ref;
  int64_t base_t;
  if (!d.in().Uvarint(&base_ref)) return d.Truncated("base ref");
  if (!d.in().Varint(&base_t)) return d.Truncated("base timestamp");
  out->reserve(d.Reservable(min_entry));
  for (uint64_t i = 0; i < count; ++i) {
    d.set_entry(i);
    int64_t dref, dt;
    T e;
    if (!d.in().Varint(&dref)) return d.Truncated("ref delta");
    if (!d.in().Varint(&dt)) return d.Truncated("timestamp delta");
    if (!d.in().Double(&e.v)) return d.Truncated("value");
    if (absl::Status st = extra(d, &e); !st.ok()) return st;
    e.ref = WrappingAdd(base_ref, dref);
    e.t = static_cast<int64_t>(WrappingAdd(static_cast<uint64_t>(base_t), dt));
    out->push_back(std::move(e));
  }
  return d.End();
}

void EncodeSamples(std::span<const RefSample> samples, std::string* out) {
  EncodeDeltaEntries(RecordType::kSamples, samples, 12, out, [](const RefSample&, std::string*) {});
}

absl::Status DecodeSamples(std::string_view record, std::vector<RefSample>* out) {
  return DecodeDeltaEntries(record, RecordType::kSamples, kMinSampleEntry, out,
                            [](RecordDecoder&, RefSample*) { return absl::OkStatus(); });
}

void EncodeTombstones(std::span<const RefTombstone> tombstones, std::string* out) {
  BeginRecord(RecordType::kTombstones, tombstones.size(), out);
  for (const RefTombstone& t : tombstones) {
    PutUvarint(out, t.ref);
    PutVarint(out, t.mint);
    PutVarint(out, t.maxt);
  }
}

absl::Status DecodeTombstones(std::string_view record, std::vector<RefTombstone>* out) {
  out->clear();
  RecordDecoder d(record, RecordType::kTombstones);
  uint64_t count = 0;
  if (absl::Status st = d.Begin(&count); !st.ok()) return st;
  out->reserve(d.Reservable(kMinTombstoneEntry));
  for (uint64_t i = 0; i < count; ++i) {
    d.set_entry(i);
    RefTombstone t;
    if (!d.in().Uvarint(&t.ref)) return d.Truncated("ref");
    if (!d.in().Varint(&t.mint)) return d.Truncated("mint");
    if (!d.in().Varint(&t.maxt)) return d.Truncated("maxt");
    out->push_back(t);
  }
  return d.End();
}

void EncodeExemplars(std::span<const RefExemplar> exemplars, std::string* out) {
  EncodeDeltaEntries(RecordType::kExemplars, exemplars, 32, out,
                     [](const RefExemplar& e, std::string* o) { PutLabels(o, e.labels); });
}

absl::Status DecodeExemplars(std::string_view record, std::vector<RefExemplar>* out) {
  return DecodeDeltaEntries(record, RecordType::kExemplars, kMinExemplarEntry, out,
                            [](RecordDecoder& d, RefExemplar* e) { return d.ReadLabels(&e->labels); });
}

void EncodeMetadata(std::span<const RefMetadata> metadata, std::string* out) {
  BeginRecord(RecordType::kMetadata, metadata.size(), out);
  for (const RefMetadata& m : metadata) {
    PutString(out, m.metric);
    out->push_back(static_cast<char>(m.type));
    PutString(out, m.unit);
    PutString(out, m.help);
  }
}

absl::Status DecodeMetadata(std::string_view record, std::vector<RefMetadata>* out) {
  out->clear();
  RecordDecoder d(record, RecordType::kMetadata);
  uint64_t count = 0;
  if (absl::Status st = d.Begin(&count); !st.ok()) return st;
  out->reserve(d.Reservable(kMinMetadataEntry));
  for (uint64_t i = 0; i < count; ++i) {
    d.set_entry(i);
    std::string_view metric, unit, help;
    uint8_t type;
    if (!d.in().String(&metric)) return d.Truncated("metric name");
    if (!d.in().Byte(&type)) return d.Truncated("metric type");
    if (type >= kMetricTypeCount) {
      return d.Error(StrCat("unknown metric type ", static_cast<int>(type), " in entry ", i + 1));
    }
    if (!d.in().String(&unit)) return d.Truncated("unit");
    if (!d.in().String(&help)) return d.Truncated("help");
    out->push_back(RefMetadata{std::string(metric), static_cast<MetricType>(type),
                               std::string(unit), std::string(help)});
  }
  return d.End();
}

}  // namespace vigil::wal
