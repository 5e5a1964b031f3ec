#include "ingest/logs/es_bulk.h"

#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The next line holding something other than blanks: [*begin, *end), 1-based *line_no.
bool NextLine(std::string_view body, size_t* pos, size_t* line_no, size_t* begin, size_t* end) {
  while (*pos < body.size()) {
    size_t nl = body.find('\n', *pos);
    size_t e = nl == std::string_view::npos ? body.size() : nl;
    size_t b = *pos;
    *pos = e + 1;
    ++*line_no;
    while (b < e && IsBlank(body[b])) ++b;
    while (e > b && IsBlank(body[e - 1])) --e;
    if (b < e) {
      *begin = b;
      *end = e;
      return true;
    }
  }
  return false;
}

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr std::string_view kParsingException = "document_parsing_exception";
constexpr std::string_view kIllegalArgument = "illegal_argument_exception";

}  // namespace

std::string_view EsBulkActionName(EsBulkAction a) {
  switch (a) {
    case EsBulkAction::kIndex:
      return "index";
    case EsBulkAction::kCreate:
      return "create";
    case EsBulkAction::kDelete:
      return "delete";
    case EsBulkAction::kUpdate:
      return "update";
  }
  return "index";
}

std::string EsIndexNameError(std::string_view name) {
  std::string quoted = StrCat("Invalid index name [", Truncated(name, 300), "], ");
  if (name.empty()) return "Invalid index name [], must not be empty";
  if (name.size() > 255) {
    return StrCat(quoted, "index name is too long, (", name.size(), " > 255)");
  }
  if (name == "." || name == "..") return StrCat(quoted, "must not be '.' or '..'");
  if (name[0] == '_' || name[0] == '-' || name[0] == '+') {
    return StrCat(quoted, "must not start with '_', '-', or '+'");
  }
  for (char c : name) {
    if (std::string_view("\\/*?\"<>| ,#:").find(c) != std::string_view::npos) {
      return StrCat(
          quoted,
          "must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?, #, :]");
    }
    if (c >= 'A' && c <= 'Z') return StrCat(quoted, "must be lowercase");
  }
  if (!IsValidUtf8(name)) return StrCat(quoted, "must be UTF-8");
  return std::string();
}

EsBulkDecoder::EsBulkDecoder(StreamLabelConfig config)
    : config_(std::move(config)),
      streams_(&config_),
      record_(&config_),
      id_seed_(SplitMix64(static_cast<uint64_t>(NowNs()) ^ reinterpret_cast<uintptr_t>(this))) {}

std::string EsBulkDecoder::NextId() {
  // 15 random-looking bytes as 20 base64url characters, the shape of ES's generated ids.
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  uint64_t a = SplitMix64(id_seed_ + id_counter_);
  uint64_t b = SplitMix64(a ^ ++id_counter_);
  std::string id(20, 'A');
  for (int i = 0; i < 10; ++i) id[i] = kAlphabet[(a >> (6 * i)) & 63];
  for (int i = 0; i < 10; ++i) id[10 + i] = kAlphabet[(b >> (6 * i)) & 63];
  return id;
}

