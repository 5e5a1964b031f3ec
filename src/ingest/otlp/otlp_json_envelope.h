// The envelope of an OTLP/JSON request (see otlp_envelope.h): the root object, and for the
// signals whose items are the entries (logs, traces) the walk of `resourceX` / `scopeX` /
// items arrays, keys in lowerCamelCase or as the protobuf names, null meaning absent.
//
//   OtlpJsonEnvelope env(kOtlpLogsEnvelope, /*scope_version=*/false);
//   env.Reset(&reader, &values);
//   if (!OpenOtlpJsonRoot(json, parser, &doc, &root, &error)) ...     // fails the request
//   if (!env.Walk(root, &result, visitor, &error)) ...                 // fails the request
//   if (!CheckOtlpJsonEnd(doc, &error)) ...                            // fails the request
//
// The visitor provides:
//   void OnResource(std::span<const OtlpAttribute> attributes, std::string* error);
//       As in otlp_proto_envelope.h: *error set ("resource: ..." or "resource must be an
//       object, got string") refuses the resource's entries; the visitor may set it.
//   void OnScope(std::string_view name, std::string_view version, std::string* error);
//       *error is set when the scope, its name or (with scope_version) its version has the
//       wrong type; the visitor may set it.
//   JsonStep OnEntry(ondemand::value& item, std::string* error);
//       Called for the items to decode (the walker counts them): kRefused refuses the item
//       (`resourceLogs[0].scopeLogs[1].logRecords[2]: <error>`), kMalformed fails the request.
//
// Errors that fail the request (*fatal, without the signal's prefix): malformed JSON, the
// arrays not arrays (`resourceLogs[0].scopeLogs: expected an array, got object`), their
// elements not objects (`resourceLogs[1]: expected an object, got number`).
//
// Thread-safety: per-decoder scratch, one thread at a time.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/strings.h"
#include "ingest/json/json_reader.h"
#include "ingest/otlp/otlp_envelope.h"
#include "ingest/otlp/otlp_json_values.h"

namespace vigil {

// Starts iterating the body (json must have been Reset with it) and opens its root object.
// False with *error ("expected a JSON object, got array", a syntax error) when it is not one.
bool OpenOtlpJsonRoot(const JsonBody& json, ondemand::parser& parser, ondemand::document* doc,
                      ondemand::object* root, std::string* error);
// After the root object has been read: false with *error when anything follows it.
bool CheckOtlpJsonEnd(ondemand::document& doc, std::string* error);

class OtlpJsonEnvelope {
 public:
  // `scope_version`: read the scope's version (else it is ignored, whatever its type).
  OtlpJsonEnvelope(const OtlpEnvelopeNames& names, bool scope_version)
      : names_(&names), scope_version_(scope_version) {}

  void Reset(JsonReader* reader, OtlpJsonValues* values) {
    reader_ = reader;
    values_ = values;
  }
  OtlpRefusals& refusals() { return refusals_; }

  // Walks the request's root object, counting entries and refusals into *result. False with
  // *fatal when the request cannot be decoded.
  template <typename Visitor>
  bool Walk(ondemand::object& root, DecodeResult* result, Visitor& visitor, std::string* fatal);

 private:
  template <typename Visitor>
  JsonStep WalkResource(ondemand::value& v, Visitor& visitor);
  template <typename Visitor>
  JsonStep WalkScope(ondemand::value& v, Visitor& visitor);
  template <typename Visitor>
  JsonStep WalkItems(ondemand::array& items, std::string_view where, Visitor& visitor);

  // The resource (scope) object `v` in *o with the resource's attributes (the scope's name and
  // version) read and its errors set in refusals_; `o` is reset for another pass.
  JsonStep OpenResource(ondemand::value& v, std::string_view where, ondemand::object* o);
  JsonStep OpenScope(ondemand::value& v, std::string_view where, ondemand::object* o,
                     std::string_view* name, std::string_view* version);
  // The next field of `o` when its key is `camel` or `snake`: kOk with *array set to the array
  // (nullptr for null or another key); kMalformed when it is not an array.
  JsonStep ArrayField(ondemand::field& f, std::string_view camel, std::string_view snake,
                      std::string_view where, ondemand::array* array, bool* found);
  JsonStep Malformed(std::string_view where);
  JsonStep Fail(simdjson::error_code e, std::string_view where);

