#include "ingest/logs/loki_push_json.h"

#include "common/strings.h"

namespace vigil {
namespace {

using JsonType = ondemand::json_type;

}  // namespace

LokiPushJsonDecoder::LokiPushJsonDecoder(StreamLabelConfig config)
    : config_(std::move(config)), streams_(&config_), resolver_(&config_, &streams_) {}

LokiPushJsonDecoder::Step LokiPushJsonDecoder::DecodeEntry(ondemand::value& v, LogBatch* batch,
                                                           std::string* error) {
  entry_.Clear();
  JsonType t;
  if (reader_.Type(v, &t) != JsonRead::kOk) return Step::kMalformed;
  if (t != JsonType::array) {
    *error = StrCat("expected an array [timestamp, line], got ", JsonTypeName(t));
    return Step::kRefused;
  }
  ondemand::array arr;
  if (auto e = v.get_array().get(arr); e != simdjson::SUCCESS) {
    reader_.Fail(e);
    return Step::kMalformed;
  }
  size_t n = 0;
  for (auto child : arr) {
    ondemand::value item;
    if (auto e = std::move(child).get(item); e != simdjson::SUCCESS) {
      reader_.Fail(e);
      return Step::kMalformed;
    }
    JsonRead r = JsonRead::kOk;
    if (n == 0) {
      std::string_view ts;
      r = reader_.String(item, &ts);
      if (r == JsonRead::kWrongType) {
        *error = StrCat("timestamp must be a string of Unix nanoseconds, got ",
                        JsonTypeName(reader_.last_type()));
        return Step::kRefused;
      }
      if (r == JsonRead::kOk && !ParseInt64(ts, &entry_.timestamp_ns)) {
        *error = StrCat("invalid timestamp ", QuoteString(Truncated(ts, 64)),
                        ": expected Unix nanoseconds");
        return Step::kRefused;
      }
      if (r != JsonRead::kOk && r != JsonRead::kMalformed) {
        *error = JsonReadMessage(r, "timestamp", "string", reader_.last_type());
        return Step::kRefused;
      }
    } else if (n == 1) {
      r = reader_.String(item, &entry_.body);
      if (r != JsonRead::kOk && r != JsonRead::kMalformed) {
        *error = JsonReadMessage(r, "line", "a string", reader_.last_type());
        return Step::kRefused;
      }
    } else if (n == 2) {
      if (reader_.Type(item, &t) != JsonRead::kOk) return Step::kMalformed;
      if (t != JsonType::object) {
        *error = StrCat("structured metadata must be an object, got ", JsonTypeName(t));
        return Step::kRefused;
      }
      ondemand::object meta;
      if (auto e = item.get_object().get(meta); e != simdjson::SUCCESS) {
        reader_.Fail(e);
        return Step::kMalformed;
      }
      for (auto pair : meta) {
        ondemand::field f;
        if (auto e = std::move(pair).get(f); e != simdjson::SUCCESS) {
          reader_.Fail(e);
          return Step::kMalformed;
        }
        std::string_view name, value;
        r = reader_.Key(f, &name);
        if (r == JsonRead::kMalformed) return Step::kMalformed;
        if (r != JsonRead::kOk) {
          *error = JsonReadMessage(r, "a structured metadata name", "", t);
          return Step::kRefused;
        }
        if (name.empty()) {
          *error = "empty structured metadata name";
          return Step::kRefused;
        }
        r = reader_.String(f.value(), &value);
        if (r == JsonRead::kMalformed) return Step::kMalformed;
        if (r != JsonRead::kOk) {
          *error = JsonReadMessage(r, StrCat("structured metadata \"", Truncated(name, 64), "\""),
                                   "a string", reader_.last_type());
          return Step::kRefused;
        }
        if (!resolver_.AddMetadata(name, value, batch, &entry_, error)) return Step::kRefused;
      }
    } else {
      *error = "too many elements: expected [timestamp, line] or [timestamp, line, {metadata}]";
      return Step::kRefused;
    }
    if (r == JsonRead::kMalformed) return Step::kMalformed;
    ++n;
  }
  if (n < 2) {
    *error = StrCat("expected [timestamp, line], got ", n, n == 1 ? " element" : " elements");
    return Step::kRefused;
  }
  return Step::kOk;
}

LokiPushJsonDecoder::Step LokiPushJsonDecoder::DecodeStream(ondemand::value& stream_value,
                                                            size_t index, LogBatch* batch,
                                                            LogDecodeResult* result,
                                                            std::string* fatal) {
  const std::string where = StrCat("streams[", index, "]");
  auto malformed = [&]() {
    *fatal = StrCat(where, ": ", reader_.MalformedMessage());
    return Step::kMalformed;
  };
  JsonType t;
  if (reader_.Type(stream_value, &t) != JsonRead::kOk) return malformed();
  if (t != JsonType::object) {
    *fatal = StrCat(where, ": expected an object, got ", JsonTypeName(t));
    return Step::kMalformed;
  }
  ondemand::object obj;
  if (auto e = stream_value.get_object().get(obj); e != simdjson::SUCCESS) {
    reader_.Fail(e);
    return malformed();
  }
  // Labels first, wherever "stream" is in the object.
  labels_.clear();
  std::string label_error;
  ondemand::value labels_value;
  simdjson::error_code e = obj.find_field_unordered("stream").get(labels_value);
  if (e != simdjson::SUCCESS && e != simdjson::NO_SUCH_FIELD) {
    reader_.Fail(e);
    return malformed();
  }
  if (e == simdjson::SUCCESS) {
    if (reader_.Type(labels_value, &t) != JsonRead::kOk) return malformed();
    if (t != JsonType::object) {
      label_error = StrCat("stream labels must be an object, got ", JsonTypeName(t));
    } else {
      ondemand::object lo;
      if (auto e2 = labels_value.get_object().get(lo); e2 != simdjson::SUCCESS) {
        reader_.Fail(e2);
        return malformed();
      }
      for (auto pair : lo) {
        ondemand::field f;
        if (auto e2 = std::move(pair).get(f); e2 != simdjson::SUCCESS) {
          reader_.Fail(e2);
          return malformed();
        }
        std::string_view name, value;
        JsonRead r = reader_.Key(f, &name);
        if (r == JsonRead::kMalformed) return malformed();
        if (r != JsonRead::kOk) {
          label_error = JsonReadMessage(r, "a label name", "", t);
          break;
        }
        r = reader_.String(f.value(), &value);
        if (r == JsonRead::kMalformed) return malformed();
        if (r != JsonRead::kOk) {
          label_error = JsonReadMessage(r, StrCat("label \"", Truncated(name, 64), "\""),
                                        "a string", reader_.last_type());
          break;
        }
        labels_.push_back({name, value});
      }
    }
  }
  if (label_error.empty()) resolver_.SetLabels(labels_, batch, &label_error);
  const std::string stream_name = label_error.empty() ? resolver_.LabelsForError() : "";

  ondemand::value values;
  e = obj.find_field_unordered("values").get(values);
  if (e == simdjson::NO_SUCH_FIELD) return Step::kOk;
  if (e != simdjson::SUCCESS) {
    reader_.Fail(e);
    return malformed();
  }
  if (reader_.Type(values, &t) != JsonRead::kOk) return malformed();
  if (t != JsonType::array) {
    *fatal = StrCat(where, ".values: expected an array, got ", JsonTypeName(t));
    return Step::kMalformed;
  }
  ondemand::array arr;
  if (auto e2 = values.get_array().get(arr); e2 != simdjson::SUCCESS) {
    reader_.Fail(e2);
    return malformed();
  }
  size_t entry_index = 0, first_ordinal = result->total;
  for (auto child : arr) {
    ondemand::value v;
    if (auto e2 = std::move(child).get(v); e2 != simdjson::SUCCESS) {
      reader_.Fail(e2);
      return malformed();
    }
    const size_t ordinal = result->total++;
    const size_t i = entry_index++;
    if (!label_error.empty()) continue;  // refused below, all at once
    Step step = DecodeEntry(v, batch, &error_);
    if (step == Step::kMalformed) return malformed();
    uint32_t stream;
    if (step == Step::kOk && !resolver_.Resolve(&entry_, &stream, &error_)) step = Step::kRefused;
    if (step == Step::kOk && !CommitEntry(config_, stream, &entry_, batch, &error_)) {
      step = Step::kRefused;
    }
    if (step == Step::kRefused) {
      result->Refuse(ordinal, 1, "stream ", stream_name, " entry ", i, ": ", error_);
    }
  }
  if (!label_error.empty() && entry_index > 0) {
    result->Refuse(first_ordinal, entry_index, where, ": ", label_error, " (", entry_index,
                   entry_index == 1 ? " entry" : " entries", " refused)");
  }
  return Step::kOk;
}

LogDecodeResult LokiPushJsonDecoder::Decode(std::string_view body, LogBatch* batch) {
  LogDecodeResult result;
  auto fail = [&](std::string message) {
    result = LogDecodeResult();
    result.status = absl::InvalidArgumentError(std::move(message));
    *batch = LogBatch();
    return result;
  };
  if (absl::Status s = json_.Reset(body); !s.ok()) return fail(std::string(s.message()));
  reader_.Reset(&json_, batch->arena());
  streams_.Reset(batch);
  ondemand::document doc;
  if (!json_.Iterate(parser_, 0, body.size(), &doc, &error_)) return fail(error_);
  JsonType t;
  if (auto e = doc.type().get(t); e != simdjson::SUCCESS) {
    return fail(StrCat("malformed JSON: ", simdjson::error_message(e)));
  }
  if (t != JsonType::object) {
    return fail(StrCat("expected a JSON object {\"streams\": [...]}, got ", JsonTypeName(t)));
  }
  ondemand::object root;
  if (auto e = doc.get_object().get(root); e != simdjson::SUCCESS) {
    return fail(StrCat("malformed JSON: ", simdjson::error_message(e)));
  }
  std::string fatal;
  for (auto field_result : root) {
    ondemand::field f;
    if (auto e = std::move(field_result).get(f); e != simdjson::SUCCESS) {
      return fail(StrCat("malformed JSON: ", simdjson::error_message(e)));
    }
    if (f.key() != "streams") continue;
    ondemand::value& streams = f.value();
    if (reader_.Type(streams, &t) != JsonRead::kOk) return fail(reader_.MalformedMessage());
    if (t != JsonType::array) {
      return fail(StrCat("\"streams\" must be an array, got ", JsonTypeName(t)));
    }
    ondemand::array arr;
    if (auto e = streams.get_array().get(arr); e != simdjson::SUCCESS) {
      return fail(StrCat("malformed JSON: ", simdjson::error_message(e)));
    }
    size_t index = 0;
    for (auto child : arr) {
      ondemand::value v;
      if (auto e = std::move(child).get(v); e != simdjson::SUCCESS) {
        return fail(StrCat("malformed JSON: ", simdjson::error_message(e)));
      }
      if (DecodeStream(v, index++, batch, &result, &fatal) == Step::kMalformed) {
        return fail(std::move(fatal));
      }
    }
  }
  const char* rest;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return fail("unexpected content after the JSON object");
  }
  return result;
}

}  // namespace vigil
