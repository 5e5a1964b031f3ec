#include "query/logql/pipeline/line_state.h"

#include <algorithm>
#include <functional>

#include "query/logql/pipeline/go_template.h"
#include "query/logql/pipeline/json_scratch.h"

namespace vigil::logql::pipeline {
namespace {

bool IsNameChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Length of the valid UTF-8 sequence starting at s[i], or 1 for an invalid byte (which Go
// decodes as one RuneError).
size_t Utf8SeqLen(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
  } else {
    return 1;
  }
  if (i + n > s.size()) return 1;
  const auto b1 = static_cast<unsigned char>(s[i + 1]);
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 == 0xE0) lo = 0xA0;
  if (b0 == 0xED) hi = 0x9F;
  if (b0 == 0xF0) lo = 0x90;
  if (b0 == 0xF4) hi = 0x8F;
  if (b1 < lo || b1 > hi) return 1;
  for (size_t k = 2; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < 0x80 || b > 0xBF) return 1;
  }
  return n;
}

// Label sets larger than this are indexed by a hash table (see LineState::IndexSlot).
constexpr size_t kIndexThreshold = 32;

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (!IsNameChar(c) || (i == 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace

void AppendSanitizedLabelName(std::string_view key, std::string* out) {
  while (!key.empty() && IsSpace(static_cast<unsigned char>(key.front()))) key.remove_prefix(1);
  while (!key.empty() && IsSpace(static_cast<unsigned char>(key.back()))) key.remove_suffix(1);
  if (key.empty()) return;
  if (out->empty() && key[0] >= '0' && key[0] <= '9') out->push_back('_');
  for (size_t i = 0; i < key.size();) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (IsNameChar(c)) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else {
      out->push_back('_');
      i += c < 0x80 ? 1 : Utf8SeqLen(key, i);
    }
  }
}

LineState::LineState(LineStateOptions options) : options_(options) {}
LineState::~LineState() = default;

void LineState::Reset(const Labels& stream, const LogRecordView& record) {
  stream_ = &stream;
  record_ = &record;
  line_ = record.body;
  labels_loaded_ = false;
  used_slots_ = 0;
  indexed_ = false;
  error_.clear();
  error_details_.clear();
}

void LineState::SetLine(std::string_view text) {
  std::string* buf = LineBuffer();
  buf->assign(text.data(), text.size());
  CommitLineBuffer();
}

std::string* LineState::LineBuffer() {
  std::string* buf = &line_bufs_[current_buf_ ^ 1];
  buf->clear();
  return buf;
}

void LineState::CommitLineBuffer() {
  current_buf_ ^= 1;
  line_ = line_bufs_[current_buf_];
}

LineState::Slot& LineState::NewSlot() {
  // Reuse a slot (and its string capacity) from an earlier line when there is one.
  if (used_slots_ == slots_.size()) slots_.emplace_back();
  Slot& s = slots_[used_slots_++];
  s.live = true;
  return s;
}

void LineState::IndexSlot(uint32_t slot) {
  const size_t mask = index_.size() - 1;
  size_t i = std::hash<std::string_view>()(slots_[slot].name) & mask;
  while (index_[i] != 0) i = (i + 1) & mask;
  index_[i] = slot + 1;
}

void LineState::RebuildIndex(size_t capacity) {
  index_.assign(capacity, 0);
  for (size_t i = 0; i < used_slots_; ++i) IndexSlot(static_cast<uint32_t>(i));
  indexed_ = true;
}

LineState::Slot* LineState::Find(std::string_view name) {
  if (indexed_) {
    const size_t mask = index_.size() - 1;
    for (size_t i = std::hash<std::string_view>()(name) & mask; index_[i] != 0;
         i = (i + 1) & mask) {
      Slot& s = slots_[index_[i] - 1];
      if (s.live && s.name == name) return &s;  // deleted slots stay in the table as tombstones
    }
    return nullptr;
  }
  for (size_t i = 0; i < used_slots_; ++i) {
    Slot& s = slots_[i];
    if (s.live && s.name.size() == name.size() && s.name == name) return &s;
  }
  return nullptr;
}

void LineState::LoadLabels() {
  labels_loaded_ = true;
  used_slots_ = 0;
  indexed_ = false;
  stream_names_.clear();
  if (stream_ != nullptr) {
    for (const LabelView& l : *stream_) {
      stream_names_.push_back(l.name);
      Slot& s = NewSlot();
      s.name.assign(l.name.data(), l.name.size());
      s.value.assign(l.value.data(), l.value.size());
      s.category = LabelCategory::kStream;
    }
  }
  if (record_ == nullptr) return;
  bool has_trace_id = false, has_span_id = false;
  for (const LogFieldView& f : record_->fields) {
    std::string_view name = f.name;
    if (!ValidName(name)) {
      name_buf_.clear();
      AppendSanitizedLabelName(f.name, &name_buf_);
      name = name_buf_;
    }
    if (name.empty()) continue;
    has_trace_id = has_trace_id || name == "trace_id";
    has_span_id = has_span_id || name == "span_id";
    Set(ExtractedLabelNameFor(name), f.value, LabelCategory::kMetadata);
  }
  if (options_.trace_context_as_metadata) {
    if (!has_trace_id && !record_->trace_id.empty()) {
      Set(ExtractedLabelNameFor("trace_id"), record_->trace_id, LabelCategory::kMetadata);
    }
    if (!has_span_id && !record_->span_id.empty()) {
      Set(ExtractedLabelNameFor("span_id"), record_->span_id, LabelCategory::kMetadata);
    }
  }
}

bool LineState::Lookup(std::string_view name, std::string_view* value) {
  if (name == kErrorLabel && !error_.empty()) {
    *value = error_;
    return true;
  }
  if (name == kErrorDetailsLabel && !error_details_.empty()) {
    *value = error_details_;
    return true;
  }
  EnsureLabels();
  const Slot* s = Find(name);
  if (s == nullptr) return false;
  *value = s->value;
  return true;
}

std::string_view LineState::Get(std::string_view name) {
  std::string_view v;
  return Lookup(name, &v) ? v : std::string_view();
}

void LineState::Set(std::string_view name, std::string_view value, LabelCategory category) {
  if (name.empty()) return;
  if (name == kErrorLabel) {
    error_.assign(value.data(), value.size());
    return;
  }
  if (name == kErrorDetailsLabel) {
    error_details_.assign(value.data(), value.size());
    return;
  }
  EnsureLabels();
  if (Slot* s = Find(name)) {
    // Parsed > structured metadata > stream: a weaker category never overwrites a stronger.
    if (category < s->category) return;
    s->value.assign(value.data(), value.size());  // assign handles `value` aliasing s->value
    s->category = category;
    return;
  }
  // `name` or `value` may point into a slot; NewSlot never moves slots (deque), and the slot
  // it hands out is not live, so neither source is overwritten before being copied.
  Slot& s = NewSlot();
  s.name.assign(name.data(), name.size());
  s.value.assign(value.data(), value.size());
  s.category = category;
  if (indexed_) {
    if (used_slots_ * 2 > index_.size()) {
      RebuildIndex(index_.size() * 2);
    } else {
      IndexSlot(static_cast<uint32_t>(used_slots_ - 1));
    }
  } else if (used_slots_ > kIndexThreshold) {
    RebuildIndex(256);
  }
}

void LineState::Del(std::string_view name) {
  if (name == kErrorLabel) {
    error_.clear();
    return;
  }
  if (name == kErrorDetailsLabel) {
    error_details_.clear();
    return;
  }
  EnsureLabels();
  if (Slot* s = Find(name)) s->live = false;
}

bool LineState::StreamHas(std::string_view name) {
  EnsureLabels();
  for (std::string_view n : stream_names_) {
    if (n == name) return true;
  }
  return false;
}

std::string_view LineState::ExtractedLabelName(std::string_view key) {
  EnsureLabels();  // loading uses name_buf_, so it must happen before we fill it
  name_buf_.clear();
  AppendSanitizedLabelName(key, &name_buf_);
  if (!name_buf_.empty() && StreamHas(name_buf_)) name_buf_.append(kExtractedSuffix);
  return name_buf_;
}

std::string_view LineState::ExtractedLabelNameFor(std::string_view sanitized) {
  EnsureLabels();
  if (!StreamHas(sanitized)) return sanitized;
  if (sanitized.data() != name_buf_.data()) name_buf_.assign(sanitized.data(), sanitized.size());
  name_buf_.append(kExtractedSuffix);
  return name_buf_;
}

size_t LineState::LabelSlots() {
  EnsureLabels();
  return used_slots_;
}

bool LineState::LabelAt(size_t i, std::string_view* name, std::string_view* value,
                        LabelCategory* category) {
  EnsureLabels();
  if (i >= used_slots_ || !slots_[i].live) return false;
  *name = slots_[i].name;
  *value = slots_[i].value;
  if (category != nullptr) *category = slots_[i].category;
  return true;
}

void LineState::SetError(std::string_view error, std::string_view details) {
  error_.assign(error.data(), error.size());
  if (!details.empty()) error_details_.assign(details.data(), details.size());
}

void LineState::SortedLabelViews(std::vector<LabelView>* out) {
  EnsureLabels();
  out->clear();
  for (size_t i = 0; i < used_slots_; ++i) {
    const Slot& s = slots_[i];
    if (s.live) out->push_back(LabelView{s.name, s.value});
  }
  if (!error_.empty()) out->push_back(LabelView{kErrorLabel, error_});
  if (!error_details_.empty()) out->push_back(LabelView{kErrorDetailsLabel, error_details_});
  std::sort(out->begin(), out->end(),
            [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
}

Labels LineState::ToLabels() {
  SortedLabelViews(&views_);
  return Labels::FromViews(views_);
}

JsonScratch& LineState::json_scratch() {
  if (json_ == nullptr) json_ = std::make_unique<JsonScratch>();
  return *json_;
}

TemplateScratch& LineState::template_scratch() {
  if (template_ == nullptr) template_ = std::make_unique<TemplateScratch>();
  return *template_;
}

}  // namespace vigil::logql::pipeline
