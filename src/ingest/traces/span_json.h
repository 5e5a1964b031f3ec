// JSON plumbing the span decoders (OTLP/JSON, Zipkin) share on top of JsonReader: mapping a
// failed read to a step and message, opening an object, and walking an object's members.
//
// Thread-safety: stateless helpers over a caller's reader, one thread at a time.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/strings.h"
#include "ingest/json/json_reader.h"
#include "ingest/otlp/otlp_json_values.h"

namespace vigil {

// kMalformed (with simdjson's message) when the document broke, else kRefused with the
// message for `what` ("name must be a string, got number").
inline JsonStep JsonFailure(const JsonReader& reader, JsonRead r, std::string_view what,
                            std::string_view expected, std::string* error) {
  if (r == JsonRead::kMalformed) {
    *error = reader.MalformedMessage();
    return JsonStep::kMalformed;
  }
  *error = JsonReadMessage(r, what, expected, reader.last_type());
  return JsonStep::kRefused;
}

// `v` as an object; kRefused ("<what> must be an object, got array", or "expected an object,
// got array" when `what` is empty) for another type.
inline JsonStep OpenJsonObject(JsonReader& reader, ondemand::value& v, std::string_view what,
                               ondemand::object* o, std::string* error) {
  ondemand::json_type t;
  if (JsonRead r = reader.Type(v, &t); r != JsonRead::kOk) {
    return JsonFailure(reader, r, "", "", error);
  }
  if (t != ondemand::json_type::object) {
    *error = what.empty() ? StrCat("expected an object, got ", JsonTypeName(t))
                          : StrCat(what, " must be an object, got ", JsonTypeName(t));
    return JsonStep::kRefused;
  }
  if (auto e = v.get_object().get(*o); e != simdjson::SUCCESS) {
    return JsonFailure(reader, reader.Fail(e), "", "", error);
  }
  return JsonStep::kOk;
}

// Calls fn(key, value, type) for every member of `o` whose value is not null (null means
// absent), in document order; stops at the first step fn returns that is not kOk.
template <typename F>
JsonStep ForEachMember(JsonReader& reader, ondemand::object& o, std::string* error, F&& fn) {
  for (auto member : o) {
    ondemand::field f;
    if (auto e = std::move(member).get(f); e != simdjson::SUCCESS) {
      return JsonFailure(reader, reader.Fail(e), "", "", error);
    }
    std::string_view key;
    if (JsonRead r = reader.Key(f, &key); r != JsonRead::kOk) {
      return JsonFailure(reader, r, "a field name", "", error);
    }
    ondemand::value& value = f.value();
    ondemand::json_type t;
    if (JsonRead r = reader.Type(value, &t); r != JsonRead::kOk) {
      return JsonFailure(reader, r, "", "", error);
    }
    if (t == ondemand::json_type::null) continue;
    if (JsonStep s = fn(key, value, t); s != JsonStep::kOk) return s;
  }
  return JsonStep::kOk;
}

}  // namespace vigil
