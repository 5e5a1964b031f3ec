// What every OTLP decoder (logs, traces, metrics; protobuf and JSON) shares about attribute
// values: the attribute as text, and the text forms of AnyValue scalars.
//
// Values as text: strings as they are; booleans `true`/`false`; integers in decimal; doubles
// in shortest round-trip form (`NaN`, `Infinity`, `-Infinity` as protobuf's JSON spells them);
// bytes in base64; arrays and key-value lists as compact JSON (`["a",1]`, `{"k":true}`).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/attribute_type.h"

namespace vigil {

// AnyValue nesting (arrays in maps in arrays ...) deeper than this refuses the value: the
// decoders recurse, and hostile input must not exhaust the stack.
inline constexpr int kMaxAnyValueDepth = 32;

// The AnyValue member that was set, for consumers that keep the type (span attributes).
using OtlpValueType = AttributeType;

struct OtlpAttribute {
  std::string_view key;    // as sent
  std::string_view value;  // as text
  OtlpValueType type = OtlpValueType::kString;
};

// Text forms (see the file comment). `json` quotes the non-finite doubles as JSON strings.
void AppendOtlpDouble(double v, bool json, std::string* out);
void AppendBase64(std::string_view bytes, std::string* out);

}  // namespace vigil
