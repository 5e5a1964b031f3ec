#include "ingest/logs/json_record.h"

#include "common/strings.h"
#include "ingest/logs/log_time.h"

namespace vigil {
namespace {

using JsonType = ondemand::json_type;

using KeyRole = JsonRecordDecoder::KeyRole;

struct KeyClass {
  KeyRole role = KeyRole::kNone;
  int priority = -1;  // among the spellings of a timestamp or message, lower wins
};

// The role of a top-level key, found by its length first: one or two comparisons a key
// instead of one per spelling of every role.
KeyClass ClassifyKey(std::string_view key) {
  switch (key.size()) {
    case 2:
      if (key == "ts") return {KeyRole::kTimestamp, 3};
      break;
    case 3:
      if (key == "msg") return {KeyRole::kMessage, 1};
      break;
    case 4:
      if (key == "time") return {KeyRole::kTimestamp, 2};
      break;
    case 5:
      if (key == "level") return {KeyRole::kLevel, 0};
      break;
    case 6:
      if (key == "spanId") return {KeyRole::kSpan, 0};
      break;
    case 7:
      if (key == "message") return {KeyRole::kMessage, 0};
      if (key == "span_id") return {KeyRole::kSpan, 0};
      if (key == "traceId" || key == "traceID") return {KeyRole::kTrace, 0};
      break;
    case 8:
      if (key == "trace_id") return {KeyRole::kTrace, 0};
      if (key == "severity") return {KeyRole::kSeverity, 0};
      break;
    case 9:
      if (key == "timestamp") return {KeyRole::kTimestamp, 1};
      break;
    case 10:
      if (key == "@timestamp") return {KeyRole::kTimestamp, 0};
      break;
  }
  return {};
}

bool IsScalarText(JsonType t) { return t == JsonType::string || t == JsonType::number; }

}  // namespace

void JsonRecordDecoder::Offer(NameTable& names, Candidate* slot, int priority, KeyRole role,
                              std::string_view key, std::string_view text, JsonType type) {
  if (slot->priority < 0 || priority < slot->priority) {
    if (slot->priority >= 0) {
      fields_.push_back({names.Sanitized(slot->key), slot->key, slot->text, slot->type, false,
                         role});
    }
    *slot = {priority, key, text, type};
  } else {
    fields_.push_back({names.Sanitized(key), key, text, type, false, role});
  }
}

template <typename Rank>
int JsonRecordDecoder::FindRole(Rank rank) const {
  int best = -1, best_rank = 1 << 30;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].removed) continue;
    int r = rank(fields_[i]);
    if (r >= 0 && r < best_rank) {
      best = static_cast<int>(i);
      best_rank = r;
    }
  }
  return best;
}

JsonRecordDecoder::Outcome JsonRecordDecoder::Flatten(JsonReader& reader, NameTable& names,
                                                      std::string_view name,
                                                      std::string_view raw_key, KeyRole role,
                                                      size_t index, std::string* error) {
  const size_t field_cap = config_->max_fields + config_->label_fields.size() + 8;
  const std::vector<JsonMember>& members = scan_.members();
  const JsonMember& m = members[index];
  if (m.type == JsonType::object && m.depth < kMaxFlattenDepth) {  // listed member by member
    const size_t end = index + 1 + m.descendants;
    for (size_t child = index + 1; child < end; child += 1 + members[child].descendants) {
      std::string_view key;
      if (JsonRead r = reader.MemberKey(members[child], &key); r != JsonRead::kOk) {
        *error = JsonReadMessage(r, StrCat("a key under field \"", name, "\""), "", m.type);
        return Outcome::kRefused;
      }
      // `name` is stable (body or arena); the child's name is built, then interned.
      std::string child_name(name);
      child_name.push_back('_');
      if (IsSanitizedName(key) || key.empty()) {
        child_name.append(key);
      } else {
        AppendSanitizedName(key, &child_name);
      }
      Outcome out =
          Flatten(reader, names, names.Intern(child_name), {}, KeyRole::kNone, child, error);
      if (out != Outcome::kOk) return out;
    }
    return Outcome::kOk;
  }
  std::string_view text;
  if (JsonRead r = reader.MemberText(m, &text); r != JsonRead::kOk) {
    *error = JsonReadMessage(r, StrCat("field \"", name, "\""), "valid JSON", m.type);
    return Outcome::kRefused;
  }
  if (m.type == JsonType::null) return Outcome::kOk;
  if (fields_.size() >= field_cap) {
    *error = StrCat("too many fields: more than ", config_->max_fields);
    return Outcome::kRefused;
  }
  fields_.push_back({name, raw_key, text, m.type, false, role});
  return Outcome::kOk;
}

