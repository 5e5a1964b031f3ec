// The envelope of an OTLP protobuf request (see otlp_envelope.h), walked once for every signal:
// requests, resources and scopes are read here; the signal's decoder is called back per
// resource (its attributes already decoded), per scope (its name and version) and per item
// (its bytes).
//
//   OtlpProtoEnvelope env(kOtlpTracesEnvelope, &values);
//   std::string fatal;
//   if (!env.Walk(body, &result, visitor, &fatal)) { /* "malformed ... request: " + fatal */ }
//
// The visitor provides:
//   void OnResource(std::span<const OtlpAttribute> attributes, std::string* error);
//       *error is already set ("resource: ...", attributes empty) when the attributes do not
//       decode; the visitor may set it (a stream that cannot be interned). Set, it refuses every
//       entry of the resource with one message.
//   void OnResourceEnd();
//   void OnScope(std::string_view name, std::string_view version, std::string* error);
//       Raw bytes (UTF-8 unchecked); *error is "malformed scope: ..." when the scope's framing
//       is broken; the visitor may set it. Set, it refuses every entry of the scope.
//   static constexpr bool kItemsAreEntries;
//   true:  bool OnEntry(std::string_view item, std::string* error);
//       Each item is one entry: the walker counts it (refusals.Admit) and calls OnEntry only
//       when it is to be decoded; false refuses it with
//       `resource_spans[0].scope_spans[1].spans[3]: <error>`.
//   false: bool OnItem(std::string_view item, size_t index, std::string* fatal);
//       Items hold the entries (metrics hold data points): the visitor counts them through
//       refusals(); false fails the request with *fatal.
//
// Errors that fail the request (false, *fatal without the signal's prefix): broken framing of
// the request, a resource or a scope, or fields 1 and 2 of a resource or scope not
// length-delimited: `resource_spans[0].scope_spans[1]: spans has wire type varint, expected
// length-delimited`.
//
// Thread-safety: per-decoder scratch, one thread at a time.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/proto_wire.h"
#include "ingest/otlp/otlp_envelope.h"
#include "ingest/otlp/otlp_proto_values.h"

namespace vigil {

// Field 1 of a Resource<Signal> / Scope<Signal> message `pb` in *first (empty when absent),
// checking that fields 1 and 2 (named `first_name`, `items_name`) are length-delimited. False
// with *fatal on broken framing.
bool SplitOtlpProtoContainer(std::string_view pb, std::string_view first_name,
                             std::string_view items_name, std::string_view* first,
                             std::string* fatal);
// InstrumentationScope{name = 1, version = 2}; *error "malformed scope: ..." on broken framing.
void DecodeOtlpProtoScope(std::string_view pb, std::string_view* name, std::string_view* version,
                          std::string* error);
// "<field> has wire type varint, expected length-delimited".
std::string OtlpWrongWireType(std::string_view field, proto::WireType got, proto::WireType want);

// One message's fields by number (entry 0 and unused numbers have an empty name).
struct OtlpField {
  std::string_view name;
  proto::WireType type = proto::kVarint;
};
// What to do with field `f` of wire type `t`: kSkip a field the table does not know, kRead a
// known one, kBad (with *error) a known field of another wire type.
enum class OtlpFieldCheck { kSkip, kRead, kBad };
OtlpFieldCheck CheckOtlpField(uint32_t f, proto::WireType t, std::span<const OtlpField> fields,
                              std::string* error);

class OtlpProtoEnvelope {
 public:
  OtlpProtoEnvelope(const OtlpEnvelopeNames& names, OtlpProtoValues* values)
      : names_(&names), values_(values) {}

  OtlpRefusals& refusals() { return refusals_; }

  // Walks `body`, counting entries and refusals into *result. False with *fatal when the
  // request cannot be decoded.
  template <typename Visitor>
  bool Walk(std::string_view body, DecodeResult* result, Visitor& visitor, std::string* fatal);

 private:
  template <typename Visitor>
  bool WalkResource(std::string_view pb, size_t index, Visitor& visitor, std::string* fatal);
  template <typename Visitor>
  bool WalkScope(std::string_view pb, size_t index, Visitor& visitor, std::string* fatal);

