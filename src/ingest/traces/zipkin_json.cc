#include "ingest/traces/zipkin_json.h"

#include <limits>

#include "common/strings.h"
#include "ingest/traces/span_json.h"

namespace vigil {
namespace {

using JsonType = ondemand::json_type;

constexpr uint64_t kMaxTimeNs = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
constexpr uint64_t kMaxTimeUs = kMaxTimeNs / 1000;

}  // namespace

// What a span's fields say beyond what the assembler holds.
struct ZipkinJsonDecoder::SpanFields {
  std::string_view service;  // localEndpoint.serviceName
  bool error_tag = false;
  std::string_view error_message;
  bool otel_status_set = false;
  SpanStatus otel_status = SpanStatus::kUnset;
};

ZipkinJsonDecoder::ZipkinJsonDecoder(const SpanLimits& limits) : spans_(limits) {}

ZipkinJsonDecoder::Step ZipkinJsonDecoder::DecodeEndpoint(ondemand::value& v, bool local,
                                                          SpanFields* fields, std::string* error) {
  const std::string_view name = local ? "localEndpoint" : "remoteEndpoint";
  ondemand::object o;
  if (Step s = OpenJsonObject(reader_, v, name, &o, error); s != Step::kOk) return s;
  std::string_view service, ipv4, ipv6, port;
  Step s =
      ForEachMember(reader_, o, error, [&](std::string_view key, ondemand::value& val, JsonType t) {
        JsonRead r = JsonRead::kOk;
        std::string_view expected = "a string";
        if (key == "serviceName") {
          r = reader_.String(val, &service);
        } else if (key == "ipv4") {
          r = reader_.String(val, &ipv4);
        } else if (key == "ipv6") {
          r = reader_.String(val, &ipv6);
        } else if (key == "port") {
          expected = "a port number";
          uint64_t n = 0;
          if (t != JsonType::number && t != JsonType::string) {
            r = JsonRead::kWrongType;
          } else if ((r = reader_.Text(val, &t, &port)) == JsonRead::kOk &&
                     (!ParseUint64(port, &n) || n > 65535)) {
            r = JsonRead::kInvalidValue;
          }
          if (n == 0) port = {};  // Zipkin's "no port"
        }
        return r == JsonRead::kOk
                   ? Step::kOk
                   : JsonFailure(reader_, r, StrCat(name, ".", key), expected, error);
      });
  if (s != Step::kOk) return s;
  std::string_view ip = !ipv4.empty() ? ipv4 : ipv6;
  if (local) {
    fields->service = service;
    if (!ip.empty()) spans_.AddAttribute("net.host.ip", ip, AttributeType::kString);
    if (!port.empty()) spans_.AddAttribute("net.host.port", port, AttributeType::kInt);
  } else {
    if (!service.empty()) spans_.AddAttribute("peer.service", service, AttributeType::kString);
    if (!ip.empty()) spans_.AddAttribute("net.peer.ip", ip, AttributeType::kString);
    if (!port.empty()) spans_.AddAttribute("net.peer.port", port, AttributeType::kInt);
  }
  return Step::kOk;
}

ZipkinJsonDecoder::Step ZipkinJsonDecoder::DecodeAnnotation(ondemand::value& v,
                                                            std::string* error) {
  SpanBatch::Event* ev = spans_.AddEvent();
  if (ev == nullptr) return Step::kOk;  // past the limit: dropped (and counted) unread
  ondemand::object o;
  if (Step s = OpenJsonObject(reader_, v, "an annotation", &o, error); s != Step::kOk) return s;
  uint64_t time = 0;
  Step s =
      ForEachMember(reader_, o, error, [&](std::string_view key, ondemand::value& val, JsonType) {
        JsonRead r = JsonRead::kOk;
        std::string_view expected;
        if (key == "timestamp") {
          r = reader_.Uint64(val, &time);
          expected = "an unsigned integer";
        } else if (key == "value") {
          r = reader_.String(val, &ev->name);
          expected = "a string";
        }
        return r == JsonRead::kOk ? Step::kOk : JsonFailure(reader_, r, key, expected, error);
      });
  if (s != Step::kOk) return s;
  if (time > kMaxTimeUs) {
    *error = StrCat("timestamp ", time, " is out of range");
    return Step::kRefused;
  }
  ev->time_ns = static_cast<int64_t>(time * 1000);
  return Step::kOk;
}

ZipkinJsonDecoder::Step ZipkinJsonDecoder::DecodeTags(ondemand::value& v, SpanFields* fields,
                                                      std::string* error) {
  ondemand::object o;
  if (Step s = OpenJsonObject(reader_, v, "tags", &o, error); s != Step::kOk) return s;
  SpanBatch::Entry& span = spans_.span();
  return ForEachMember(
      reader_, o, error, [&](std::string_view key, ondemand::value& val, JsonType t) {
        if (key.empty()) return Step::kOk;
        if (t == JsonType::object || t == JsonType::array) {
          *error = StrCat("tag ", QuoteString(Truncated(key, 64)), " must be a string, got ",
                          JsonTypeName(t));
          return Step::kRefused;
        }
        std::string_view value;
        if (JsonRead r = reader_.Text(val, &t, &value); r != JsonRead::kOk) {
          return JsonFailure(reader_, r, StrCat("tag ", QuoteString(Truncated(key, 64))),
                             "a string", error);
        }
        if (key == "error") {
          fields->error_tag = true;
          fields->error_message = value;
        } else if (key == "otel.status_code") {
          fields->otel_status_set = ParseSpanStatus(value, &fields->otel_status);
        } else if (key == "otel.scope.name" || key == "otel.library.name") {
          span.scope_name = value;
        } else if (key == "otel.scope.version" || key == "otel.library.version") {
          span.scope_version = value;
        }
        spans_.AddAttribute(key, value, AttributeType::kString);
        return Step::kOk;
      });
}

ZipkinJsonDecoder::Step ZipkinJsonDecoder::DecodeAnnotations(ondemand::value& v, JsonType t,
                                                             std::string* error) {
  if (t != JsonType::array) {
    *error = StrCat("annotations must be an array, got ", JsonTypeName(t));
    return Step::kRefused;
  }
  ondemand::array arr;
  if (auto e = v.get_array().get(arr); e != simdjson::SUCCESS) {
    return JsonFailure(reader_, reader_.Fail(e), "", "", error);
  }
  size_t i = 0;
  for (auto child : arr) {
    ondemand::value item;
    if (auto e = std::move(child).get(item); e != simdjson::SUCCESS) {
      return JsonFailure(reader_, reader_.Fail(e), "", "", error);
    }
    if (Step st = DecodeAnnotation(item, error); st != Step::kOk) {
      if (st == Step::kRefused) *error = StrCat("annotations[", i, "]: ", *error);
      return st;
    }
    ++i;
  }
  return Step::kOk;
}

ZipkinJsonDecoder::Step ZipkinJsonDecoder::DecodeSpan(ondemand::value& v, SpanFields* fields,
                                                      std::string* error) {
  spans_.Begin();
  *fields = SpanFields();
  SpanBatch::Entry& s = spans_.span();
  ondemand::object o;
  if (Step st = OpenJsonObject(reader_, v, "", &o, error); st != Step::kOk) return st;
  uint64_t timestamp = 0, duration = 0;
  std::string_view trace_hex, span_hex, parent_hex;
  Step st =
      ForEachMember(reader_, o, error, [&](std::string_view key, ondemand::value& val, JsonType t) {
        JsonRead r = JsonRead::kOk;
        std::string_view expected = "a string";
        if (key == "traceId") {
          r = reader_.String(val, &trace_hex);
        } else if (key == "id") {
          r = reader_.String(val, &span_hex);
        } else if (key == "parentId") {
          r = reader_.String(val, &parent_hex);
        } else if (key == "name") {
          r = reader_.String(val, &s.name);
        } else if (key == "kind") {
          std::string_view kind;
          r = reader_.String(val, &kind);
          if (r == JsonRead::kOk && !ParseSpanKind(kind, &s.kind)) {
            *error = StrCat("kind ", QuoteString(Truncated(kind, 64)),
                            " is not CLIENT, SERVER, PRODUCER or CONSUMER");
            return Step::kRefused;
          }
        } else if (key == "timestamp" || key == "duration") {
          r = reader_.Uint64(val, key[0] == 't' ? &timestamp : &duration);
          expected = "an unsigned integer";
        } else if (key == "localEndpoint" || key == "remoteEndpoint") {
          return DecodeEndpoint(val, key[0] == 'l', fields, error);
        } else if (key == "annotations") {
          return DecodeAnnotations(val, t, error);
        } else if (key == "tags") {
          return DecodeTags(val, fields, error);
        }
        return r == JsonRead::kOk ? Step::kOk : JsonFailure(reader_, r, key, expected, error);
      });
  if (st != Step::kOk) return st;
  if (!DecodeTraceIdHex(trace_hex, "traceId", true, &s.trace_id, error) ||
      !DecodeSpanIdHex(span_hex, "id", IdPresence::kRequired, &s.span_id, error) ||
      !DecodeSpanIdHex(parent_hex, "parentId", IdPresence::kOptional, &s.parent_span_id, error)) {
    return Step::kRefused;
  }
  if (fields->error_tag) {
    s.status = SpanStatus::kError;
    s.status_message = fields->error_message;
  } else if (fields->otel_status_set) {
    s.status = fields->otel_status;
  }
  if (timestamp > kMaxTimeUs) {
    *error = StrCat("timestamp ", timestamp, " is out of range");
    return Step::kRefused;
  }
  if (duration > (kMaxTimeNs - timestamp * 1000) / 1000) {
    *error = StrCat("duration ", duration, " is out of range");
    return Step::kRefused;
  }
  const uint64_t start = timestamp * 1000;
  spans_.SetTimes(start, start + duration * 1000);
  return spans_.Check(error) ? Step::kOk : Step::kRefused;
}

uint32_t ZipkinJsonDecoder::ResourceOf(std::string_view service) {
  auto [it, inserted] = services_.try_emplace(service, 0);
  if (inserted) {
    if (service.empty()) {
      it->second = spans_.AddResource({});
    } else {
      const OtlpAttribute name{"service.name", service, AttributeType::kString};
      it->second = spans_.AddResource({&name, 1});
    }
  }
  return it->second;
}

SpanDecodeResult ZipkinJsonDecoder::Decode(std::string_view body, SpanBatch* batch) {
  SpanDecodeResult result;
  auto fail = [&](std::string_view message) {
    result = SpanDecodeResult();
    result.status =
        absl::InvalidArgumentError(StrCat("malformed Zipkin JSON spans request: ", message));
    *batch = SpanBatch();
    return result;
  };
  if (absl::Status s = json_.Reset(body); !s.ok()) return fail(ToStd(s.message()));
  reader_.Reset(&json_, batch->arena());
  spans_.Reset(batch, &result);
  services_.clear();
  ondemand::document doc;
  JsonType t;
  ondemand::array root;
  if (!json_.Iterate(parser_, 0, body.size(), &doc, &error_)) return fail(error_);
  if (auto e = doc.type().get(t); e != simdjson::SUCCESS) return fail(simdjson::error_message(e));
  if (t != JsonType::array) {
    return fail(StrCat("expected a JSON array of spans, got ", JsonTypeName(t)));
  }
  if (auto e = doc.get_array().get(root); e != simdjson::SUCCESS) {
    return fail(simdjson::error_message(e));
  }
  SpanFields fields;
  for (auto child : root) {
    ondemand::value v;
    if (auto e = std::move(child).get(v); e != simdjson::SUCCESS) {
      return fail(simdjson::error_message(e));
    }
    const size_t i = result.total++;
    Step s = DecodeSpan(v, &fields, &error_);
    if (s == Step::kMalformed) return fail(StrCat("spans[", i, "]: ", error_));
    if (s == Step::kOk) {
      spans_.Write(ResourceOf(fields.service));
    } else {
      result.Refuse(i, 1, "spans[", i, "]: ", error_);
    }
  }
  const char* rest;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return fail("unexpected content after the JSON array");
  }
  return result;
}

}  // namespace vigil
