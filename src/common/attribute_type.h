// The type of an attribute value as OpenTelemetry's AnyValue carries it. Values travel as text
// (see ingest/otlp/otlp_values.h for the text forms); the type rides beside them so outputs
// that are typed (Jaeger tags, OTLP/JSON) can render them faithfully.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil {

enum class AttributeType : uint8_t { kString, kBool, kInt, kDouble, kBytes, kArray, kKvList };

// "string", "bool", "int64", "float64", "binary", "array", "kvlist".
inline std::string_view AttributeTypeName(AttributeType t) {
  switch (t) {
    case AttributeType::kString:
      return "string";
    case AttributeType::kBool:
      return "bool";
    case AttributeType::kInt:
      return "int64";
    case AttributeType::kDouble:
      return "float64";
    case AttributeType::kBytes:
      return "binary";
    case AttributeType::kArray:
      return "array";
    case AttributeType::kKvList:
      return "kvlist";
  }
  return "string";
}

}  // namespace vigil
