// The data-point half of the OTLP metrics protobuf decoder: points, exemplars, attributes.
#include <bit>
#include <cstring>
#include <span>

#include "common/proto_wire.h"
#include "common/strings.h"
#include "ingest/otlp/otlp_ids.h"
#include "ingest/otlp_metrics/otlp_metrics_proto.h"

namespace vigil {
namespace {

using proto::WireReader;
using proto::WireType;

std::string WrongWireType(std::string_view field, WireType got, WireType want) {
  return StrCat(field, " has wire type ", proto::WireTypeName(got), ", expected ",
                proto::WireTypeName(want));
}

// What a field of a data point holds.
enum class Role {
  kSkip,
  kAttrs,
  kStart,
  kTime,
  kDouble,
  kInt,
  kExemplar,
  kFlags,
  kCount,
  kSum,
  kBuckets,
  kBounds,
  kQuantile,
};

constexpr std::string_view kRoleNames[] = {"",
                                           "attributes",
                                           "start_time_unix_nano",
                                           "time_unix_nano",
                                           "as_double",
                                           "as_int",
                                           "exemplars",
                                           "flags",
                                           "count",
                                           "sum",
                                           "bucket_counts",
                                           "explicit_bounds",
                                           "quantile_values"};

// The role of each field number of NumberDataPoint, HistogramDataPoint and SummaryDataPoint
// (start_time_unix_nano = 2 and time_unix_nano = 3 in all three).
using R = Role;
constexpr Role kNumberRoles[] = {R::kSkip,     R::kSkip, R::kStart, R::kTime, R::kDouble,
                                 R::kExemplar, R::kInt,  R::kAttrs, R::kFlags};
constexpr Role kHistogramRoles[] = {R::kSkip,     R::kSkip,  R::kStart,   R::kTime,
                                    R::kCount,    R::kSum,   R::kBuckets, R::kBounds,
                                    R::kExemplar, R::kAttrs, R::kFlags};
constexpr Role kSummaryRoles[] = {R::kSkip, R::kSkip,     R::kStart, R::kTime, R::kCount,
                                  R::kSum,  R::kQuantile, R::kAttrs, R::kFlags};

Role RoleOf(OtlpMetricKind kind, uint32_t f) {
  std::span<const Role> roles;
  switch (kind) {
    case OtlpMetricKind::kGauge:
    case OtlpMetricKind::kSum:
      roles = kNumberRoles;
      break;
    case OtlpMetricKind::kHistogram:
      roles = kHistogramRoles;
      break;
    case OtlpMetricKind::kSummary:
      roles = kSummaryRoles;
      break;
    default:
      return Role::kSkip;
  }
  return f < roles.size() ? roles[f] : Role::kSkip;
}

// A repeated fixed64 field: packed (one length-delimited run) or one value per field.
bool ReadRepeatedFixed64(WireReader& r, WireType t, std::string_view name,
                         std::vector<uint64_t>* out, std::string* error) {
  if (t == proto::kFixed64) {
    uint64_t v = 0;
    if (r.ReadFixed64(&v)) out->push_back(v);
    return true;
  }
  std::string_view packed;
  if (!r.ReadBytes(&packed)) return true;  // the caller reports the reader's error
  if (packed.size() % 8 != 0) {
    *error = StrCat(name, ": packed length ", packed.size(), " is not a multiple of 8");
    return false;
  }
  for (size_t i = 0; i < packed.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, packed.data() + i, 8);  // little-endian, as protobuf
    out->push_back(v);
  }
  return true;
}

}  // namespace

bool OtlpMetricsProtoDecoder::AppendAttribute(std::string_view kv, std::vector<OtlpAttribute>* out,
                                              std::string* error) {
  std::string_view key, value, text;
  if (!OtlpProtoValues::DecodeKeyValue(kv, &key, &value, error)) return false;
  bool set;
  OtlpValueType type = OtlpValueType::kString;
  if (!values_.AnyValueText(value, &text, &set, error, &type)) {
    *error = StrCat("attribute ", QuoteString(Truncated(key, 64)), ": ", *error);
    return false;
  }
  if (set && !key.empty()) out->push_back({key, text, type});
  return true;
}

