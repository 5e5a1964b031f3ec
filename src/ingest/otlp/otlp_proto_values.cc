#include "ingest/otlp/otlp_proto_values.h"

#include <bit>

#include "common/json_writer.h"
#include "common/proto_wire.h"
#include "common/strings.h"
#include "ingest/common/utf8.h"
#include "simdjson.h"

namespace vigil {
namespace {

using proto::WireReader;
using proto::WireType;

std::string WrongWireType(std::string_view field, WireType got, WireType want) {
  return StrCat(field, " has wire type ", proto::WireTypeName(got), ", expected ", proto::WireTypeName(want));
}

// The oneof of an AnyValue: the last field set wins, as protobuf decoding does.
struct AnyValueParts {
  int kind = 0;  // 0 unset, else the field number
  uint64_t scalar = 0;
  std::string_view bytes;
};

bool DecodeAnyValue(std::string_view pb, AnyValueParts* v, std::string* error) {
  static constexpr std::string_view kNames[] = {"",
                                                "string_value",
                                                "bool_value",
                                                "int_value",
                                                "double_value",
                                                "array_value",
                                                "kvlist_value",
                                                "bytes_value"};
  WireReader r(pb);
  uint32_t f;
  WireType t;
  while (r.NextField(&f, &t)) {
    if (f < 1 || f > 7) {
      r.Skip(t);
      continue;
    }
    WireType want = f == 2 || f == 3 ? proto::kVarint
                    : f == 4         ? proto::kFixed64
                                     : proto::kLengthDelimited;
    if (t != want) {
      *error = WrongWireType(StrCat("AnyValue.", kNames[f]), t, want);
      return false;
    }
    v->kind = static_cast<int>(f);
    if (want == proto::kVarint) {
      r.ReadVarint(&v->scalar);
    } else if (want == proto::kFixed64) {
      r.ReadFixed64(&v->scalar);
    } else {
      r.ReadBytes(&v->bytes);
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed AnyValue: ", r.error());
    return false;
  }
  return true;
}

}  // namespace
// KeyValue{key = 1, value = 2}.
bool OtlpProtoValues::DecodeKeyValue(std::string_view pb, std::string_view* key,
                                     std::string_view* value, std::string* error) {
  WireReader r(pb);
  uint32_t f;
  WireType t;
  *key = *value = {};
  while (r.NextField(&f, &t)) {
    if (f == 1 || f == 2) {
      if (t != proto::kLengthDelimited) {
        *error =
            WrongWireType(f == 1 ? "KeyValue.key" : "KeyValue.value", t, proto::kLengthDelimited);
        return false;
      }
      r.ReadBytes(f == 1 ? key : value);
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed KeyValue: ", r.error());
    return false;
  }
  if (!IsUtf8(*key)) {
    *error = StrCat("invalid UTF-8 in attribute key ", QuoteString(Truncated(*key, 64)));
    return false;
  }
  return true;
}

bool OtlpProtoValues::AppendAnyValueJson(std::string_view pb, int depth, std::string* out,
                                         std::string* error) {
  if (depth > kMaxAnyValueDepth) {
    *error = StrCat("value nested deeper than ", kMaxAnyValueDepth, " levels");
    return false;
  }
  AnyValueParts v;
  if (!DecodeAnyValue(pb, &v, error)) return false;
  switch (v.kind) {
    case 0:
      out->append("null");
      return true;
    case 1:
      if (!IsUtf8(v.bytes)) {
        *error = "invalid UTF-8 in a string value";
        return false;
      }
      AppendJsonString(out, v.bytes);
      return true;
    case 2:
      out->append(v.scalar != 0 ? "true" : "false");
      return true;
    case 3:
      StrAppend(out, static_cast<int64_t>(v.scalar));
      return true;
    case 4:
      AppendOtlpDouble(std::bit_cast<double>(v.scalar), /*json=*/true, out);
      return true;
    case 7:
      out->push_back('"');
      AppendBase64(v.bytes, out);
      out->push_back('"');
      return true;
    default:
      break;
  }
  // ArrayValue{values = 1 AnyValue} or KeyValueList{values = 1 KeyValue}.
  const bool list = v.kind == 5;
  out->push_back(list ? '[' : '{');
  WireReader r(v.bytes);
  uint32_t f;
  WireType t;
  bool first = true;
  while (r.NextField(&f, &t)) {
    if (f != 1) {
      r.Skip(t);
      continue;
    }
    if (t != proto::kLengthDelimited) {
      *error = WrongWireType(list ? "ArrayValue.values" : "KeyValueList.values", t,
                             proto::kLengthDelimited);
      return false;
    }
    std::string_view item;
    if (!r.ReadBytes(&item)) break;
    if (!first) out->push_back(',');
    first = false;
    if (list) {
      if (!AppendAnyValueJson(item, depth + 1, out, error)) return false;
      continue;
    }
    std::string_view key, value;
    if (!DecodeKeyValue(item, &key, &value, error)) return false;
    AppendJsonString(out, key);
    out->push_back(':');
    if (!AppendAnyValueJson(value, depth + 1, out, error)) return false;
  }
  if (r.failed()) {
    *error = StrCat("malformed ", list ? "ArrayValue: " : "KeyValueList: ", r.error());
    return false;
  }
  out->push_back(list ? ']' : '}');
  return true;
}

bool OtlpProtoValues::AnyValueText(std::string_view pb, std::string_view* out, bool* set,
                                   std::string* error, OtlpValueType* type) {
  AnyValueParts v;
  if (!DecodeAnyValue(pb, &v, error)) return false;
  *set = v.kind != 0;
  if (type != nullptr && v.kind != 0) {
    static constexpr OtlpValueType kTypes[] = {
        OtlpValueType::kString, OtlpValueType::kString, OtlpValueType::kBool,
        OtlpValueType::kInt,    OtlpValueType::kDouble, OtlpValueType::kArray,
        OtlpValueType::kKvList, OtlpValueType::kBytes};
    *type = kTypes[v.kind];
  }
  *out = {};
  switch (v.kind) {
    case 0:
      return true;
    case 1:
      if (!IsUtf8(v.bytes)) {
        *error = "invalid UTF-8";
        return false;
      }
      *out = v.bytes;
      return true;
    case 2:
      *out = v.scalar != 0 ? "true" : "false";
      return true;
    default:
      break;
  }
  scratch_.clear();
  if (v.kind == 3) {
    StrAppend(&scratch_, static_cast<int64_t>(v.scalar));
  } else if (v.kind == 4) {
    AppendOtlpDouble(std::bit_cast<double>(v.scalar), /*json=*/false, &scratch_);
  } else if (v.kind == 7) {
    AppendBase64(v.bytes, &scratch_);
  } else if (!AppendAnyValueJson(pb, 0, &scratch_, error)) {
    return false;
  }
  *out = arena_->Copy(scratch_);
  return true;
}

bool OtlpProtoValues::Attributes(std::string_view pb, uint32_t field,
                                 std::vector<OtlpAttribute>* out, std::string* error) {
  out->clear();
  WireReader r(pb);
  uint32_t f;
  WireType t;
  while (r.NextField(&f, &t)) {
    if (f != field) {
      r.Skip(t);
      continue;
    }
    if (t != proto::kLengthDelimited) {
      *error = WrongWireType("attributes", t, proto::kLengthDelimited);
      return false;
    }
    std::string_view kv, key, value, text;
    if (!r.ReadBytes(&kv)) break;
    if (!DecodeKeyValue(kv, &key, &value, error)) return false;
    bool set;
    OtlpValueType type = OtlpValueType::kString;
    if (!AnyValueText(value, &text, &set, error, &type)) {
      *error = StrCat("attribute ", QuoteString(Truncated(key, 64)), ": ", *error);
      return false;
    }
    if (set && !key.empty()) out->push_back({key, text, type});
  }
  if (r.failed()) {
    *error = StrCat("malformed attributes: ", r.error());
    return false;
  }
  return true;
}

}  // namespace vigil
