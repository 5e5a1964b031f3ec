#include "ingest/otlp/otlp_proto_envelope.h"

#include "common/strings.h"

namespace vigil {

using proto::WireReader;
using proto::WireType;

std::string OtlpWrongWireType(std::string_view field, WireType got, WireType want) {
  return StrCat(field, " has wire type ", proto::WireTypeName(got), ", expected ",
                proto::WireTypeName(want));
}

OtlpFieldCheck CheckOtlpField(uint32_t f, WireType t, std::span<const OtlpField> fields,
                              std::string* error) {
  if (f >= fields.size() || fields[f].name.empty()) return OtlpFieldCheck::kSkip;
  if (t == fields[f].type) return OtlpFieldCheck::kRead;
  *error = OtlpWrongWireType(fields[f].name, t, fields[f].type);
  return OtlpFieldCheck::kBad;
}

bool SplitOtlpProtoContainer(std::string_view pb, std::string_view first_name,
                             std::string_view items_name, std::string_view* first,
                             std::string* fatal) {
  WireReader r(pb);
  uint32_t f;
  WireType t;
  *first = {};
  while (r.NextField(&f, &t)) {
    if (f != 1 && f != 2) {
      r.Skip(t);
      continue;
    }
    if (t != proto::kLengthDelimited) {
      *fatal = OtlpWrongWireType(f == 1 ? first_name : items_name, t, proto::kLengthDelimited);
      return false;
    }
    std::string_view bytes;
    if (r.ReadBytes(&bytes) && f == 1) *first = bytes;
  }
  if (r.failed()) {
    *fatal = r.error();
    return false;
  }
  return true;
}

void DecodeOtlpProtoScope(std::string_view pb, std::string_view* name, std::string_view* version,
                          std::string* error) {
  *name = *version = {};
  WireReader s(pb);
  uint32_t f;
  WireType t;
  while (s.NextField(&f, &t)) {
    if ((f == 1 || f == 2) && t == proto::kLengthDelimited) {
      s.ReadBytes(f == 1 ? name : version);
    } else {
      s.Skip(t);
    }
  }
  if (s.failed()) *error = StrCat("malformed scope: ", s.error());
}

}  // namespace vigil