bool EsBulkDecoder::ParseAction(size_t offset, size_t len, size_t line_no, EsBulkItem* item,
                                EsBulkResult* r) {
  auto fail = [&](std::string reason) {
    r->decode.status = absl::InvalidArgumentError(
        StrCat("Malformed action/metadata line [", line_no, "], ", reason));
    r->error_type = std::string(kIllegalArgument);
    return false;
  };
  ondemand::document doc;
  ondemand::object obj;
  ondemand::json_type type;
  std::string why;
  if (!json_.Iterate(parser_, offset, len, &doc, &why)) return fail(why);
  if (auto e = doc.type().get(type); e != simdjson::SUCCESS) {
    return fail(StrCat("malformed JSON: ", simdjson::error_message(e)));
  }
  if (type != ondemand::json_type::object) {
    return fail(StrCat("expected START_OBJECT but found ", JsonTypeName(type)));
  }
  if (auto e = doc.get_object().get(obj); e != simdjson::SUCCESS) {
    return fail(StrCat("malformed JSON: ", simdjson::error_message(e)));
  }
  int actions = 0;
  for (auto field_result : obj) {
    ondemand::field f;
    if (auto e = std::move(field_result).get(f); e != simdjson::SUCCESS) {
      return fail(StrCat("malformed JSON: ", simdjson::error_message(e)));
    }
    std::string_view key;
    if (JsonRead rr = reader_.Key(f, &key); rr != JsonRead::kOk) {
      return fail("invalid action name");
    }
    // Elasticsearch 8 takes the first key as the action and ignores the others (with a
    // deprecation warning); clients such as winston-elasticsearch send `"attempts":0` there.
    if (++actions > 1) continue;
    if (key == "index") {
      item->action = EsBulkAction::kIndex;
    } else if (key == "create") {
      item->action = EsBulkAction::kCreate;
    } else if (key == "delete") {
      item->action = EsBulkAction::kDelete;
    } else if (key == "update") {
      item->action = EsBulkAction::kUpdate;
    } else {
      return fail(StrCat("expected one of [create, delete, index, update] but found [",
                         Truncated(key, 64), "]"));
    }
    ondemand::value& v = f.value();
    ondemand::object meta;
    if (reader_.Type(v, &type) != JsonRead::kOk) return fail(reader_.MalformedMessage());
    if (type != ondemand::json_type::object) {
      return fail(StrCat("expected START_OBJECT but found ", JsonTypeName(type)));
    }
    if (auto e = v.get_object().get(meta); e != simdjson::SUCCESS) {
      return fail(StrCat("malformed JSON: ", simdjson::error_message(e)));
    }
    for (auto meta_result : meta) {
      ondemand::field m;
      if (auto e = std::move(meta_result).get(m); e != simdjson::SUCCESS) {
        return fail(StrCat("malformed JSON: ", simdjson::error_message(e)));
      }
      std::string_view name, text;
      if (reader_.Key(m, &name) != JsonRead::kOk) return fail("invalid metadata field name");
      if (name != "_index" && name != "_id") continue;
      JsonRead rr = reader_.Text(m.value(), &type, &text);
      if (rr == JsonRead::kMalformed) return fail(reader_.MalformedMessage());
      if (rr != JsonRead::kOk ||
          (type != ondemand::json_type::string && type != ondemand::json_type::number)) {
        return fail(StrCat("field [", name, "] must be a string"));
      }
      (name == "_index" ? item->index : item->id).assign(text);
    }
  }
  if (actions == 0) return fail("expected one of [create, delete, index, update] but found none");
  const char* rest;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return fail("unexpected content after the action");
  }
  return true;
}

bool EsBulkDecoder::DecodeSource(size_t offset, size_t len, const EsBulkItem& item,
                                 int64_t receive_time_ns, LogBatch* batch, std::string* reason) {
  const LabelView index_label{kIndexLabel, item.index};
  auto outcome = record_.Decode(reader_, names_, json_.body().substr(offset, len),
                                receive_time_ns, {&index_label, 1}, &entry_, &labels_, &error_);
  if (outcome != JsonRecordDecoder::Outcome::kOk) {
    *reason = StrCat("failed to parse: ", error_);
    return false;
  }
  absl::StatusOr<uint32_t> stream = streams_.Intern(&labels_);
  if (!stream.ok()) {
    *reason = StrCat("failed to parse: ", stream.status().message());
    return false;
  }
  if (!CommitEntry(config_, *stream, &entry_, batch, &error_)) {
    *reason = StrCat("failed to parse: ", error_);
    return false;
  }
  return true;
}

