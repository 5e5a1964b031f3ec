// Test helpers: hand-encoded OTLP metrics protobuf messages (field numbers per
// otlp_metrics_proto.h), built with proto::WireWriter.
#pragma once

#include <bit>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/proto_wire.h"

namespace vigil::otlp_test {

inline std::string Msg(const std::function<void(proto::WireWriter&)>& fill) {
  std::string out;
  proto::WireWriter w(&out);
  fill(w);
  return out;
}

inline uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

// KeyValue with a string AnyValue.
inline std::string KV(std::string_view key, std::string_view value) {
  std::string any = Msg([&](auto& w) { w.BytesField(1, value); });
  return Msg([&](auto& w) {
    w.BytesField(1, key);
    w.BytesField(2, any);
  });
}
// KeyValue with an int AnyValue.
inline std::string KVInt(std::string_view key, int64_t value) {
  std::string any = Msg([&](auto& w) { w.VarintField(3, static_cast<uint64_t>(value)); });
  return Msg([&](auto& w) {
    w.BytesField(1, key);
    w.BytesField(2, any);
  });
}

using Attrs = std::vector<std::string>;  // KeyValue messages

struct ExemplarSpec {
  double value = 0;
  uint64_t time_ns = 0;
  std::string trace_id, span_id;  // raw bytes
  Attrs attrs;
};

inline std::string ExemplarMsg(const ExemplarSpec& e) {
  return Msg([&](auto& w) {
    for (const auto& a : e.attrs) w.BytesField(7, a);
    if (e.time_ns) w.Fixed64Field(2, e.time_ns);
    w.Fixed64Field(3, Bits(e.value));
    if (!e.span_id.empty()) w.BytesField(4, e.span_id);
    if (!e.trace_id.empty()) w.BytesField(5, e.trace_id);
  });
}

// NumberDataPoint; `as_int` selects sfixed64 as_int instead of as_double.
inline std::string NumberPoint(const Attrs& attrs, uint64_t time_ns, double value,
                               bool as_int = false, uint64_t flags = 0,
                               const std::vector<ExemplarSpec>& exemplars = {}) {
  return Msg([&](auto& w) {
    for (const auto& a : attrs) w.BytesField(7, a);
    w.Fixed64Field(3, time_ns);
    if (as_int) {
      w.Fixed64Field(6, static_cast<uint64_t>(static_cast<int64_t>(value)));
    } else if (!(flags & 1)) {
      w.Fixed64Field(4, Bits(value));
    }
    for (const auto& e : exemplars) w.BytesField(5, ExemplarMsg(e));
    if (flags) w.VarintField(8, flags);
  });
}

inline std::string PackedFixed64(const std::vector<uint64_t>& v) {
  std::string out;
  for (uint64_t x : v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
  }
  return out;
}

struct HistogramSpec {
  Attrs attrs;
  uint64_t time_ns = 0;
  uint64_t count = 0;
  std::optional<double> sum;
  std::vector<uint64_t> buckets;
  std::vector<double> bounds;
  std::vector<ExemplarSpec> exemplars;
  uint64_t flags = 0;
  bool unpacked = false;  // repeated scalars one per field instead of packed
};

inline std::string HistogramPoint(const HistogramSpec& h) {
  return Msg([&](auto& w) {
    for (const auto& a : h.attrs) w.BytesField(9, a);
    w.Fixed64Field(3, h.time_ns);
    w.Fixed64Field(4, h.count);
    if (h.sum) w.Fixed64Field(5, Bits(*h.sum));
    std::vector<uint64_t> bounds;
    for (double b : h.bounds) bounds.push_back(Bits(b));
    if (h.unpacked) {
      for (uint64_t c : h.buckets) w.Fixed64Field(6, c);
      for (uint64_t b : bounds) w.Fixed64Field(7, b);
    } else {
      if (!h.buckets.empty()) w.BytesField(6, PackedFixed64(h.buckets));
      if (!bounds.empty()) w.BytesField(7, PackedFixed64(bounds));
    }
    for (const auto& e : h.exemplars) w.BytesField(8, ExemplarMsg(e));
    if (h.flags) w.VarintField(10, h.flags);
  });
}

inline std::string SummaryPoint(const Attrs& attrs, uint64_t time_ns, uint64_t count, double sum,
                                const std::vector<std::pair<double, double>>& quantiles) {
  return Msg([&](auto& w) {
    for (const auto& a : attrs) w.BytesField(7, a);
    w.Fixed64Field(3, time_ns);
    w.Fixed64Field(4, count);
    w.Fixed64Field(5, Bits(sum));
    for (const auto& qv : quantiles) {
      w.BytesField(6, Msg([&](auto& qw) {
                     qw.Fixed64Field(1, Bits(qv.first));
                     qw.Fixed64Field(2, Bits(qv.second));
                   }));
    }
  });
}

// Metric.data members.
enum DataField : uint32_t {
  kGauge = 5,
  kSum = 7,
  kHistogram = 9,
  kExponentialHistogram = 10,
  kSummary = 11
};

// Gauge/Summary{data_points = 1}, Sum{..., aggregation_temporality = 2, is_monotonic = 3},
// Histogram{..., aggregation_temporality = 2}.
inline std::string Data(const std::vector<std::string>& points, uint64_t temporality = 0,
                        bool monotonic = false) {
  return Msg([&](auto& w) {
    for (const auto& p : points) w.BytesField(1, p);
    if (temporality) w.VarintField(2, temporality);
    if (monotonic) w.VarintField(3, 1);
  });
}

inline std::string Metric(std::string_view name, std::string_view unit, DataField field,
                          const std::string& data, std::string_view description = "") {
  return Msg([&](auto& w) {
    w.BytesField(1, name);
    if (!description.empty()) w.BytesField(2, description);
    if (!unit.empty()) w.BytesField(3, unit);
    w.BytesField(field, data);
  });
}

inline std::string Scope(std::string_view name, std::string_view version,
                         const std::vector<std::string>& metrics) {
  std::string scope = Msg([&](auto& w) {
    if (!name.empty()) w.BytesField(1, name);
    if (!version.empty()) w.BytesField(2, version);
  });
  return Msg([&](auto& w) {
    w.BytesField(1, scope);
    for (const auto& m : metrics) w.BytesField(2, m);
  });
}

inline std::string Resource(const Attrs& attrs, const std::vector<std::string>& scopes) {
  std::string resource = Msg([&](auto& w) {
    for (const auto& a : attrs) w.BytesField(1, a);
  });
  return Msg([&](auto& w) {
    w.BytesField(1, resource);
    for (const auto& s : scopes) w.BytesField(2, s);
  });
}

inline std::string Request(const std::vector<std::string>& resources) {
  return Msg([&](auto& w) {
    for (const auto& r : resources) w.BytesField(1, r);
  });
}

}  // namespace vigil::otlp_test
