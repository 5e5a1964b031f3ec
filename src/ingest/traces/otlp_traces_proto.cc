#include "ingest/traces/otlp_traces_proto.h"

#include <charconv>
#include <limits>

#include "common/proto_wire.h"
#include "common/strings.h"
#include "ingest/common/utf8.h"

namespace vigil {
namespace {

using proto::WireReader;
using proto::WireType;

constexpr uint64_t kMaxTimeNs = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

// A varint of at most 9 bytes (larger ones, and every malformed one, are left to the general
// reader).
inline bool ShortVarint(const char*& p, const char* end, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; p < end && shift < 63; shift += 7) {
    const auto b = static_cast<uint8_t>(*p++);
    r |= uint64_t{b & 0x7fu} << shift;
    if (b < 0x80) {
      *v = r;
      return true;
    }
  }
  return false;
}

// A length-delimited payload whose tag has been read.
inline bool ShortBytes(const char*& p, const char* end, std::string_view* out) {
  uint64_t len;
  if (!ShortVarint(p, end, &len) || len > static_cast<uint64_t>(end - p)) return false;
  *out = std::string_view(p, len);
  p += len;
  return true;
}

// The fields of Span, Span.Event and Span.Link by number: names and wire types.
constexpr OtlpField kSpanFields[] = {
    {},
    {"trace_id", proto::kLengthDelimited},
    {"span_id", proto::kLengthDelimited},
    {"trace_state", proto::kLengthDelimited},
    {"parent_span_id", proto::kLengthDelimited},
    {"name", proto::kLengthDelimited},
    {"kind", proto::kVarint},
    {"start_time_unix_nano", proto::kFixed64},
    {"end_time_unix_nano", proto::kFixed64},
    {"attributes", proto::kLengthDelimited},
    {"dropped_attributes_count", proto::kVarint},
    {"events", proto::kLengthDelimited},
    {"dropped_events_count", proto::kVarint},
    {"links", proto::kLengthDelimited},
    {"dropped_links_count", proto::kVarint},
    {"status", proto::kLengthDelimited},
    {"flags", proto::kFixed32}};
constexpr OtlpField kEventFields[] = {{},
                                      {"time_unix_nano", proto::kFixed64},
                                      {"name", proto::kLengthDelimited},
                                      {"attributes", proto::kLengthDelimited},
                                      {"dropped_attributes_count", proto::kVarint}};
constexpr OtlpField kLinkFields[] = {{},
                                     {"trace_id", proto::kLengthDelimited},
                                     {"span_id", proto::kLengthDelimited},
                                     {"trace_state", proto::kLengthDelimited},
                                     {"attributes", proto::kLengthDelimited},
                                     {"dropped_attributes_count", proto::kVarint},
                                     {"flags", proto::kFixed32}};
}  // namespace

struct OtlpTracesProtoDecoder::Context {
  std::string_view scope_name, scope_version;  // of the current scope
};

OtlpTracesProtoDecoder::OtlpTracesProtoDecoder(const SpanLimits& limits)
    : spans_(limits), envelope_(kOtlpTracesEnvelope, &values_) {}

// The shapes nearly every attribute has, decoded without the general readers:
//   KeyValue{key = 1 (ASCII), value = 2 AnyValue{string_value = 1 (ASCII) | bool_value = 2 |
//   int_value = 3}}, each field once, in that order. Anything else (other members, unknown or
//   repeated fields, non-ASCII text, long varints, broken framing) returns false and takes the
//   general path, which gives the same result or the error message.
bool OtlpTracesProtoDecoder::FastAttribute(std::string_view kv, OtlpAttribute* out) {
  const char* p = kv.data();
  const char* end = p + kv.size();
  std::string_view any;
  if (p == end || *p++ != 0x0a || !ShortBytes(p, end, &out->key) || p == end || *p++ != 0x12 ||
      !ShortBytes(p, end, &any) || p != end || any.empty() || out->key.empty()) {
    return false;
  }
  p = any.data();
  end = p + any.size();
  const char tag = *p++;
  uint64_t n;
  switch (tag) {
    case 0x0a:  // string_value
      if (!ShortBytes(p, end, &out->value) || p != end) return false;
      for (char c : out->value) {
        if (static_cast<uint8_t>(c) >= 0x80) return false;
      }
      out->type = OtlpValueType::kString;
      break;
    case 0x10:  // bool_value
      if (!ShortVarint(p, end, &n) || p != end) return false;
      out->value = n != 0 ? "true" : "false";
      out->type = OtlpValueType::kBool;
      break;
    case 0x18: {  // int_value (negative ones take 10 bytes: the general path)
      if (!ShortVarint(p, end, &n) || p != end) return false;
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(n));
      out->value = batch_->arena()->Copy(std::string_view(buf, r.ptr - buf));
      out->type = OtlpValueType::kInt;
      break;
    }
    default:
      return false;
  }
  for (char c : out->key) {
    if (static_cast<uint8_t>(c) >= 0x80) return false;
  }
  return true;
}