  const OtlpEnvelopeNames* names_;
  OtlpProtoValues* values_;
  OtlpRefusals refusals_;
  std::vector<OtlpAttribute> resource_attrs_;
  std::string error_;
};

template <typename Visitor>
bool OtlpProtoEnvelope::Walk(std::string_view body, DecodeResult* result, Visitor& visitor,
                             std::string* fatal) {
  refusals_.Reset(result, names_, /*json=*/false);
  fatal->clear();
  proto::WireReader r(body);
  uint32_t f;
  proto::WireType t;
  size_t index = 0;
  while (r.NextField(&f, &t)) {
    if (f != 1) {
      r.Skip(t);
      continue;
    }
    if (t != proto::kLengthDelimited) {
      *fatal = OtlpWrongWireType(names_->resources, t, proto::kLengthDelimited);
      return false;
    }
    std::string_view bytes;
    if (!r.ReadBytes(&bytes)) break;
    if (!WalkResource(bytes, index++, visitor, fatal)) return false;
  }
  if (r.failed()) {
    *fatal = r.error();
    return false;
  }
  return true;
}

template <typename Visitor>
bool OtlpProtoEnvelope::WalkResource(std::string_view pb, size_t index, Visitor& visitor,
                                     std::string* fatal) {
  std::string_view resource;
  if (!SplitOtlpProtoContainer(pb, "resource", names_->scopes, &resource, fatal)) {
    *fatal = StrCat(names_->resources, "[", index, "]: ", *fatal);
    return false;
  }
  refusals_.BeginResource(index);
  std::string& error = refusals_.resource_error();
  if (!values_->Attributes(resource, 1, &resource_attrs_, &error)) {
    error = StrCat("resource: ", error);
    resource_attrs_.clear();
  }
  visitor.OnResource(std::span<const OtlpAttribute>(resource_attrs_), &error);
  proto::WireReader r(pb);
  uint32_t f;
  proto::WireType t;
  size_t scope = 0;
  while (r.NextField(&f, &t)) {
    std::string_view bytes;
    if (f != 2) {
      r.Skip(t);
      continue;
    }
    if (!r.ReadBytes(&bytes)) break;
    if (!WalkScope(bytes, scope++, visitor, fatal)) return false;
  }
  visitor.OnResourceEnd();
  refusals_.EndResource();
  return true;
}

template <typename Visitor>
bool OtlpProtoEnvelope::WalkScope(std::string_view pb, size_t index, Visitor& visitor,
                                  std::string* fatal) {
  std::string_view scope;
  if (!SplitOtlpProtoContainer(pb, "scope", names_->items, &scope, fatal)) {
    *fatal = StrCat(names_->resources, "[", refusals_.resource(), "].", names_->scopes, "[", index,
                    "]: ", *fatal);
    return false;
  }
  refusals_.BeginScope(index);
  std::string_view name, version;
  DecodeOtlpProtoScope(scope, &name, &version, &refusals_.scope_error());
  visitor.OnScope(name, version, &refusals_.scope_error());
  proto::WireReader r(pb);
  uint32_t f;
  proto::WireType t;
  size_t item = 0;
  while (r.NextField(&f, &t)) {
    std::string_view bytes;
    if (f != 2) {
      r.Skip(t);
      continue;
    }
    if (!r.ReadBytes(&bytes)) break;
    const size_t i = item++;
    if constexpr (Visitor::kItemsAreEntries) {
      size_t ordinal;
      if (!refusals_.Admit(&ordinal)) continue;
      if (!visitor.OnEntry(bytes, &error_)) {
        refusals_.result()->Refuse(ordinal, 1, names_->resources, "[", refusals_.resource(), "].",
                                   names_->scopes, "[", index, "].", names_->items, "[", i,
                                   "]: ", error_);
      }
    } else {
      if (!visitor.OnItem(bytes, i, fatal)) return false;
    }
  }
  refusals_.EndScope();
  return true;
}

}  // namespace vigil