  const OtlpEnvelopeNames* names_;
  const bool scope_version_;
  JsonReader* reader_ = nullptr;
  OtlpJsonValues* values_ = nullptr;
  OtlpRefusals refusals_;
  std::vector<OtlpAttribute> resource_attrs_;
  std::string error_, fatal_;
};

template <typename Visitor>
bool OtlpJsonEnvelope::Walk(ondemand::object& root, DecodeResult* result, Visitor& visitor,
                            std::string* fatal) {
  refusals_.Reset(result, names_, /*json=*/true);
  fatal_.clear();
  size_t index = 0;
  for (auto field_result : root) {
    ondemand::field f;
    if (auto e = std::move(field_result).get(f); e != simdjson::SUCCESS) {
      *fatal = simdjson::error_message(e);
      return false;
    }
    if (f.key() != names_->json_resources && f.key() != names_->resources) continue;
    ondemand::value& resources = f.value();
    ondemand::json_type t;
    if (reader_->Type(resources, &t) != JsonRead::kOk) {
      *fatal = reader_->MalformedMessage();
      return false;
    }
    if (t == ondemand::json_type::null) continue;
    if (t != ondemand::json_type::array) {
      *fatal = StrCat(names_->json_resources, " must be an array, got ", JsonTypeName(t));
      return false;
    }
    ondemand::array arr;
    if (auto e = resources.get_array().get(arr); e != simdjson::SUCCESS) {
      *fatal = simdjson::error_message(e);
      return false;
    }
    for (auto child : arr) {
      ondemand::value v;
      if (auto e = std::move(child).get(v); e != simdjson::SUCCESS) {
        *fatal = simdjson::error_message(e);
        return false;
      }
      refusals_.BeginResource(index++);
      if (WalkResource(v, visitor) == JsonStep::kMalformed) {
        *fatal = std::move(fatal_);
        return false;
      }
    }
  }
  return true;
}

template <typename Visitor>
JsonStep OtlpJsonEnvelope::WalkResource(ondemand::value& v, Visitor& visitor) {
  const std::string where = StrCat(names_->json_resources, "[", refusals_.resource(), "]");
  ondemand::object o;
  if (OpenResource(v, where, &o) == JsonStep::kMalformed) return JsonStep::kMalformed;
  visitor.OnResource(std::span<const OtlpAttribute>(resource_attrs_), &refusals_.resource_error());
  size_t index = 0;
  for (auto field_result : o) {
    ondemand::field f;
    if (auto e = std::move(field_result).get(f); e != simdjson::SUCCESS) return Fail(e, where);
    ondemand::array arr;
    bool found;
    if (ArrayField(f, names_->json_scopes, names_->scopes, where, &arr, &found) != JsonStep::kOk) {
      return JsonStep::kMalformed;
    }
    if (!found) continue;
    for (auto child : arr) {
      ondemand::value scope;
      if (auto e = std::move(child).get(scope); e != simdjson::SUCCESS) return Fail(e, where);
      refusals_.BeginScope(index++);
      if (WalkScope(scope, visitor) == JsonStep::kMalformed) return JsonStep::kMalformed;
    }
  }
  refusals_.EndResource();
  return JsonStep::kOk;
}

template <typename Visitor>
JsonStep OtlpJsonEnvelope::WalkScope(ondemand::value& v, Visitor& visitor) {
  const std::string where = StrCat(names_->json_resources, "[", refusals_.resource(), "].",
                                   names_->json_scopes, "[", refusals_.scope(), "]");
  ondemand::object o;
  std::string_view name, version;
  if (OpenScope(v, where, &o, &name, &version) == JsonStep::kMalformed) {
    return JsonStep::kMalformed;
  }
  visitor.OnScope(name, version, &refusals_.scope_error());
  for (auto field_result : o) {
    ondemand::field f;
    if (auto e = std::move(field_result).get(f); e != simdjson::SUCCESS) return Fail(e, where);
    ondemand::array arr;
    bool found;
    if (ArrayField(f, names_->json_items, names_->items, where, &arr, &found) != JsonStep::kOk) {
      return JsonStep::kMalformed;
    }
    if (found && WalkItems(arr, where, visitor) == JsonStep::kMalformed) {
      return JsonStep::kMalformed;
    }
  }
  refusals_.EndScope();
  return JsonStep::kOk;
}

template <typename Visitor>
JsonStep OtlpJsonEnvelope::WalkItems(ondemand::array& items, std::string_view where,
                                     Visitor& visitor) {
  size_t index = 0;
  for (auto child : items) {
    ondemand::value item;
    if (auto e = std::move(child).get(item); e != simdjson::SUCCESS) return Fail(e, where);
    const size_t i = index++;
    size_t ordinal;
    if (!refusals_.Admit(&ordinal)) continue;
    const JsonStep s = visitor.OnEntry(item, &error_);
    if (s == JsonStep::kMalformed) {
      fatal_ = StrCat(where, ".", names_->json_items, "[", i, "]: ", error_);
      return s;
    }
    if (s == JsonStep::kRefused) {
      refusals_.result()->Refuse(ordinal, 1, where, ".", names_->json_items, "[", i, "]: ",
                                 error_);
    }
  }
  return JsonStep::kOk;
}

}  // namespace vigil
