#include "storage/span_record.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/strings.h"

namespace vigil {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

bool ParseHex64(std::string_view hex, uint64_t* out) {
  uint64_t v = 0;
  for (char c : hex) {
    int d = HexDigitValue(c);
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

uint64_t ReadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void AppendHex64(uint64_t v, std::string* out) {
  char buf[16];
  for (int i = 15; i >= 0; --i) {
    buf[i] = kHexDigits[v & 0xF];
    v >>= 4;
  }
  out->append(buf, 16);
}

std::vector<SpanAttribute> OwnedAttributes(std::span<const SpanAttributeView> views) {
  std::vector<SpanAttribute> out;
  out.reserve(views.size());
  for (const SpanAttributeView& a : views) {
    out.push_back({std::string(a.key), std::string(a.value), a.type});
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && absl::EqualsIgnoreCase(ToAbsl(a), ToAbsl(b));
}

}  // namespace

bool TraceId::FromBytes(std::string_view bytes, TraceId* out) {
  if (bytes.size() != 16) return false;
  out->hi = ReadBigEndian64(bytes.data());
  out->lo = ReadBigEndian64(bytes.data() + 8);
  return true;
}

bool TraceId::FromHex(std::string_view hex, TraceId* out) {
  if (hex.size() == 16) {
    out->hi = 0;
    return ParseHex64(hex, &out->lo);
  }
  if (hex.size() != 32) return false;
  return ParseHex64(hex.substr(0, 16), &out->hi) && ParseHex64(hex.substr(16), &out->lo);
}

std::string TraceId::Hex() const {
  std::string out;
  AppendHex(&out);
  return out;
}

void TraceId::AppendHex(std::string* out) const {
  AppendHex64(hi, out);
  AppendHex64(lo, out);
}

void TraceId::AppendBytes(std::string* out) const {
  for (uint64_t half : {hi, lo}) {
    for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(half >> shift));
  }
}

bool SpanIdFromBytes(std::string_view bytes, SpanId* out) {
  if (bytes.size() != 8) return false;
  *out = ReadBigEndian64(bytes.data());
  return true;
}

bool SpanIdFromHex(std::string_view hex, SpanId* out) {
  return hex.size() == 16 && ParseHex64(hex, out);
}

std::string SpanIdHex(SpanId id) {
  std::string out;
  AppendHex64(id, &out);
  return out;
}

void AppendSpanIdHex(SpanId id, std::string* out) { AppendHex64(id, out); }

std::string_view SpanKindName(SpanKind k) {
  switch (k) {
    case SpanKind::kUnspecified:
      return "unspecified";
    case SpanKind::kInternal:
      return "internal";
    case SpanKind::kServer:
      return "server";
    case SpanKind::kClient:
      return "client";
    case SpanKind::kProducer:
      return "producer";
    case SpanKind::kConsumer:
      return "consumer";
  }
  return "unspecified";
}

std::string_view SpanKindOtlpName(SpanKind k) {
  switch (k) {
    case SpanKind::kUnspecified:
      return "SPAN_KIND_UNSPECIFIED";
    case SpanKind::kInternal:
      return "SPAN_KIND_INTERNAL";
    case SpanKind::kServer:
      return "SPAN_KIND_SERVER";
    case SpanKind::kClient:
      return "SPAN_KIND_CLIENT";
    case SpanKind::kProducer:
      return "SPAN_KIND_PRODUCER";
    case SpanKind::kConsumer:
      return "SPAN_KIND_CONSUMER";
  }
  return "SPAN_KIND_UNSPECIFIED";
}

bool ParseSpanKind(std::string_view text, SpanKind* out) {
  for (int k = 0; k <= 5; ++k) {
    auto kind = static_cast<SpanKind>(k);
    if (EqualsIgnoreCase(text, SpanKindName(kind)) ||
        EqualsIgnoreCase(text, SpanKindOtlpName(kind))) {
      *out = kind;
      return true;
    }
  }
  return false;
}

std::string_view SpanStatusName(SpanStatus s) {
  switch (s) {
    case SpanStatus::kUnset:
      return "unset";
    case SpanStatus::kOk:
      return "ok";
    case SpanStatus::kError:
      return "error";
  }
  return "unset";
}

std::string_view SpanStatusOtlpName(SpanStatus s) {
  switch (s) {
    case SpanStatus::kUnset:
      return "STATUS_CODE_UNSET";
    case SpanStatus::kOk:
      return "STATUS_CODE_OK";
    case SpanStatus::kError:
      return "STATUS_CODE_ERROR";
  }
  return "STATUS_CODE_UNSET";
}

bool ParseSpanStatus(std::string_view text, SpanStatus* out) {
  for (int s = 0; s <= 2; ++s) {
    auto status = static_cast<SpanStatus>(s);
    if (EqualsIgnoreCase(text, SpanStatusName(status)) ||
        EqualsIgnoreCase(text, SpanStatusOtlpName(status))) {
      *out = status;
      return true;
    }
  }
  return false;
}

uint32_t SpanBatch::AddResource(std::string_view service_name,
                                std::span<const SpanAttributeView> attributes) {
  Resource r;
  r.service_name = service_name.empty() ? kUnknownServiceName : service_name;
  r.first_attribute = static_cast<uint32_t>(attributes_.size());
  r.num_attributes = static_cast<uint32_t>(attributes.size());
  attributes_.insert(attributes_.end(), attributes.begin(), attributes.end());
  resources_.push_back(r);
  return static_cast<uint32_t>(resources_.size() - 1);
}

SpanBatch::Entry& SpanBatch::AddSpan(uint32_t resource) {
  Entry& e = spans_.emplace_back();
  e.resource = resource;
  e.first_attribute = static_cast<uint32_t>(attributes_.size());
  e.first_event = static_cast<uint32_t>(events_.size());
  e.first_link = static_cast<uint32_t>(links_.size());
  return e;
}

void SpanBatch::AddSpanAttribute(const SpanAttributeView& a) {
  attributes_.push_back(a);
  spans_.back().num_attributes++;
}

SpanBatch::Event& SpanBatch::AddEvent() {
  spans_.back().num_events++;
  Event& e = events_.emplace_back();
  e.first_attribute = static_cast<uint32_t>(attributes_.size());
  return e;
}

void SpanBatch::AddEventAttribute(const SpanAttributeView& a) {
  attributes_.push_back(a);
  events_.back().num_attributes++;
}

SpanBatch::Link& SpanBatch::AddLink() {
  spans_.back().num_links++;
  Link& l = links_.emplace_back();
  l.first_attribute = static_cast<uint32_t>(attributes_.size());
  return l;
}

void SpanBatch::AddLinkAttribute(const SpanAttributeView& a) {
  attributes_.push_back(a);
  links_.back().num_attributes++;
}

void SpanBatch::Clear() {
  resources_.clear();
  spans_.clear();
  attributes_.clear();
  events_.clear();
  links_.clear();
  arena_.Clear();
}

void SpanBatch::DropLastSpan() {
  if (spans_.empty()) return;
  const Entry& e = spans_.back();
  attributes_.resize(e.first_attribute);
  events_.resize(e.first_event);
  links_.resize(e.first_link);
  spans_.pop_back();
}

Span SpanBatch::ToSpan(size_t i) const {
  const Entry& e = spans_[i];
  const Resource& r = resources_[e.resource];
  Span s;
  s.trace_id = e.trace_id;
  s.span_id = e.span_id;
  s.parent_span_id = e.parent_span_id;
  s.trace_state = e.trace_state;
  s.name = e.name;
  s.kind = e.kind;
  s.start_ns = e.start_ns;
  s.end_ns = e.end_ns;
  s.status = e.status;
  s.status_message = e.status_message;
  s.flags = e.flags;
  s.service_name = r.service_name;
  s.resource_attributes = OwnedAttributes(AttributesOf(r));
  s.scope_name = e.scope_name;
  s.scope_version = e.scope_version;
  s.attributes = OwnedAttributes(AttributesOf(e));
  for (const Event& ev : EventsOf(e)) {
    s.events.push_back({ev.time_ns, std::string(ev.name), OwnedAttributes(AttributesOf(ev)),
                        ev.dropped_attributes_count});
  }
  for (const Link& l : LinksOf(e)) {
    s.links.push_back({l.trace_id, l.span_id, std::string(l.trace_state),
                       OwnedAttributes(AttributesOf(l)), l.dropped_attributes_count});
  }
  s.dropped_attributes_count = e.dropped_attributes_count;
  s.dropped_events_count = e.dropped_events_count;
  s.dropped_links_count = e.dropped_links_count;
  return s;
}

}  // namespace vigil
