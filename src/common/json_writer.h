// A small streaming JSON writer for HTTP responses: appends to a caller-owned string, so a
// handler can reserve once and write large results without intermediate DOMs.
//
// Not thread-safe; one writer per response.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"

namespace vigil {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  // A JSON number; NaN and infinities (not representable) are written as null.
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Inserts already-encoded JSON as one value.
  JsonWriter& Raw(std::string_view json);

  // A label set as a JSON object, {"name":"value",...} (Prometheus' API shape).
  JsonWriter& LabelsObject(const Labels& labels);

  // Convenience: Key(k) then the value.
  JsonWriter& KV(std::string_view k, std::string_view v) { return Key(k).String(v); }

 private:
  void Separate();
  std::string* out_;
  // One entry per open container: true until its first element is written.
  std::vector<bool> first_;
  bool after_key_ = false;
};

// Appends `s` as a quoted JSON string with escapes; invalid UTF-8 bytes become U+FFFD.
void AppendJsonString(std::string* out, std::string_view s);

// Prometheus' textual float: shortest round-trip decimal, "+Inf", "-Inf", "NaN".
std::string FormatPromFloat(double v);
void AppendPromFloat(std::string* out, double v);
// Prometheus API timestamps: seconds with up to three decimals (1700000000.123).
void AppendPromTimestamp(std::string* out, int64_t ms);

}  // namespace vigil
