// OTLP protobuf attribute lists and AnyValues, read as text (see otlp_values.h for the text
// forms). Strings are views of the request body (UTF-8 checked); other values are rendered
// into an arena. For a oneof with several members set the last one wins, as protobuf
// decoding does; nesting deeper than kMaxAnyValueDepth is refused.
//
// Thread-safety: per-decoder scratch, one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/logs/otlp_logs_common.h"
#include "storage/log_record.h"

namespace vigil {

class OtlpProtoValues {
 public:
  void Reset(StringArena* arena) { arena_ = arena; }

  // An AnyValue message as text; *set is false for an AnyValue with no member set. *type, when
  // given, receives the member's type.
  bool AnyValueText(std::string_view pb, std::string_view* out, bool* set, std::string* error,
                    OtlpValueType* type = nullptr);
  // The KeyValue messages of field `field` in `pb`, as text; unset values are skipped.
  bool Attributes(std::string_view pb, uint32_t field, std::vector<OtlpAttribute>* out,
                  std::string* error);
  // KeyValue{key = 1, value = 2}: the key (UTF-8 checked) and the AnyValue's bytes.
  static bool DecodeKeyValue(std::string_view pb, std::string_view* key, std::string_view* value,
                             std::string* error);

 private:
  bool AppendAnyValueJson(std::string_view pb, int depth, std::string* out, std::string* error);

  StringArena* arena_ = nullptr;
  std::string scratch_;
};

}  // namespace vigil
