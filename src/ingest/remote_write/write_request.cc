#include "ingest/remote_write/write_request.h"

#include <bit>
#include <cstring>

#include <snappy.h>

#include "common/coding.h"
#include "common/proto_wire.h"
#include "common/strings.h"

namespace vigil {
namespace {

using proto::WireReader;
using proto::WireType;

bool Expect(WireReader& r, WireType got, WireType want, const char* field) {
  if (got == want) return true;
  return r.Fail(field);
}

bool DecodeLabel(std::string_view pb, std::vector<LabelView>* out, WireReader& outer) {
  // Fast path for the layout every encoder produces for short strings: name tag, 1-byte
  // length, name, value tag, 1-byte length, value.
  const auto* b = reinterpret_cast<const uint8_t*>(pb.data());
  const size_t n = pb.size();
  if (n >= 4 && b[0] == 0x0a && b[1] < 0x80 && size_t{b[1]} + 4 <= n) {
    size_t name_len = b[1];
    size_t v = 2 + name_len;
    if (b[v] == 0x12 && b[v + 1] < 0x80 && v + 2 + b[v + 1] == n) {
      out->push_back({pb.substr(2, name_len), pb.substr(v + 2, b[v + 1])});
      return true;
    }
  }
  WireReader r(pb);
  LabelView l;
  uint32_t f;
  WireType t;
  while (r.NextField(&f, &t)) {
    if (f == 1 && t == proto::kLengthDelimited) {
      r.ReadBytes(&l.name);
    } else if (f == 2 && t == proto::kLengthDelimited) {
      r.ReadBytes(&l.value);
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) return outer.FailWith(StrCat("Label: ", r.error()));
  out->push_back(l);
  return true;
}

bool DecodeSample(std::string_view pb, std::vector<Sample>* out, WireReader& outer) {
  // Fast path for the layout every encoder writes: value (key 0x09, 8 bytes), then
  // timestamp (key 0x10, a varint that ends the message).
  const auto* b = reinterpret_cast<const uint8_t*>(pb.data());
  if (pb.size() >= 11 && b[0] == 0x09 && b[9] == 0x10) {
    const uint8_t* p = b + 10;
    uint64_t ts;
    if (DecodeUvarint(&p, b + pb.size(), &ts) && p == b + pb.size()) {
      uint64_t bits;
      std::memcpy(&bits, b + 1, 8);
      out->push_back({static_cast<int64_t>(ts), std::bit_cast<double>(bits)});
      return true;
    }
  }
  WireReader r(pb);
  Sample s{0, 0};
  uint32_t f;
  WireType t;
  while (r.NextField(&f, &t)) {
    if (f == 1) {
      if (!Expect(r, t, proto::kFixed64, "Sample.value must be a double")) break;
      s.v = r.ReadDouble();
    } else if (f == 2) {
      uint64_t ts;
      if (!Expect(r, t, proto::kVarint, "Sample.timestamp must be a varint")) break;
      if (r.ReadVarint(&ts)) s.t = static_cast<int64_t>(ts);
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) return outer.FailWith(StrCat("Sample: ", r.error()));
  out->push_back(s);
  return true;
}

bool DecodeExemplar(std::string_view pb, WriteRequestView* out, WireReader& outer) {
  WireReader r(pb);
  WriteExemplarView e{static_cast<uint32_t>(out->labels.size()), 0, 0, 0};
  uint32_t f;
  WireType t;
  while (r.NextField(&f, &t)) {
    std::string_view bytes;
    if (f == 1 && t == proto::kLengthDelimited) {
      if (r.ReadBytes(&bytes) && !DecodeLabel(bytes, &out->labels, r)) break;
    } else if (f == 2) {
      if (!Expect(r, t, proto::kFixed64, "Exemplar.value must be a double")) break;
      e.value = r.ReadDouble();
    } else if (f == 3) {
      uint64_t ts;
      if (!Expect(r, t, proto::kVarint, "Exemplar.timestamp must be a varint")) break;
      if (r.ReadVarint(&ts)) e.t = static_cast<int64_t>(ts);
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) return outer.FailWith(StrCat("Exemplar: ", r.error()));
  e.labels_end = static_cast<uint32_t>(out->labels.size());
  out->exemplars.push_back(e);
  return true;
}

// Decodes one TimeSeries; on failure rolls the flat arrays back to where they were.
bool DecodeTimeSeries(std::string_view pb, WriteRequestView* out, WireReader& outer) {
  TimeSeriesView ts{};
  ts.message = pb;
  const uint32_t labels_begin = static_cast<uint32_t>(out->labels.size());
  ts.samples_begin = static_cast<uint32_t>(out->samples.size());
  ts.exemplars_begin = static_cast<uint32_t>(out->exemplars.size());
  WireReader r(pb);
  uint32_t f;
  WireType t;
  bool ok = true;
  bool has_exemplars = false;
  // Label fields seen so far form one run [label_start, label_end) unless another field
  // came between them.
  size_t label_start = 0, label_end = 0;
  bool labels_contiguous = true;
  // Pass 1: series labels, samples, histogram count.
  while (ok) {
    size_t field_start = r.offset();
    if (!r.NextField(&f, &t)) break;
    std::string_view bytes;
    if (t == proto::kLengthDelimited && (f == 1 || f == 2 || f == 3 || f == 4)) {
      if (!r.ReadBytes(&bytes)) break;
      if (f == 1) {
        if (label_end == 0) {
          label_start = field_start;
        } else if (label_end != field_start) {
          labels_contiguous = false;
        }
        label_end = r.offset();
      }
      if (f == 2) ok = DecodeSample(bytes, &out->samples, r);
      if (f == 3) has_exemplars = true;
      if (f == 4) ++ts.histograms;
    } else {
      r.Skip(t);
    }
  }
  // Pass 2: exemplars.
  std::string r2_error;
  if (ok && !r.failed() && has_exemplars) {
    WireReader r2(pb);
    while (ok && r2.NextField(&f, &t)) {
      std::string_view bytes;
      if (f == 3 && t == proto::kLengthDelimited) {
        if (!r2.ReadBytes(&bytes)) break;
        ok = DecodeExemplar(bytes, out, r2);
      } else {
        r2.Skip(t);
      }
    }
    if (r2.failed()) {
      ok = false;
      r2_error = r2.error();
    }
  }
  if (!ok || r.failed()) {
    out->labels.resize(labels_begin);
    out->samples.resize(ts.samples_begin);
    out->exemplars.resize(ts.exemplars_begin);
    const std::string& why = r.failed() ? r.error() : r2_error;
    return outer.FailWith(why);
  }
  ts.samples_end = static_cast<uint32_t>(out->samples.size());
  ts.exemplars_end = static_cast<uint32_t>(out->exemplars.size());
  if (labels_contiguous && label_end > label_start) {
    ts.packed_labels = pb.substr(label_start, label_end - label_start);
  }
  out->series.push_back(ts);
  return true;
}

}  // namespace

absl::Status DecodeSeriesLabels(const TimeSeriesView& ts, std::vector<LabelView>* out) {
  WireReader r(ts.message);
  uint32_t f;
  WireType t;
  while (r.NextField(&f, &t)) {
    std::string_view bytes;
    if (f == 1 && t == proto::kLengthDelimited) {
      if (r.ReadBytes(&bytes) && !DecodeLabel(bytes, out, r)) break;
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) return absl::InvalidArgumentError(StrCat("malformed remote_write labels: ", r.error()));
  return absl::OkStatus();
}

namespace {

bool DecodeMetadata(std::string_view pb, std::vector<WriteMetadataView>* out, WireReader& outer) {
  WireReader r(pb);
  WriteMetadataView m{};
  uint32_t f;
  WireType t;
  while (r.NextField(&f, &t)) {
    uint64_t v;
    if (f == 1 && t == proto::kVarint) {
      if (r.ReadVarint(&v)) m.type = MetricTypeFromNumber(v);
    } else if (f == 2 && t == proto::kLengthDelimited) {
      r.ReadBytes(&m.family);
    } else if (f == 4 && t == proto::kLengthDelimited) {
      r.ReadBytes(&m.help);
    } else if (f == 5 && t == proto::kLengthDelimited) {
      r.ReadBytes(&m.unit);
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) return outer.FailWith(StrCat("MetricMetadata: ", r.error()));
  out->push_back(m);
  return true;
}

}  // namespace

void WriteRequestView::Clear() {
  series.clear();
  labels.clear();
  samples.clear();
  exemplars.clear();
  metadata.clear();
}

absl::Status DecodeWriteRequest(std::string_view pb, WriteRequestView* out) {
  out->Clear();
  WireReader r(pb);
  uint32_t f;
  WireType t;
  while (r.NextField(&f, &t)) {
    std::string_view bytes;
    if (f == 1 && t == proto::kLengthDelimited) {
      size_t at = r.offset();
      if (!r.ReadBytes(&bytes)) break;
      WireReader inner(bytes);
      if (!DecodeTimeSeries(bytes, out, inner)) {
        return absl::InvalidArgumentError(StrCat("malformed remote_write request: time series ",
                                                 out->series.size() + 1, " (at byte ", at,
                                                 "): ", inner.error()));
      }
    } else if (f == 3 && t == proto::kLengthDelimited) {
      if (!r.ReadBytes(&bytes)) break;
      WireReader inner(bytes);
      if (!DecodeMetadata(bytes, &out->metadata, inner)) {
        return absl::InvalidArgumentError(
            StrCat("malformed remote_write request: metadata: ", inner.error()));
      }
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) {
    return absl::InvalidArgumentError(StrCat("malformed remote_write request: ", r.error()));
  }
  return absl::OkStatus();
}

void EncodeWriteRequest(const std::vector<WriteSeries>& series, std::string* out) {
  // Canonical protobuf (minimal length varints), as gogo/protobuf encoders write it: every
  // nested message is encoded into a scratch string first so its length is known.
  std::string ts, msg;
  for (const auto& s : series) {
    ts.clear();
    ts.append(s.labels.packed());  // the packed form is the encoded `repeated Label labels = 1`
    proto::WireWriter w(&ts);
    for (const auto& smp : s.samples) {
      msg.clear();
      proto::WireWriter m(&msg);
      m.DoubleField(1, smp.v);
      if (smp.t != 0) m.VarintField(2, static_cast<uint64_t>(smp.t));
      w.BytesField(2, msg);
    }
    for (const auto& e : s.exemplars) {
      msg.clear();
      msg.append(e.labels.packed());
      proto::WireWriter m(&msg);
      m.DoubleField(2, e.value);
      if (e.t != 0) m.VarintField(3, static_cast<uint64_t>(e.t));
      w.BytesField(3, msg);
    }
    proto::WireWriter(out).BytesField(1, ts);
  }
}

std::string SnappyCompress(std::string_view raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

}  // namespace vigil