bool OtlpTracesProtoDecoder::DecodeAttribute(std::string_view kv, OtlpAttribute* out, bool* set,
                                             std::string* error) {
  if (FastAttribute(kv, out)) {
    *set = true;
    return true;
  }
  std::string_view value;
  if (!OtlpProtoValues::DecodeKeyValue(kv, &out->key, &value, error)) return false;
  out->type = OtlpValueType::kString;
  if (!values_.AnyValueText(value, &out->value, set, error, &out->type)) {
    *error = StrCat("attribute ", QuoteString(Truncated(out->key, 64)), ": ", *error);
    return false;
  }
  *set = *set && !out->key.empty();
  return true;
}

bool OtlpTracesProtoDecoder::DecodeEvent(std::string_view pb, std::string* error) {
  SpanBatch::Event* ev = spans_.AddEvent();
  if (ev == nullptr) return true;  // past the limit: dropped (and counted) unread
  WireReader r(pb);
  uint32_t f;
  WireType t;
  uint64_t time = 0, n;
  std::string_view kv;
  OtlpAttribute a;
  bool set;
  while (r.NextField(&f, &t)) {
    OtlpFieldCheck check = CheckOtlpField(f, t, kEventFields, error);
    if (check == OtlpFieldCheck::kBad) return false;
    if (check == OtlpFieldCheck::kSkip) {
      r.Skip(t);
      continue;
    }
    switch (f) {
      case 1:
        r.ReadFixed64(&time);
        break;
      case 2:
        r.ReadBytes(&ev->name);
        break;
      case 3:
        if (!r.ReadBytes(&kv)) break;
        if (!DecodeAttribute(kv, &a, &set, error)) return false;
        if (set) spans_.AddEventAttribute(a.key, a.value, a.type);
        break;
      case 4:
        if (r.ReadVarint(&n)) AddSaturated(&ev->dropped_attributes_count, n);
        break;
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed event: ", r.error());
    return false;
  }
  if (!IsUtf8(ev->name)) {
    *error = "invalid UTF-8 in name";
    return false;
  }
  if (time > kMaxTimeNs) {
    *error = StrCat("time_unix_nano ", time, " is out of range");
    return false;
  }
  ev->time_ns = static_cast<int64_t>(time);
  return true;
}

bool OtlpTracesProtoDecoder::DecodeLink(std::string_view pb, std::string* error) {
  SpanBatch::Link* link = spans_.AddLink();
  if (link == nullptr) return true;
  WireReader r(pb);
  uint32_t f;
  WireType t;
  uint64_t n;
  uint32_t flags;
  std::string_view trace_id, span_id, kv;
  OtlpAttribute a;
  bool set;
  while (r.NextField(&f, &t)) {
    OtlpFieldCheck check = CheckOtlpField(f, t, kLinkFields, error);
    if (check == OtlpFieldCheck::kBad) return false;
    if (check == OtlpFieldCheck::kSkip) {
      r.Skip(t);
      continue;
    }
    switch (f) {
      case 1:
        r.ReadBytes(&trace_id);
        break;
      case 2:
        r.ReadBytes(&span_id);
        break;
      case 3:
        r.ReadBytes(&link->trace_state);
        break;
      case 4:
        if (!r.ReadBytes(&kv)) break;
        if (!DecodeAttribute(kv, &a, &set, error)) return false;
        if (set) spans_.AddLinkAttribute(a.key, a.value, a.type);
        break;
      case 5:
        if (r.ReadVarint(&n)) AddSaturated(&link->dropped_attributes_count, n);
        break;
      case 6:
        r.ReadFixed32(&flags);  // W3C trace flags of the linked span: not kept
        break;
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed link: ", r.error());
    return false;
  }
  if (!DecodeTraceIdBytes(trace_id, "trace_id", &link->trace_id, error) ||
      !DecodeSpanIdBytes(span_id, "span_id", IdPresence::kRequired, &link->span_id, error)) {
    return false;
  }
  if (!IsUtf8(link->trace_state)) {
    *error = "invalid UTF-8 in trace_state";
    return false;
  }
  return true;
}

bool OtlpTracesProtoDecoder::DecodeStatus(std::string_view pb, std::string* error) {
  SpanBatch::Entry& s = spans_.span();
  WireReader r(pb);
  uint32_t f;
  WireType t;
  uint64_t code = 0;
  while (r.NextField(&f, &t)) {
    if (f == 2 || f == 3) {
      const WireType want = f == 2 ? proto::kLengthDelimited : proto::kVarint;
      if (t != want) {
        *error = OtlpWrongWireType(f == 2 ? "status.message" : "status.code", t, want);
        return false;
      }
      if (f == 2) {
        r.ReadBytes(&s.status_message);
      } else {
        r.ReadVarint(&code);
      }
    } else {
      r.Skip(t);  // 1: the deprecated code
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed status: ", r.error());
    return false;
  }
  if (!IsUtf8(s.status_message)) {
    *error = "invalid UTF-8 in status.message";
    return false;
  }
  s.status = code <= 2 ? static_cast<SpanStatus>(code) : SpanStatus::kUnset;
  return true;
}

bool OtlpTracesProtoDecoder::DecodeSpan(std::string_view pb, Context& ctx, std::string* error) {
  spans_.Begin();
  SpanBatch::Entry& s = spans_.span();
  s.scope_name = ctx.scope_name;
  s.scope_version = ctx.scope_version;
  WireReader r(pb);
  uint32_t f;
  WireType t;
  uint64_t start = 0, end = 0, n;
  std::string_view trace_id, span_id, parent_id, bytes;
  OtlpAttribute a;
  bool set;
  size_t events = 0, links = 0;
  while (r.NextField(&f, &t)) {
    OtlpFieldCheck check = CheckOtlpField(f, t, kSpanFields, error);
    if (check == OtlpFieldCheck::kBad) return false;
    if (check == OtlpFieldCheck::kSkip) {
      r.Skip(t);
      continue;
    }
    switch (f) {
      case 1:
        r.ReadBytes(&trace_id);
        break;
      case 2:
        r.ReadBytes(&span_id);
        break;
      case 3:
        r.ReadBytes(&s.trace_state);
        break;
      case 4:
        r.ReadBytes(&parent_id);
        break;
      case 5:
        r.ReadBytes(&s.name);
        break;
      case 6:
        if (r.ReadVarint(&n)) s.kind = n <= 5 ? static_cast<SpanKind>(n) : SpanKind::kUnspecified;
        break;
      case 7:
        r.ReadFixed64(&start);
        break;
      case 8:
        r.ReadFixed64(&end);
        break;
      case 9:
        if (!r.ReadBytes(&bytes)) break;
        if (!DecodeAttribute(bytes, &a, &set, error)) return false;
        if (set) spans_.AddAttribute(a.key, a.value, a.type);
        break;
      case 10:
        if (r.ReadVarint(&n)) AddSaturated(&s.dropped_attributes_count, n);
        break;
      case 11:
        if (!r.ReadBytes(&bytes)) break;
        if (!DecodeEvent(bytes, error)) {
          *error = StrCat("events[", events, "]: ", *error);
          return false;
        }
        ++events;
        break;
      case 12:
        if (r.ReadVarint(&n)) AddSaturated(&s.dropped_events_count, n);
        break;
      case 13:
        if (!r.ReadBytes(&bytes)) break;
        if (!DecodeLink(bytes, error)) {
          *error = StrCat("links[", links, "]: ", *error);
          return false;
        }
        ++links;
        break;
      case 14:
        if (r.ReadVarint(&n)) AddSaturated(&s.dropped_links_count, n);
        break;
      case 15:
        if (r.ReadBytes(&bytes) && !DecodeStatus(bytes, error)) return false;
        break;
      case 16:
        r.ReadFixed32(&s.flags);
        break;
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed span: ", r.error());
    return false;
  }
  if (!DecodeTraceIdBytes(trace_id, "trace_id", &s.trace_id, error) ||
      !DecodeSpanIdBytes(span_id, "span_id", IdPresence::kRequired, &s.span_id, error) ||
      !DecodeSpanIdBytes(parent_id, "parent_span_id", IdPresence::kOptional, &s.parent_span_id,
                         error)) {
    return false;
  }
  if (!IsUtf8(s.name)) {
    *error = "invalid UTF-8 in name";
    return false;
  }
  if (!IsUtf8(s.trace_state)) {
    *error = "invalid UTF-8 in trace_state";
    return false;
  }
  spans_.SetTimes(start, end);
  return spans_.Check(error);
}

// The envelope's callbacks: resources and scopes are set on the spans that follow.
struct OtlpTracesProtoDecoder::Visitor {
  static constexpr bool kItemsAreEntries = true;
  OtlpTracesProtoDecoder& d;
  Context& ctx;

  void OnResource(std::span<const OtlpAttribute> attrs, std::string* error) {
    if (error->empty()) d.spans_.SetResource(attrs);
  }
  void OnResourceEnd() {}
  void OnScope(std::string_view name, std::string_view version, std::string* error) {
    ctx.scope_name = name;
    ctx.scope_version = version;
    if (!error->empty()) return;
    if (!IsUtf8(name)) {
      *error = "invalid UTF-8 in scope name";
    } else if (!IsUtf8(version)) {
      *error = "invalid UTF-8 in scope version";
    }
  }
  bool OnEntry(std::string_view span, std::string* error) {
    if (!d.DecodeSpan(span, ctx, error)) return false;
    d.spans_.Write();
    return true;
  }
};

SpanDecodeResult OtlpTracesProtoDecoder::Decode(std::string_view body, SpanBatch* batch) {
  SpanDecodeResult result;
  batch_ = batch;
  values_.Reset(batch->arena());
  spans_.Reset(batch, &result);
  Context ctx;
  Visitor visitor{*this, ctx};
  std::string fatal;
  if (!envelope_.Walk(body, &result, visitor, &fatal)) {
    result = SpanDecodeResult();
    result.status = absl::InvalidArgumentError(StrCat("malformed OTLP traces request: ", fatal));
    *batch = SpanBatch();
  }
  return result;
}

}  // namespace vigil
