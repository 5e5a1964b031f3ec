#include "ingest/otlp/otlp_json_values.h"

#include "common/json_writer.h"
#include "common/strings.h"

namespace vigil {
namespace {

using JsonType = ondemand::json_type;

// OTLP/JSON keys are lowerCamelCase; the proto field names are accepted as well.
bool Is(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

// What an AnyValue member must hold, for messages.
std::string_view ExpectedFor(std::string_view key) {
  switch (key[0]) {
    case 'b':
      return key[1] == 'o' ? "a boolean" : "a base64 string";
    case 'i':
      return "an integer";
    case 'd':
      return "a number";
    default:
      return "a string";
  }
}

}  // namespace
JsonStep OtlpJsonValues::ReadFailure(JsonRead r, std::string_view what, std::string_view expected,
                                     std::string* error) {
  if (r == JsonRead::kMalformed) {
    *error = reader_->MalformedMessage();
    return JsonStep::kMalformed;
  }
  *error = JsonReadMessage(r, what, expected, reader_->last_type());
  return JsonStep::kRefused;
}

JsonStep OtlpJsonValues::AppendListJson(ondemand::value& v, bool kvlist, int depth,
                                        std::string* out, std::string* error) {
  const std::string_view name = kvlist ? "kvlistValue" : "arrayValue";
  JsonType t;
  if (JsonRead r = reader_->Type(v, &t); r != JsonRead::kOk) return ReadFailure(r, "", "", error);
  out->push_back(kvlist ? '{' : '[');
  if (t != JsonType::null) {
    if (t != JsonType::object) {
      *error = StrCat(name, " must be an object, got ", JsonTypeName(t));
      return JsonStep::kRefused;
    }
    ondemand::object o;
    ondemand::value values;
    if (auto e = v.get_object().get(o); e != simdjson::SUCCESS) {
      return ReadFailure(reader_->Fail(e), "", "", error);
    }
    simdjson::error_code e = o.find_field_unordered("values").get(values);
    if (e != simdjson::SUCCESS && e != simdjson::NO_SUCH_FIELD) {
      return ReadFailure(reader_->Fail(e), "", "", error);
    }
    if (e == simdjson::SUCCESS) {
      if (JsonRead r = reader_->Type(values, &t); r != JsonRead::kOk) {
        return ReadFailure(r, "", "", error);
      }
      if (t != JsonType::null && t != JsonType::array) {
        *error = StrCat(name, ".values must be an array, got ", JsonTypeName(t));
        return JsonStep::kRefused;
      }
      ondemand::array arr;
      if (t == JsonType::array) {
        if (auto e2 = values.get_array().get(arr); e2 != simdjson::SUCCESS) {
          return ReadFailure(reader_->Fail(e2), "", "", error);
        }
        bool first = true;
        for (auto child : arr) {
          ondemand::value item;
          if (auto e2 = std::move(child).get(item); e2 != simdjson::SUCCESS) {
            return ReadFailure(reader_->Fail(e2), "", "", error);
          }
          if (!first) out->push_back(',');
          first = false;
          if (!kvlist) {
            if (JsonStep s = AppendAnyValueJson(item, depth + 1, out, error); s != JsonStep::kOk)
              return s;
            continue;
          }
          if (JsonRead r = reader_->Type(item, &t); r != JsonRead::kOk) {
            return ReadFailure(r, "", "", error);
          }
          if (t != JsonType::object) {
            *error = StrCat("kvlistValue.values must hold objects, got ", JsonTypeName(t));
            return JsonStep::kRefused;
          }
          ondemand::object kv;
          ondemand::value field;
          std::string_view key;
          if (auto e2 = item.get_object().get(kv); e2 != simdjson::SUCCESS) {
            return ReadFailure(reader_->Fail(e2), "", "", error);
          }
          e = kv.find_field_unordered("key").get(field);
          if (e == simdjson::SUCCESS) {
            if (JsonRead r = reader_->String(field, &key); r != JsonRead::kOk) {
              return ReadFailure(r, "a key", "a string", error);
            }
          } else if (e != simdjson::NO_SUCH_FIELD) {
            return ReadFailure(reader_->Fail(e), "", "", error);
          }
          AppendJsonString(out, key);
          out->push_back(':');
          e = kv.find_field_unordered("value").get(field);
          if (e == simdjson::NO_SUCH_FIELD) {
            out->append("null");
          } else if (e != simdjson::SUCCESS) {
            return ReadFailure(reader_->Fail(e), "", "", error);
          } else if (JsonStep s = AppendAnyValueJson(field, depth + 1, out, error);
                     s != JsonStep::kOk) {
            return s;
          }
        }
      }
    }
  }
  out->push_back(kvlist ? '}' : ']');
  return JsonStep::kOk;
}

JsonStep OtlpJsonValues::AppendAnyValueJson(ondemand::value& v, int depth, std::string* out,
                                            std::string* error) {
  if (depth > kMaxAnyValueDepth) {
    *error = StrCat("value nested deeper than ", kMaxAnyValueDepth, " levels");
    return JsonStep::kRefused;
  }
  JsonType t;
  if (JsonRead r = reader_->Type(v, &t); r != JsonRead::kOk) return ReadFailure(r, "", "", error);
  if (t == JsonType::null) {
    out->append("null");
    return JsonStep::kOk;
  }
  if (t != JsonType::object) {
    *error = StrCat("AnyValue must be an object, got ", JsonTypeName(t));
    return JsonStep::kRefused;
  }
  ondemand::object o;
  if (auto e = v.get_object().get(o); e != simdjson::SUCCESS) {
    return ReadFailure(reader_->Fail(e), "", "", error);
  }
  const size_t mark = out->size();
  bool any = false;
  for (auto field_result : o) {
    ondemand::field f;
    if (auto e = std::move(field_result).get(f); e != simdjson::SUCCESS) {
      return ReadFailure(reader_->Fail(e), "", "", error);
    }
    std::string_view key, s;
    if (JsonRead r = reader_->Key(f, &key); r != JsonRead::kOk) {
      return ReadFailure(r, "an AnyValue key", "", error);
    }
    ondemand::value& val = f.value();
    if (JsonRead r = reader_->Type(val, &t); r != JsonRead::kOk) {
      return ReadFailure(r, "", "", error);
    }
    if (t == JsonType::null) continue;
    JsonRead r = JsonRead::kOk;
    // A oneof: when several are set, the last one wins.
    if (Is(key, "stringValue", "string_value") || Is(key, "bytesValue", "bytes_value")) {
      out->resize(mark);
      r = reader_->String(val, &s);
      if (r == JsonRead::kOk) AppendJsonString(out, s);
    } else if (Is(key, "boolValue", "bool_value")) {
      out->resize(mark);
      bool b;
      r = reader_->Bool(val, &b);
      if (r == JsonRead::kOk) out->append(b ? "true" : "false");
    } else if (Is(key, "intValue", "int_value")) {
      out->resize(mark);
      int64_t i;
      r = reader_->Int64(val, &i);
      if (r == JsonRead::kOk) StrAppend(out, i);
    } else if (Is(key, "doubleValue", "double_value")) {
      out->resize(mark);
      double d;
      r = reader_->Double(val, &d);
      if (r == JsonRead::kOk) AppendOtlpDouble(d, /*json=*/true, out);
    } else if (Is(key, "arrayValue", "array_value") || Is(key, "kvlistValue", "kvlist_value")) {
      out->resize(mark);
      JsonStep st = AppendListJson(val, key[0] == 'k', depth, out, error);
      if (st != JsonStep::kOk) return st;
    } else {
      continue;
    }
    if (r != JsonRead::kOk) return ReadFailure(r, key, ExpectedFor(key), error);
    any = true;
  }
  if (!any) out->append("null");
  return JsonStep::kOk;
}

JsonStep OtlpJsonValues::AnyValueText(ondemand::value& v, std::string_view* out, bool* set,
                                      std::string* error, OtlpValueType* type) {
  *set = false;
  OtlpValueType kind = OtlpValueType::kString;
  *out = {};
  JsonType t;
  if (JsonRead r = reader_->Type(v, &t); r != JsonRead::kOk) return ReadFailure(r, "", "", error);
  if (t == JsonType::null) return JsonStep::kOk;
  if (t != JsonType::object) {
    *error = StrCat("AnyValue must be an object, got ", JsonTypeName(t));
    return JsonStep::kRefused;
  }
  ondemand::object o;
  if (auto e = v.get_object().get(o); e != simdjson::SUCCESS) {
    return ReadFailure(reader_->Fail(e), "", "", error);
  }
  for (auto field_result : o) {
    ondemand::field f;
    if (auto e = std::move(field_result).get(f); e != simdjson::SUCCESS) {
      return ReadFailure(reader_->Fail(e), "", "", error);
    }
    std::string_view key;
    if (JsonRead r = reader_->Key(f, &key); r != JsonRead::kOk) {
      return ReadFailure(r, "an AnyValue key", "", error);
    }
    ondemand::value& val = f.value();
    if (JsonRead r = reader_->Type(val, &t); r != JsonRead::kOk) {
      return ReadFailure(r, "", "", error);
    }
    if (t == JsonType::null) continue;
    JsonRead r = JsonRead::kOk;
    if (Is(key, "stringValue", "string_value") || Is(key, "bytesValue", "bytes_value")) {
      kind = key[0] == 'b' ? OtlpValueType::kBytes : OtlpValueType::kString;
      r = reader_->String(val, out);
    } else if (Is(key, "boolValue", "bool_value")) {
      kind = OtlpValueType::kBool;
      bool b = false;
      r = reader_->Bool(val, &b);
      *out = b ? "true" : "false";
    } else if (Is(key, "intValue", "int_value")) {
      kind = OtlpValueType::kInt;
      int64_t i = 0;
      r = reader_->Int64(val, &i);
      scratch_.clear();
      StrAppend(&scratch_, i);
      *out = arena_->Copy(scratch_);
    } else if (Is(key, "doubleValue", "double_value")) {
      kind = OtlpValueType::kDouble;
      double d = 0;
      r = reader_->Double(val, &d);
      scratch_.clear();
      AppendOtlpDouble(d, /*json=*/false, &scratch_);
      *out = arena_->Copy(scratch_);
    } else if (Is(key, "arrayValue", "array_value") || Is(key, "kvlistValue", "kvlist_value")) {
      kind = key[0] == 'k' ? OtlpValueType::kKvList : OtlpValueType::kArray;
      scratch_.clear();
      JsonStep st = AppendListJson(val, key[0] == 'k', 0, &scratch_, error);
      if (st != JsonStep::kOk) return st;
      *out = arena_->Copy(scratch_);
    } else {
      continue;
    }
    if (r != JsonRead::kOk) return ReadFailure(r, key, ExpectedFor(key), error);
    *set = true;
    if (type != nullptr) *type = kind;
  }
  return JsonStep::kOk;
}

JsonStep OtlpJsonValues::Attributes(ondemand::value& v, std::vector<OtlpAttribute>* out,
                                    std::string* error) {
  out->clear();
  JsonType t;
  if (JsonRead r = reader_->Type(v, &t); r != JsonRead::kOk) return ReadFailure(r, "", "", error);
  if (t == JsonType::null) return JsonStep::kOk;
  if (t != JsonType::array) {
    *error = StrCat("attributes must be an array, got ", JsonTypeName(t));
    return JsonStep::kRefused;
  }
  ondemand::array arr;
  if (auto e = v.get_array().get(arr); e != simdjson::SUCCESS) {
    return ReadFailure(reader_->Fail(e), "", "", error);
  }
  for (auto child : arr) {
    ondemand::value item, field;
    if (auto e = std::move(child).get(item); e != simdjson::SUCCESS) {
      return ReadFailure(reader_->Fail(e), "", "", error);
    }
    if (JsonRead r = reader_->Type(item, &t); r != JsonRead::kOk) {
      return ReadFailure(r, "", "", error);
    }
    if (t != JsonType::object) {
      *error = StrCat("attributes must hold objects, got ", JsonTypeName(t));
      return JsonStep::kRefused;
    }
    ondemand::object kv;
    if (auto e = item.get_object().get(kv); e != simdjson::SUCCESS) {
      return ReadFailure(reader_->Fail(e), "", "", error);
    }
    std::string_view key, text;
    simdjson::error_code e = kv.find_field_unordered("key").get(field);
    if (e == simdjson::SUCCESS) {
      if (JsonRead r = reader_->String(field, &key); r != JsonRead::kOk) {
        return ReadFailure(r, "an attribute key", "a string", error);
      }
    } else if (e != simdjson::NO_SUCH_FIELD) {
      return ReadFailure(reader_->Fail(e), "", "", error);
    }
    e = kv.find_field_unordered("value").get(field);
    if (e == simdjson::NO_SUCH_FIELD) continue;
    if (e != simdjson::SUCCESS) return ReadFailure(reader_->Fail(e), "", "", error);
    bool set;
    OtlpValueType type = OtlpValueType::kString;
    if (JsonStep s = AnyValueText(field, &text, &set, error, &type); s != JsonStep::kOk) {
      if (s == JsonStep::kRefused) {
        *error = StrCat("attribute ", QuoteString(Truncated(key, 64)), ": ", *error);
      }
      return s;
    }
    if (set && !key.empty()) out->push_back({key, text, type});
  }
  return JsonStep::kOk;
}

}  // namespace vigil
