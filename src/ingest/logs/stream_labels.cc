#include "ingest/logs/stream_labels.h"

#include <algorithm>

#include "common/strings.h"

namespace vigil {

absl::Status StreamLabelConfig::Validate() const {
  for (const std::string& f : label_fields) {
    if (!IsValidLabelName(f)) {
      return absl::InvalidArgumentError(
          StrCat("log stream label field ", QuoteString(f), " is not a valid label name"));
    }
  }
  for (const std::string& a : otlp_resource_labels) {
    if (a.empty()) return absl::InvalidArgumentError("empty OTLP resource label attribute");
  }
  for (const std::string& s : service_name_sources) {
    if (s.empty()) return absl::InvalidArgumentError("empty service_name source");
  }
  if (max_label_value_bytes == 0) {
    return absl::InvalidArgumentError("max_label_value_bytes must be positive");
  }
  if (max_labels < 1) return absl::InvalidArgumentError("max_labels must be at least 1");
  if (max_fields == 0) return absl::InvalidArgumentError("max_fields must be positive");
  return absl::OkStatus();
}

void AppendSanitizedName(std::string_view name, std::string* out) {
  if (name.empty()) {
    out->push_back('_');
    return;
  }
  if (name[0] >= '0' && name[0] <= '9') out->push_back('_');
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (ok) {
      out->push_back(static_cast<char>(c));
    } else if (c < 0x80 || c >= 0xC0) {
      // One '_' per character: ASCII bytes and UTF-8 lead bytes; continuation bytes vanish.
      out->push_back('_');
    }
  }
}

void NameTable::Reset(LogBatch* batch) {
  batch_ = batch;
  sanitized_.clear();
  interned_.clear();
}

std::string_view NameTable::Sanitized(std::string_view name) {
  if (IsSanitizedName(name)) return name;
  auto it = sanitized_.find(ToAbsl(name));
  if (it != sanitized_.end()) return it->second;
  scratch_.clear();
  AppendSanitizedName(name, &scratch_);
  std::string_view stable = Intern(scratch_);
  sanitized_.emplace(std::string(name), stable);
  return stable;
}

std::string_view NameTable::Intern(std::string_view name) {
  auto it = interned_.find(ToAbsl(name));
  if (it != interned_.end()) return it->second;
  std::string_view stable = batch_->Copy(name);
  interned_.emplace(std::string(name), stable);
  return stable;
}

std::string_view FindServiceName(const StreamLabelConfig& config, std::span<const LabelView> labels,
                                 std::span<const LogFieldView> fields, int* from_field) {
  *from_field = -1;
  for (const std::string& source : config.service_name_sources) {
    for (const LabelView& l : labels) {
      if (l.name == source && !l.value.empty()) return l.value;
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name == source && !fields[i].value.empty()) {
        *from_field = static_cast<int>(i);
        return fields[i].value;
      }
    }
  }
  return {};
}

void StreamTable::Reset(LogBatch* batch) {
  batch_ = batch;
  index_.clear();
}

absl::StatusOr<uint32_t> StreamTable::Intern(std::vector<LabelView>* labels) {
  std::sort(labels->begin(), labels->end(),
            [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
  scratch_.clear();
  PackLabels(*labels, &scratch_);
  auto it = index_.find(ToAbsl(scratch_));
  if (it != index_.end()) return it->second;
  if (absl::Status s = Validate(*labels); !s.ok()) return s;
  uint32_t stream = batch_->AddStream(Labels::FromPacked(scratch_));
  index_.emplace(scratch_, stream);
  return stream;
}

absl::Status StreamTable::Validate(std::span<const LabelView> sorted) const {
  if (sorted.size() > config_->max_labels) {
    return absl::InvalidArgumentError(
        StrCat("too many stream labels: ", sorted.size(), ", limit ", config_->max_labels));
  }
  for (size_t i = 0; i < sorted.size(); ++i) {
    const LabelView& l = sorted[i];
    if (!IsValidLabelName(l.name)) {
      return absl::InvalidArgumentError(
          StrCat("invalid label name ", QuoteString(Truncated(l.name))));
    }
    if (i > 0 && sorted[i - 1].name == l.name) {
      return absl::InvalidArgumentError(StrCat("duplicate label name \"", l.name, "\""));
    }
    if (l.value.empty()) {
      return absl::InvalidArgumentError(StrCat("empty value for label \"", l.name, "\""));
    }
    if (l.value.size() > config_->max_label_value_bytes) {
      return absl::InvalidArgumentError(StrCat("value of label \"", l.name, "\" is ",
                                               l.value.size(), " bytes, limit ",
                                               config_->max_label_value_bytes));
    }
    if (!IsValidUtf8(l.value)) {
      return absl::InvalidArgumentError(StrCat("invalid UTF-8 in value of label \"", l.name, "\""));
    }
  }
  return absl::OkStatus();
}

std::string FormatLabelsForError(std::span<const LabelView> labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out.append(", ");
    if (out.size() > 256) {
      out.append("...");
      break;
    }
    StrAppend(&out, Truncated(labels[i].name, 64), "=",
              QuoteString(Truncated(labels[i].value, 64)));
  }
  out.push_back('}');
  return out;
}

}  // namespace vigil
