#include "ingest/logs/loki_push_proto.h"

#include "common/proto_wire.h"
#include "common/strings.h"
#include "ingest/common/utf8.h"
#include "ingest/logs/loki_labels.h"
#include "simdjson.h"

namespace vigil {
namespace {

using proto::WireReader;
using proto::WireType;

std::string WrongWireType(std::string_view field, WireType got, WireType want) {
  return StrCat(field, " has wire type ", proto::WireTypeName(got), ", expected ", proto::WireTypeName(want));
}

// google.protobuf.Timestamp to Unix nanoseconds.
bool DecodeTimestamp(std::string_view pb, int64_t* ns, std::string* error) {
  WireReader r(pb);
  uint32_t f;
  WireType t;
  uint64_t seconds = 0, nanos = 0;
  while (r.NextField(&f, &t)) {
    if (f == 1 || f == 2) {
      if (t != proto::kVarint) {
        *error = WrongWireType(f == 1 ? "timestamp.seconds" : "timestamp.nanos", t, proto::kVarint);
        return false;
      }
      r.ReadVarint(f == 1 ? &seconds : &nanos);
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed timestamp: ", r.error());
    return false;
  }
  auto s = static_cast<int64_t>(seconds);
  auto n = static_cast<int64_t>(nanos);  // int32 on the wire: negatives are sign-extended
  if (n < 0 || n > 999999999) {
    *error = StrCat("timestamp nanos ", n, " out of range [0, 999999999]");
    return false;
  }
  int64_t scaled;
  if (__builtin_mul_overflow(s, int64_t{1000000000}, &scaled) ||
      __builtin_add_overflow(scaled, n, ns)) {
    *error = StrCat("timestamp ", s, "s is out of range for Unix nanoseconds");
    return false;
  }
  return true;
}

}  // namespace

LokiPushProtoDecoder::LokiPushProtoDecoder(StreamLabelConfig config)
    : config_(std::move(config)), streams_(&config_), resolver_(&config_, &streams_) {}

bool LokiPushProtoDecoder::DecodeEntry(std::string_view pb, LogBatch* batch, std::string* error) {
  entry_.Clear();
  WireReader r(pb);
  uint32_t f;
  WireType t;
  bool has_timestamp = false;
  while (r.NextField(&f, &t)) {
    std::string_view bytes;
    if (f == 1 || f == 2 || f == 3) {
      if (t != proto::kLengthDelimited) {
        *error = WrongWireType(f == 1   ? "timestamp"
                               : f == 2 ? "line"
                                        : "structuredMetadata",
                               t, proto::kLengthDelimited);
        return false;
      }
      if (!r.ReadBytes(&bytes)) break;
    } else {
      r.Skip(t);
      continue;
    }
    if (f == 1) {
      if (!DecodeTimestamp(bytes, &entry_.timestamp_ns, error)) return false;
      has_timestamp = true;
    } else if (f == 2) {
      entry_.body = bytes;
    } else {
      WireReader m(bytes);
      std::string_view name, value;
      while (m.NextField(&f, &t)) {
        if ((f == 1 || f == 2) && t == proto::kLengthDelimited) {
          m.ReadBytes(f == 1 ? &name : &value);
        } else if (f == 1 || f == 2) {
          *error = WrongWireType(f == 1 ? "structuredMetadata.name" : "structuredMetadata.value", t,
                                 proto::kLengthDelimited);
          return false;
        } else {
          m.Skip(t);
        }
      }
      if (m.failed()) {
        *error = StrCat("malformed structured metadata: ", m.error());
        return false;
      }
      if (name.empty()) {
        *error = "empty structured metadata name";
        return false;
      }
      if (!IsUtf8(name)) {
        *error =
            StrCat("invalid UTF-8 in structured metadata name ", QuoteString(Truncated(name, 64)));
        return false;
      }
      if (!IsUtf8(value)) {
        *error = StrCat("invalid UTF-8 in structured metadata \"", Truncated(name, 64), "\"");
        return false;
      }
      if (!resolver_.AddMetadata(name, value, batch, &entry_, error)) return false;
    }
  }
  if (r.failed()) {
    *error = StrCat("malformed entry: ", r.error());
    return false;
  }
  if (!has_timestamp) {
    *error = "missing timestamp";
    return false;
  }
  if (!IsUtf8(entry_.body)) {
    *error = "invalid UTF-8 in line";
    return false;
  }
  return true;
}

bool LokiPushProtoDecoder::DecodeStream(std::string_view pb, size_t index, LogBatch* batch,
                                        LogDecodeResult* result, std::string* fatal) {
  // Pass 1: the labels, wherever they are in the message.
  WireReader r(pb);
  uint32_t f;
  WireType t;
  std::string_view label_text;
  bool has_labels = false;
  while (r.NextField(&f, &t)) {
    if (f == 1 || f == 2) {
      if (t != proto::kLengthDelimited) {
        *fatal =
            StrCat("streams[", index,
                   "]: ", WrongWireType(f == 1 ? "labels" : "entries", t, proto::kLengthDelimited));
        return false;
      }
      std::string_view bytes;
      if (r.ReadBytes(&bytes) && f == 1) {
        label_text = bytes;
        has_labels = true;
      }
    } else {
      r.Skip(t);
    }
  }
  if (r.failed()) {
    *fatal = StrCat("streams[", index, "]: ", r.error());
    return false;
  }
  std::string label_error;
  labels_.clear();
  if (!has_labels) {
    label_error = "missing labels";
  } else if (!IsUtf8(label_text)) {
    label_error = "invalid UTF-8 in labels";
  } else if (absl::Status s = ParseLokiLabels(label_text, &labels_); !s.ok()) {
    label_error = std::string(s.message());
  }
  label_views_.clear();
  for (const Label& l : labels_) label_views_.push_back({l.name, l.value});
  if (label_error.empty()) resolver_.SetLabels(label_views_, batch, &label_error);
  const std::string stream_name = label_error.empty() ? resolver_.LabelsForError() : "";

  // Pass 2: the entries.
  WireReader r2(pb);
  size_t entry_index = 0, first_ordinal = result->total;
  while (r2.NextField(&f, &t)) {
    if (f != 2) {
      r2.Skip(t);
      continue;
    }
    std::string_view bytes;
    if (!r2.ReadBytes(&bytes)) break;
    const size_t ordinal = result->total++;
    const size_t i = entry_index++;
    if (!label_error.empty()) continue;
    bool ok = DecodeEntry(bytes, batch, &error_);
    uint32_t stream;
    ok = ok && resolver_.Resolve(&entry_, &stream, &error_);
    ok = ok && CommitEntry(config_, stream, &entry_, batch, &error_);
    if (!ok) result->Refuse(ordinal, 1, "stream ", stream_name, " entry ", i, ": ", error_);
  }
  if (!label_error.empty() && entry_index > 0) {
    result->Refuse(first_ordinal, entry_index, "streams[", index, "]: ", label_error, " (",
                   entry_index, entry_index == 1 ? " entry" : " entries", " refused)");
  }
  return true;
}

LogDecodeResult LokiPushProtoDecoder::Decode(std::string_view body, LogBatch* batch) {
  LogDecodeResult result;
  streams_.Reset(batch);
  WireReader r(body);
  uint32_t f;
  WireType t;
  size_t index = 0;
  std::string fatal;
  while (r.NextField(&f, &t)) {
    if (f != 1) {
      r.Skip(t);
      continue;
    }
    if (t != proto::kLengthDelimited) {
      fatal = WrongWireType("streams", t, proto::kLengthDelimited);
      break;
    }
    std::string_view bytes;
    if (!r.ReadBytes(&bytes)) break;
    if (!DecodeStream(bytes, index++, batch, &result, &fatal)) break;
  }
  if (r.failed() && fatal.empty()) fatal = r.error();
  if (!fatal.empty()) {
    result = LogDecodeResult();
    result.status = absl::InvalidArgumentError(StrCat("malformed Loki push request: ", fatal));
    *batch = LogBatch();
  }
  return result;
}

}  // namespace vigil
