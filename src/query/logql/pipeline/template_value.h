// Internal to the template engine: the dynamic values a Go text/template expression can
// produce here (a subset of Go's types: string, int, float64, bool, time.Time, the label map
// as `.`, and nil), their Go printing and truth rules, and the function table's types.
//
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace vigil::logql::pipeline::tmpl {

enum class Kind : uint8_t { kNil, kString, kInt, kFloat, kBool, kTime, kMap };

// A value. Strings are views: of a label, of the template text, or of a string in the
// evaluation's pool (TemplateScratch), all alive for the whole execution.
struct Value {
  Kind kind = Kind::kNil;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string_view s;
  absl::Time t;

  static Value Str(std::string_view v) {
    Value x;
    x.kind = Kind::kString;
    x.s = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.kind = Kind::kFloat;
    x.f = v;
    return x;
  }
  static Value Bool(bool v) {
    Value x;
    x.kind = Kind::kBool;
    x.b = v;
    return x;
  }
  static Value Time(absl::Time v) {
    Value x;
    x.kind = Kind::kTime;
    x.t = v;
    return x;
  }
};

// Go's type name for messages ("string", "int", "float64", "bool", "time.Time", ...).
std::string_view KindName(Kind k);

// text/template's truth: false, 0, "", nil and an empty map are false.
bool Truth(const Value& v, size_t map_size);

// Go's %v of a scalar (not kMap) appended to `out`: floats as strconv 'g' shortest, times as
// time.Time.String() in UTC.
void AppendValue(const Value& v, std::string* out);

// Appends `v` formatted as Go's strconv.FormatFloat(v, fmt, prec, 64); prec -1 is shortest.
void AppendGoFloat(double v, char fmt, int prec, std::string* out);

// Appends Go's time.Time.String() form ("2006-01-02 15:04:05.999999999 -0700 MST") in UTC.
void AppendGoTimeString(absl::Time t, std::string* out);

}  // namespace vigil::logql::pipeline::tmpl
