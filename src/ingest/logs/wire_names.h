// Names of protobuf wire types for error messages of the protobuf log decoders.
#pragma once

#include <string_view>

#include "common/proto_wire.h"

namespace vigil {

inline std::string_view WireTypeName(proto::WireType t) {
  switch (t) {
    case proto::kVarint:
      return "varint";
    case proto::kFixed64:
      return "fixed64";
    case proto::kLengthDelimited:
      return "length-delimited";
    case proto::kStartGroup:
      return "group start";
    case proto::kEndGroup:
      return "group end";
    case proto::kFixed32:
      return "fixed32";
  }
  return "invalid";
}

}  // namespace vigil
