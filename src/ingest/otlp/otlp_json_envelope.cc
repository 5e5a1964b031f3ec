#include "ingest/otlp/otlp_json_envelope.h"

namespace vigil {

using JsonType = ondemand::json_type;

bool OpenOtlpJsonRoot(const JsonBody& json, ondemand::parser& parser, ondemand::document* doc,
                      ondemand::object* root, std::string* error) {
  if (!json.Iterate(parser, 0, json.body().size(), doc, error)) return false;
  JsonType t;
  if (auto e = doc->type().get(t); e != simdjson::SUCCESS) {
    *error = simdjson::error_message(e);
    return false;
  }
  if (t != JsonType::object) {
    *error = StrCat("expected a JSON object, got ", JsonTypeName(t));
    return false;
  }
  if (auto e = doc->get_object().get(*root); e != simdjson::SUCCESS) {
    *error = simdjson::error_message(e);
    return false;
  }
  return true;
}

bool CheckOtlpJsonEnd(ondemand::document& doc, std::string* error) {
  const char* rest;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    *error = "unexpected content after the JSON object";
    return false;
  }
  return true;
}

JsonStep OtlpJsonEnvelope::Malformed(std::string_view where) {
  fatal_ = StrCat(where, ": ", reader_->MalformedMessage());
  return JsonStep::kMalformed;
}

JsonStep OtlpJsonEnvelope::Fail(simdjson::error_code e, std::string_view where) {
  reader_->Fail(e);
  return Malformed(where);
}

JsonStep OtlpJsonEnvelope::ArrayField(ondemand::field& f, std::string_view camel,
                                      std::string_view snake, std::string_view where,
                                      ondemand::array* array, bool* found) {
  *found = false;
  if (f.key() != camel && f.key() != snake) return JsonStep::kOk;
  ondemand::value& v = f.value();
  JsonType t;
  if (reader_->Type(v, &t) != JsonRead::kOk) return Malformed(where);
  if (t == JsonType::null) return JsonStep::kOk;
  if (t != JsonType::array) {
    fatal_ = StrCat(where, ".", camel, ": expected an array, got ", JsonTypeName(t));
    return JsonStep::kMalformed;
  }
  if (auto e = v.get_array().get(*array); e != simdjson::SUCCESS) return Fail(e, where);
  *found = true;
  return JsonStep::kOk;
}

// An element of the resources (scopes) array: an object, else the request fails.
static JsonStep OpenObject(JsonReader& reader, ondemand::value& v, ondemand::object* o,
                           std::string* fatal_type) {
  JsonType t;
  if (reader.Type(v, &t) != JsonRead::kOk) return JsonStep::kMalformed;
  if (t != JsonType::object) {
    *fatal_type = StrCat(": expected an object, got ", JsonTypeName(t));
    return JsonStep::kMalformed;
  }
  if (auto e = v.get_object().get(*o); e != simdjson::SUCCESS) {
    reader.Fail(e);
    return JsonStep::kMalformed;
  }
  return JsonStep::kOk;
}

JsonStep OtlpJsonEnvelope::OpenResource(ondemand::value& v, std::string_view where,
                                        ondemand::object* o) {
  std::string type_error;
  if (OpenObject(*reader_, v, o, &type_error) != JsonStep::kOk) {
    if (type_error.empty()) return Malformed(where);
    fatal_ = StrCat(where, type_error);
    return JsonStep::kMalformed;
  }
  std::string& resource_error = refusals_.resource_error();
  resource_attrs_.clear();
  ondemand::value resource;
  simdjson::error_code e = o->find_field_unordered("resource").get(resource);
  if (e != simdjson::SUCCESS && e != simdjson::NO_SUCH_FIELD) return Fail(e, where);
  if (e == simdjson::SUCCESS) {
    JsonType t;
    if (reader_->Type(resource, &t) != JsonRead::kOk) return Malformed(where);
    if (t == JsonType::object) {
      ondemand::object ro;
      ondemand::value attrs;
      if (auto e2 = resource.get_object().get(ro); e2 != simdjson::SUCCESS) return Fail(e2, where);
      e = ro.find_field_unordered("attributes").get(attrs);
      if (e == simdjson::SUCCESS) {
        JsonStep s = values_->Attributes(attrs, &resource_attrs_, &error_);
        if (s == JsonStep::kMalformed) {
          fatal_ = StrCat(where, ".resource: ", error_);
          return s;
        }
        if (s == JsonStep::kRefused) resource_error = StrCat("resource: ", error_);
      } else if (e != simdjson::NO_SUCH_FIELD) {
        return Fail(e, where);
      }
    } else if (t != JsonType::null) {
      resource_error = StrCat("resource must be an object, got ", JsonTypeName(t));
    }
  }
  if (auto e2 = o->reset().error(); e2 != simdjson::SUCCESS) return Fail(e2, where);
  return JsonStep::kOk;
}

// The scope first, wherever it is in the object: its name and version are on every entry.
JsonStep OtlpJsonEnvelope::OpenScope(ondemand::value& v, std::string_view where,
                                     ondemand::object* o, std::string_view* name,
                                     std::string_view* version) {
  std::string type_error;
  if (OpenObject(*reader_, v, o, &type_error) != JsonStep::kOk) {
    if (type_error.empty()) return Malformed(where);
    fatal_ = StrCat(where, type_error);
    return JsonStep::kMalformed;
  }
  std::string& scope_error = refusals_.scope_error();
  *name = *version = {};
  ondemand::value scope;
  simdjson::error_code e = o->find_field_unordered("scope").get(scope);
  if (e != simdjson::SUCCESS && e != simdjson::NO_SUCH_FIELD) return Fail(e, where);
  JsonType t;
  if (e == simdjson::SUCCESS) {
    if (reader_->Type(scope, &t) != JsonRead::kOk) return Malformed(where);
    if (t == JsonType::object) {
      ondemand::object so;
      if (auto e2 = scope.get_object().get(so); e2 != simdjson::SUCCESS) return Fail(e2, where);
      for (auto field_result : so) {
        ondemand::field f;
        if (auto e2 = std::move(field_result).get(f); e2 != simdjson::SUCCESS) {
          return Fail(e2, where);
        }
        const bool is_name = f.key() == "name";
        if (!is_name && (!scope_version_ || f.key() != "version")) continue;
        ondemand::value& val = f.value();
        if (reader_->Type(val, &t) != JsonRead::kOk) return Malformed(where);
        if (t == JsonType::null) continue;
        JsonRead r = reader_->String(val, is_name ? name : version);
        if (r == JsonRead::kMalformed) return Malformed(where);
        if (r != JsonRead::kOk && scope_error.empty()) {
          scope_error = JsonReadMessage(r, is_name ? "scope name" : "scope version", "a string", t);
        }
      }
    } else if (t != JsonType::null) {
      scope_error = StrCat("scope must be an object, got ", JsonTypeName(t));
    }
  }
  if (auto e2 = o->reset().error(); e2 != simdjson::SUCCESS) return Fail(e2, where);
  return JsonStep::kOk;
}

}  // namespace vigil