EsBulkResult EsBulkDecoder::Decode(std::string_view body, std::string_view default_index,
                                   int64_t receive_time_ns, LogBatch* batch) {
  EsBulkResult r;
  if (absl::Status s = json_.Reset(body); !s.ok()) {
    r.decode.status = std::move(s);
    r.error_type = "parse_exception";
    return r;
  }
  reader_.Reset(&json_, batch->arena());
  names_.Reset(batch);
  streams_.Reset(batch);
  size_t pos = 0, line_no = 0, begin, end;
  while (NextLine(body, &pos, &line_no, &begin, &end)) {
    const size_t action_line = line_no;
    EsBulkItem& item = r.items.emplace_back();
    if (!ParseAction(begin, end - begin, action_line, &item, &r)) {
      r.items.clear();
      *batch = LogBatch();
      return r;
    }
    const size_t ordinal = r.decode.total++;
    if (item.index.empty()) item.index = std::string(default_index);
    if (item.id.empty()) item.id = NextId();
    auto refuse = [&](int status, std::string_view type, std::string reason) {
      item.status = status;
      item.error_type = std::string(type);
      r.decode.Refuse(ordinal, 1, "item ", ordinal, " (line ", action_line, "): ", reason);
      item.error_reason = std::move(reason);
    };
    if (item.action == EsBulkAction::kDelete) {
      refuse(400, kIllegalArgument, "the delete action is not supported: logs are append-only");
      continue;
    }
    if (!NextLine(body, &pos, &line_no, &begin, &end)) {
      r.decode.status = absl::InvalidArgumentError(
          StrCat("The bulk request must be terminated by a newline [\\n]: the action on line ",
                 action_line, " has no source document"));
      r.error_type = std::string(kIllegalArgument);
      r.items.clear();
      *batch = LogBatch();
      return r;
    }
    if (item.action == EsBulkAction::kUpdate) {
      refuse(400, kIllegalArgument, "the update action is not supported: logs are append-only");
      continue;
    }
    if (item.index.empty()) {
      refuse(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;");
      continue;
    }
    if (std::string why = EsIndexNameError(item.index); !why.empty()) {
      refuse(400, "invalid_index_name_exception", std::move(why));
      continue;
    }
    std::string reason;
    if (!DecodeSource(begin, end - begin, item, receive_time_ns, batch, &reason)) {
      refuse(400, kParsingException, std::move(reason));
    }
  }
  return r;
}

void WriteEsBulkResponse(const EsBulkResult& result, int64_t took_ms, std::string* out) {
  bool errors = false;
  for (const EsBulkItem& item : result.items) errors |= item.status != 201;
  JsonWriter w(out);
  w.BeginObject().Key("took").Int(took_ms).Key("errors").Bool(errors).Key("items").BeginArray();
  int64_t seq_no = 0;
  for (const EsBulkItem& item : result.items) {
    w.BeginObject().Key(EsBulkActionName(item.action)).BeginObject();
    w.KV("_index", item.index).KV("_id", item.id);
    if (item.status == 201) {
      w.Key("_version").Int(1).KV("result", "created");
      w.Key("_shards").BeginObject().Key("total").Int(1).Key("successful").Int(1);
      w.Key("failed").Int(0).EndObject();
      w.Key("_seq_no").Int(seq_no++).Key("_primary_term").Int(1);
      w.Key("status").Int(201);
    } else {
      w.Key("status").Int(item.status);
      w.Key("error").BeginObject().KV("type", item.error_type).KV("reason", item.error_reason);
      w.EndObject();
    }
    w.EndObject().EndObject();
  }
  w.EndArray().EndObject();
}

void WriteEsErrorResponse(int status, std::string_view type, std::string_view reason,
                          std::string* out) {
  JsonWriter w(out);
  w.BeginObject().Key("error").BeginObject().Key("root_cause").BeginArray();
  w.BeginObject().KV("type", type).KV("reason", reason).EndObject();
  w.EndArray().KV("type", type).KV("reason", reason).EndObject();
  w.Key("status").Int(status).EndObject();
}

}  // namespace vigil
