// OTLP/JSON attribute lists and AnyValues, read as text (see otlp_values.h for the text forms):
// `{"stringValue":"x"}` -> `x`, `{"intValue":"3"}` -> `3`, `{"arrayValue":{"values":[...]}}`
// -> compact JSON. Keys in lowerCamelCase or snake_case; for a oneof given several members the
// last one wins; null means absent; nesting deeper than kMaxAnyValueDepth is refused.
//
// Thread-safety: per-decoder scratch, one thread at a time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ingest/json/json_reader.h"
#include "ingest/logs/otlp_logs_common.h"

namespace vigil {

// The outcome of reading part of a JSON document: done, refused (the enclosing entry is
// refused with the message), or malformed (the document cannot be iterated further).
enum class JsonStep { kOk, kRefused, kMalformed };

class OtlpJsonValues {
 public:
  void Reset(JsonReader* reader, StringArena* arena) {
    reader_ = reader;
    arena_ = arena;
  }

  // An AnyValue as text: a view of the body, or of the batch's arena. *set is false for null or
  // an AnyValue with no member set.
  JsonStep AnyValueText(ondemand::value& v, std::string_view* out, bool* set, std::string* error,
                        OtlpValueType* type = nullptr);
  // A JSON array of KeyValue objects; attributes without a key or value are skipped.
  JsonStep Attributes(ondemand::value& v, std::vector<OtlpAttribute>* out, std::string* error);

 private:
  JsonStep AppendAnyValueJson(ondemand::value& v, int depth, std::string* out, std::string* error);
  JsonStep AppendListJson(ondemand::value& v, bool kvlist, int depth, std::string* out,
                          std::string* error);
  JsonStep ReadFailure(JsonRead r, std::string_view what, std::string_view expected,
                       std::string* error);

  JsonReader* reader_ = nullptr;
  StringArena* arena_ = nullptr;
  std::string scratch_;
};

}  // namespace vigil
