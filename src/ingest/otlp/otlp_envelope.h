// What the OTLP decoders of every signal share about a request's envelope, in both encodings:
//
//   Export<Signal>ServiceRequest { repeated Resource<Signal> resource_<signal> = 1; }
//   Resource<Signal> { Resource resource = 1; repeated Scope<Signal> scope_<signal> = 2; }
//   Scope<Signal>    { InstrumentationScope scope = 1; repeated <Item> <items> = 2; }
//
// OtlpEnvelopeNames spells the three repeated fields for messages (and, in OTLP/JSON, for
// keys). OtlpRefusals counts the entries of the request (log records, spans, data points) in
// request order and refuses every entry of a resource (scope) that cannot be used with one
// message, `resource_spans[0]: resource: ... (3 spans refused)`, instead of one per entry.
//
// Thread-safety: OtlpRefusals is per-request scratch, one thread at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ingest/common/decode_result.h"

namespace vigil {

struct OtlpEnvelopeNames {
  // The protobuf field names; OTLP/JSON accepts them as keys too.
  std::string_view resources, scopes, items;
  // The OTLP/JSON (lowerCamelCase) names, which JSON messages use.
  std::string_view json_resources, json_scopes, json_items;
  // An entry and entries in the counts of refusal messages: " span", " spans".
  std::string_view entry, entries;
};

inline constexpr OtlpEnvelopeNames kOtlpLogsEnvelope = {
    "resource_logs", "scope_logs", "log_records", "resourceLogs",
    "scopeLogs",     "logRecords", " log record", " log records"};
inline constexpr OtlpEnvelopeNames kOtlpTracesEnvelope = {
    "resource_spans", "scope_spans", "spans", "resourceSpans", "scopeSpans", "spans", " span",
    " spans"};
inline constexpr OtlpEnvelopeNames kOtlpMetricsEnvelope = {
    "resource_metrics", "scope_metrics", "metrics",      "resourceMetrics",
    "scopeMetrics",     "metrics",       " data point", " data points"};

// Entry ordinals, and the refusals of whole resources and scopes.
class OtlpRefusals {
 public:
  void Reset(DecodeResult* result, const OtlpEnvelopeNames* names, bool json) {
    result_ = result;
    resources_ = json ? names->json_resources : names->resources;
    scopes_ = json ? names->json_scopes : names->scopes;
    entry_ = names->entry;
    entries_ = names->entries;
    resource_ = scope_ = 0;
  }
  DecodeResult* result() const { return result_; }
  // The position of the current resource in the request, of the current scope in it.
  size_t resource() const { return resource_; }
  size_t scope() const { return scope_; }

  // A resource (scope) begins: index `i`, no error yet. An error set in the string returned
  // by resource_error() (scope_error()) refuses every entry counted until its end.
  void BeginResource(size_t i) {
    resource_ = i;
    resource_error_.clear();
    resource_refused_ = 0;
  }
  void BeginScope(size_t i) {
    scope_ = i;
    scope_error_.clear();
    scope_refused_ = 0;
  }
  std::string& resource_error() { return resource_error_; }
  std::string& scope_error() { return scope_error_; }
  bool resource_refused() const { return !resource_error_.empty(); }
  // True when the resource or the scope refuses its entries.
  bool refusing() const { return !resource_error_.empty() || !scope_error_.empty(); }

  // Counts one entry: *ordinal is its position in the request. False when its resource or
  // scope refuses it (it is counted into that one message); true when it is to be decoded.
  bool Admit(size_t* ordinal) {
    *ordinal = result_->total++;
    if (!resource_error_.empty()) [[unlikely]] {
      if (resource_refused_++ == 0) resource_first_ = *ordinal;
      return false;
    }
    if (!scope_error_.empty()) [[unlikely]] {
      if (scope_refused_++ == 0) scope_first_ = *ordinal;
      return false;
    }
    return true;
  }

  // The scope (resource) ends: its one refusal message, if it refused entries:
  // `resource_logs[0].scope_logs[1]: invalid UTF-8 in scope name (2 log records refused)`.
  void EndScope() {
    if (scope_refused_ == 0) return;
    result_->Refuse(scope_first_, scope_refused_, resources_, "[", resource_, "].", scopes_, "[",
                    scope_, "]: ", scope_error_, " (", scope_refused_, Entries(scope_refused_),
                    " refused)");
  }
  void EndResource() {
    if (resource_refused_ == 0) return;
    result_->Refuse(resource_first_, resource_refused_, resources_, "[", resource_, "]: ",
                    resource_error_, " (", resource_refused_, Entries(resource_refused_),
                    " refused)");
  }

  // " log record" or " log records", as messages count `n` entries.
  std::string_view Entries(size_t n) const { return n == 1 ? entry_ : entries_; }

 private:
  DecodeResult* result_ = nullptr;
  std::string_view resources_, scopes_, entry_, entries_;
  size_t resource_ = 0, scope_ = 0;
  std::string resource_error_, scope_error_;
  size_t resource_refused_ = 0, resource_first_ = 0;
  size_t scope_refused_ = 0, scope_first_ = 0;
};

}  // namespace vigil