bool OtlpMetricsProtoDecoder::DecodeExemplar(std::string_view pb, std::string* error) {
  OtlpExemplarPoint e;
  e.attrs_begin = e.attrs_end = static_cast<uint32_t>(point_.exemplar_attrs.size());
  WireReader r(pb);
  uint32_t f;
  WireType t;
  std::string_view trace_id, span_id;
  while (r.NextField(&f, &t)) {
    static constexpr std::string_view kNames[] = {
        "",        "",         "time_unix_nano", "as_double",
        "span_id", "trace_id", "as_int",         "filtered_attributes"};
    if (f < 2 || f > 7) {
      r.Skip(t);
      continue;
    }
    const WireType want = f == 2 || f == 3 || f == 6 ? proto::kFixed64 : proto::kLengthDelimited;
    if (t != want) {
      *error = WrongWireType(StrCat("exemplar ", kNames[f]), t, want);
      return false;
    }
    uint64_t v = 0;
    std::string_view bytes;
    switch (f) {
      case 2:
        r.ReadFixed64(&e.time_ns);
        break;
      case 3:
        if (r.ReadFixed64(&v)) e.value = std::bit_cast<double>(v);
        break;
      case 6:
        if (r.ReadFixed64(&v)) e.value = static_cast<double>(static_cast<int64_t>(v));
        break;
      case 4:
        r.ReadBytes(&span_id);
        break;
      case 5:
        r.ReadBytes(&trace_id);
        break;
      case 7:
        if (r.ReadBytes(&bytes) && !AppendAttribute(bytes, &point_.exemplar_attrs, error)) {
          *error = StrCat("exemplar filtered_attributes: ", *error);
          return false;
        }
        break;
      default:
        break;
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed exemplar: ", r.error());
    return false;
  }
  if (!EncodeRawId(IdKind::kTrace, trace_id, batch_->arena(), &e.trace_id, error) ||
      !EncodeRawId(IdKind::kSpan, span_id, batch_->arena(), &e.span_id, error)) {
    *error = StrCat("exemplar: ", *error);
    return false;
  }
  e.attrs_end = static_cast<uint32_t>(point_.exemplar_attrs.size());
  point_.exemplars.push_back(e);
  return true;
}

bool OtlpMetricsProtoDecoder::DecodePoint(std::string_view pb, OtlpMetricKind kind,
                                          std::string* error) {
  point_.Clear();
  WireReader r(pb);
  uint32_t f;
  WireType t;
  while (r.NextField(&f, &t)) {
    const Role role = RoleOf(kind, f);
    if (role == Role::kSkip) {
      r.Skip(t);
      continue;
    }
    WireType want = proto::kFixed64;
    if (role == Role::kAttrs || role == Role::kExemplar || role == Role::kQuantile) {
      want = proto::kLengthDelimited;
    } else if (role == Role::kFlags) {
      want = proto::kVarint;
    }
    const bool repeated = role == Role::kBuckets || role == Role::kBounds;
    if (t != want && !(repeated && t == proto::kLengthDelimited)) {
      *error = WrongWireType(kRoleNames[static_cast<int>(role)], t, want);
      return false;
    }
    uint64_t v = 0;
    std::string_view bytes;
    switch (role) {
      case Role::kStart:
        r.ReadFixed64(&point_.start_ns);
        break;
      case Role::kTime:
        r.ReadFixed64(&point_.time_ns);
        break;
      case Role::kDouble:
        if (r.ReadFixed64(&v)) point_.value = std::bit_cast<double>(v);
        point_.has_value = true;
        break;
      case Role::kInt:
        if (r.ReadFixed64(&v)) point_.value = static_cast<double>(static_cast<int64_t>(v));
        point_.has_value = true;
        break;
      case Role::kFlags:
        r.ReadVarint(&point_.flags);
        break;
      case Role::kCount:
        r.ReadFixed64(&point_.count);
        break;
      case Role::kSum:
        if (r.ReadFixed64(&v)) point_.sum = std::bit_cast<double>(v);
        point_.has_sum = true;
        break;
      case Role::kAttrs:
        if (r.ReadBytes(&bytes) && !AppendAttribute(bytes, &point_.attrs, error)) return false;
        break;
      case Role::kExemplar:
        if (r.ReadBytes(&bytes) && !DecodeExemplar(bytes, error)) return false;
        break;
      case Role::kBuckets:
        if (!ReadRepeatedFixed64(r, t, "bucket_counts", &point_.bucket_counts, error)) {
          return false;
        }
        break;
      case Role::kBounds: {
        // Doubles share fixed64's layout: read the bits, then reinterpret the new ones.
        thread_local std::vector<uint64_t> bits;
        bits.clear();
        if (!ReadRepeatedFixed64(r, t, "explicit_bounds", &bits, error)) return false;
        for (uint64_t b : bits) point_.explicit_bounds.push_back(std::bit_cast<double>(b));
        break;
      }
      case Role::kQuantile: {
        if (!r.ReadBytes(&bytes)) break;
        // ValueAtQuantile{quantile = 1, value = 2}, both doubles.
        double q = 0, value = 0;
        WireReader qr(bytes);
        uint32_t qf;
        WireType qt;
        while (qr.NextField(&qf, &qt)) {
          if ((qf == 1 || qf == 2) && qt != proto::kFixed64) {
            *error = WrongWireType(qf == 1 ? "quantile_values.quantile" : "quantile_values.value",
                                   qt, proto::kFixed64);
            return false;
          }
          if (qf == 1 || qf == 2) {
            uint64_t b = 0;
            qr.ReadFixed64(&b);
            (qf == 1 ? q : value) = std::bit_cast<double>(b);
          } else {
            qr.Skip(qt);
          }
        }
        if (qr.failed()) {
          *error = StrCat("malformed quantile_values: ", qr.error());
          return false;
        }
        point_.quantiles.emplace_back(q, value);
        break;
      }
      case Role::kSkip:
        break;
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed data point: ", r.error());
    return false;
  }
  return true;
}

}  // namespace vigil