JsonRecordDecoder::Outcome JsonRecordDecoder::Decode(
    JsonReader& reader, NameTable& names, std::string_view raw, int64_t receive_time_ns,
    std::span<const LabelView> extra_labels, PendingEntry* entry, std::vector<LabelView>* labels,
    std::string* error) {
  entry->Clear();
  labels->clear();
  fields_.clear();
  switch (scan_.Scan(raw, kMaxFlattenDepth, error)) {
    case JsonObjectScan::Result::kOk:
      break;
    case JsonObjectScan::Result::kNotObject:
      *error = StrCat("expected a JSON object, got ", JsonTypeName(scan_.type()));
      return Outcome::kRefused;
    case JsonObjectScan::Result::kMalformed:
      *error = StrCat("malformed JSON: ", *error);
      return Outcome::kMalformed;
  }
  const std::vector<JsonMember>& members = scan_.members();
  Candidate ts, msg;
  for (size_t i = 0; i < members.size(); i += 1 + members[i].descendants) {
    const JsonMember& m = members[i];
    std::string_view key;
    if (JsonRead r = reader.MemberKey(m, &key); r != JsonRead::kOk) {
      *error = JsonReadMessage(r, "a field name", "", m.type);
      return Outcome::kRefused;
    }
    if (key.empty()) continue;  // nothing can name it
    const KeyClass kc = ClassifyKey(key);
    if (kc.role == KeyRole::kTimestamp || kc.role == KeyRole::kMessage) {
      std::string_view text;
      if (JsonRead r = reader.MemberText(m, &text); r != JsonRead::kOk) {
        *error = JsonReadMessage(r, StrCat("field \"", key, "\""), "valid JSON", m.type);
        return Outcome::kRefused;
      }
      if (m.type == JsonType::null) continue;
      if (kc.role == KeyRole::kTimestamp) {
        if (!IsScalarText(m.type)) {
          *error = StrCat("timestamp field \"", key, "\" must be a string or number, got ",
                          JsonTypeName(m.type));
          return Outcome::kRefused;
        }
        Offer(names, &ts, kc.priority, kc.role, key, text, m.type);
      } else {
        Offer(names, &msg, kc.priority, kc.role, key, text, m.type);
      }
      continue;
    }
    if (kc.role != KeyRole::kNone) {
      const JsonType t = m.type;
      bool level = kc.role == KeyRole::kLevel || kc.role == KeyRole::kSeverity;
      if (t != JsonType::null && t != JsonType::string && !(level && t == JsonType::number)) {
        *error = StrCat("field \"", key, "\" must be a string", level ? " or number" : "", ", got ",
                        JsonTypeName(t));
        return Outcome::kRefused;
      }
    }
    Outcome out = Flatten(reader, names, names.Sanitized(key), key, kc.role, i, error);
    if (out != Outcome::kOk) return out;
  }

  // Severity: level, severity, then ECS's log.level.
  int level = FindRole([](const Field& f) {
    if (!IsScalarText(f.type)) return -1;
    if (f.role == KeyRole::kLevel) return 0;
    if (f.role == KeyRole::kSeverity) return 1;
    if (f.name == "log_level") return 2;
    return -1;
  });
  if (level >= 0) {
    const Field& f = fields_[level];
    entry->severity_text = f.value;
    entry->severity = SeverityFromLevel(f.value, f.type == JsonType::number);
  }
  // Trace context: top-level spellings first, then the flattened ECS form.
  for (IdKind kind : {IdKind::kTrace, IdKind::kSpan}) {
    int idx = FindRole([kind](const Field& f) {
      if (f.role == (kind == IdKind::kTrace ? KeyRole::kTrace : KeyRole::kSpan)) return 0;
      return f.name == IdName(kind) ? 1 : -1;
    });
    if (idx < 0) continue;
    Field& f = fields_[idx];
    if (f.type != JsonType::string) {
      *error = StrCat("field \"", f.name, "\" must be a string, got ", JsonTypeName(f.type));
      return Outcome::kRefused;
    }
    std::string_view* out = kind == IdKind::kTrace ? &entry->trace_id : &entry->span_id;
    if (!NormalizeHexId(kind, f.value, reader.arena(), out, error)) return Outcome::kRefused;
    f.removed = true;
  }
  // Labels: the configured fields present at the top level as strings or numbers.
  for (const std::string& name : config_->label_fields) {
    for (Field& f : fields_) {
      if (!f.removed && f.raw_key == name && IsScalarText(f.type) && !f.value.empty()) {
        labels->push_back({name, f.value});
        f.removed = true;
        break;
      }
    }
  }
  // A level spelled `severity` or `log.level` still gives the `level` label when that is a
  // label field, so a stream selector {level="error"} finds it whatever the shipper called it.
  if (level >= 0 && !fields_[level].value.empty() && fields_[level].role != KeyRole::kLevel) {
    bool configured = false, present = false;
    for (const std::string& name : config_->label_fields) configured = configured || name == "level";
    for (const LabelView& l : *labels) present = present || l.name == "level";
    if (configured && !present) labels->push_back({"level", fields_[level].value});
  }
  if (level >= 0) fields_[level].removed = true;
  labels->insert(labels->end(), extra_labels.begin(), extra_labels.end());

  if (ts.priority >= 0) {
    if (!ParseLogTimestamp(ts.text, ts.type == JsonType::number, &entry->timestamp_ns, error)) {
      return Outcome::kRefused;
    }
  } else {
    entry->timestamp_ns = receive_time_ns;
  }
  if (msg.priority >= 0) {
    entry->body = msg.text;
  } else {
    // The whole object is the body: every byte of it must be UTF-8, read or not.
    if (reader.body().BodyHasInvalidUtf8(raw)) {
      *error = "invalid UTF-8 in the line";
      return Outcome::kRefused;
    }
    entry->body = raw;
  }

  for (const Field& f : fields_) {
    if (!f.removed) entry->fields.push_back({f.name, f.value});
  }
  int from_field;
  std::string_view service = FindServiceName(*config_, *labels, entry->fields, &from_field);
  bool has_label = false;
  for (const LabelView& l : *labels) has_label |= l.name == kServiceNameLabel;
  if (!has_label)
    labels->push_back({kServiceNameLabel, service.empty() ? kUnknownService : service});
  // The label carries it now; a field of the same name would only duplicate it.
  if (from_field >= 0 && entry->fields[from_field].name == kServiceNameLabel) {
    entry->fields.erase(entry->fields.begin() + from_field);
  }
  return Outcome::kOk;
}

}  // namespace vigil
