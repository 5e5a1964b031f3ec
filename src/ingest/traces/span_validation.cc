#include "ingest/traces/span_validation.h"

#include <limits>

#include "common/strings.h"

namespace vigil {
namespace {

constexpr uint64_t kMaxTimeNs = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

bool CheckHex(std::string_view hex, std::string_view field, size_t want, size_t also,
              std::string* error) {
  if (hex.empty()) {
    *error = StrCat("missing ", field);
    return false;
  }
  if (!IsHex(hex)) {
    *error = StrCat("invalid ", field, " ", QuoteString(Truncated(hex, 64)), ": not a hex string");
    return false;
  }
  if (hex.size() != want && hex.size() != also) {
    *error =
        StrCat("invalid ", field, " ", QuoteString(Truncated(hex, 64)), ": ", hex.size(),
               " hex digits, expected ", also != want ? StrCat(also, " or ", want) : StrCat(want));
    return false;
  }
  return true;
}

}  // namespace

bool DecodeTraceIdBytes(std::string_view bytes, std::string_view field, TraceId* out,
                        std::string* error) {
  if (bytes.empty()) {
    *error = StrCat("missing ", field);
    return false;
  }
  if (!TraceId::FromBytes(bytes, out)) {
    *error = StrCat("invalid ", field, ": ", bytes.size(), " bytes, expected 16");
    return false;
  }
  if (out->empty()) {
    *error = StrCat("invalid ", field, ": all zero");
    return false;
  }
  return true;
}

bool DecodeSpanIdBytes(std::string_view bytes, std::string_view field, IdPresence presence,
                       SpanId* out, std::string* error) {
  *out = 0;
  const bool required = presence == IdPresence::kRequired;
  if (bytes.empty()) {
    if (!required) return true;
    *error = StrCat("missing ", field);
    return false;
  }
  if (!SpanIdFromBytes(bytes, out)) {
    *error = StrCat("invalid ", field, ": ", bytes.size(), " bytes, expected 8");
    return false;
  }
  if (*out == 0 && required) {
    *error = StrCat("invalid ", field, ": all zero");
    return false;
  }
  return true;
}

bool DecodeTraceIdHex(std::string_view hex, std::string_view field, bool allow_64bit, TraceId* out,
                      std::string* error) {
  if (!CheckHex(hex, field, 32, allow_64bit ? 16 : 32, error)) return false;
  TraceId::FromHex(hex, out);
  if (out->empty()) {
    *error = StrCat("invalid ", field, ": all zero");
    return false;
  }
  return true;
}

bool DecodeSpanIdHex(std::string_view hex, std::string_view field, IdPresence presence, SpanId* out,
                     std::string* error) {
  *out = 0;
  const bool required = presence == IdPresence::kRequired;
  if (hex.empty() && !required) return true;
  if (!CheckHex(hex, field, 16, 16, error)) return false;
  SpanIdFromHex(hex, out);
  if (*out == 0 && required) {
    *error = StrCat("invalid ", field, ": all zero");
    return false;
  }
  return true;
}

void SpanAssembler::Reset(SpanBatch* batch, SpanDecodeResult* result) {
  batch_ = batch;
  result_ = result;
  resource_attrs_.clear();
  resource_service_ = {};
  resource_truncated_ = 0;
  resource_written_ = false;
}

std::string_view SpanAssembler::Limit(std::string_view value, AttributeType* type,
                                      size_t* truncated) const {
  if (value.size() <= limits_.max_attribute_value_bytes) return value;
  ++*truncated;
  *type = AttributeType::kString;
  return TruncateUtf8(value, limits_.max_attribute_value_bytes);
}

void SpanAssembler::AppendLimited(std::span<const OtlpAttribute> attributes,
                                  std::string_view* service_name, size_t* truncated) {
  *service_name = {};
  for (const OtlpAttribute& a : attributes) {
    if (resource_attrs_.size() >= limits_.max_attributes) break;
    AttributeType type = a.type;
    std::string_view value = Limit(a.value, &type, truncated);
    resource_attrs_.push_back({a.key, value, type});
    if (a.key == "service.name" && service_name->empty()) *service_name = value;
  }
}

void SpanAssembler::SetResource(std::span<const OtlpAttribute> attributes) {
  resource_attrs_.clear();
  resource_truncated_ = 0;
  resource_written_ = false;
  AppendLimited(attributes, &resource_service_, &resource_truncated_);
}

uint32_t SpanAssembler::AddResource(std::span<const OtlpAttribute> attributes) {
  // Shares the staging vector: AddResource (Zipkin) and SetResource (OTLP) are not mixed
  // within a request.
  resource_attrs_.clear();
  size_t truncated = 0;
  std::string_view service;
  AppendLimited(attributes, &service, &truncated);
  result_->truncated += truncated;
  return batch_->AddResource(service, resource_attrs_);
}

void SpanAssembler::Begin() {
  entry_ = SpanBatch::Entry();
  start_ns_ = end_ns_ = 0;
  clamped_ = false;
  truncated_ = 0;
  attributes_.clear();
  events_.clear();
  event_attrs_.clear();
  links_.clear();
  link_attrs_.clear();
}

void SpanAssembler::AddAttribute(std::string_view key, std::string_view value, AttributeType type) {
  if (attributes_.size() >= limits_.max_attributes) {
    AddSaturated(&entry_.dropped_attributes_count, 1);
    return;
  }
  value = Limit(value, &type, &truncated_);
  attributes_.push_back({key, value, type});
}

SpanBatch::Event* SpanAssembler::AddEvent() {
  if (events_.size() >= limits_.max_events) {
    AddSaturated(&entry_.dropped_events_count, 1);
    return nullptr;
  }
  SpanBatch::Event& e = events_.emplace_back();
  e.first_attribute = static_cast<uint32_t>(event_attrs_.size());
  return &e;
}

void SpanAssembler::AddEventAttribute(std::string_view key, std::string_view value,
                                      AttributeType type) {
  SpanBatch::Event& e = events_.back();
  if (e.num_attributes >= limits_.max_attributes) {
    AddSaturated(&e.dropped_attributes_count, 1);
    return;
  }
  value = Limit(value, &type, &truncated_);
  event_attrs_.push_back({key, value, type});
  ++e.num_attributes;
}

SpanBatch::Link* SpanAssembler::AddLink() {
  if (links_.size() >= limits_.max_links) {
    AddSaturated(&entry_.dropped_links_count, 1);
    return nullptr;
  }
  SpanBatch::Link& l = links_.emplace_back();
  l.first_attribute = static_cast<uint32_t>(link_attrs_.size());
  return &l;
}

void SpanAssembler::AddLinkAttribute(std::string_view key, std::string_view value,
                                     AttributeType type) {
  SpanBatch::Link& l = links_.back();
  if (l.num_attributes >= limits_.max_attributes) {
    AddSaturated(&l.dropped_attributes_count, 1);
    return;
  }
  value = Limit(value, &type, &truncated_);
  link_attrs_.push_back({key, value, type});
  ++l.num_attributes;
}

bool SpanAssembler::Check(std::string* error) {
  if (start_ns_ == 0) {
    *error = "missing start time";
    return false;
  }
  if (start_ns_ > kMaxTimeNs) {
    *error = StrCat("start time ", start_ns_, " ns is out of range");
    return false;
  }
  if (end_ns_ > kMaxTimeNs) {
    *error = StrCat("end time ", end_ns_, " ns is out of range");
    return false;
  }
  clamped_ = end_ns_ < start_ns_;
  entry_.start_ns = static_cast<int64_t>(start_ns_);
  entry_.end_ns = static_cast<int64_t>(clamped_ ? start_ns_ : end_ns_);
  return true;
}

void SpanAssembler::Write() {
  if (!resource_written_) {
    resource_index_ = batch_->AddResource(resource_service_, resource_attrs_);
    result_->truncated += resource_truncated_;
    resource_written_ = true;
  }
  Write(resource_index_);
}

void SpanAssembler::Write(uint32_t resource) {
  SpanBatch::Entry& e = batch_->AddSpan(resource);
  const uint32_t first_attribute = e.first_attribute;
  const uint32_t first_event = e.first_event;
  const uint32_t first_link = e.first_link;
  e = entry_;
  e.resource = resource;
  e.first_attribute = first_attribute;
  e.first_event = first_event;
  e.first_link = first_link;
  e.num_attributes = e.num_events = e.num_links = 0;
  for (const SpanAttributeView& a : attributes_) batch_->AddSpanAttribute(a);
  for (const SpanBatch::Event& pending : events_) {
    SpanBatch::Event& ev = batch_->AddEvent();
    ev.time_ns = pending.time_ns;
    ev.name = pending.name;
    ev.dropped_attributes_count = pending.dropped_attributes_count;
    for (uint32_t i = 0; i < pending.num_attributes; ++i) {
      batch_->AddEventAttribute(event_attrs_[pending.first_attribute + i]);
    }
  }
  for (const SpanBatch::Link& pending : links_) {
    SpanBatch::Link& l = batch_->AddLink();
    l.trace_id = pending.trace_id;
    l.span_id = pending.span_id;
    l.trace_state = pending.trace_state;
    l.dropped_attributes_count = pending.dropped_attributes_count;
    for (uint32_t i = 0; i < pending.num_attributes; ++i) {
      batch_->AddLinkAttribute(link_attrs_[pending.first_attribute + i]);
    }
  }
  result_->truncated += truncated_;
  if (clamped_) ++result_->clamped;
}

}  // namespace vigil
