#include "storage/traces/trace_head.h"

#include <algorithm>
#include <memory>

#include "absl/container/flat_hash_set.h"
#include "common/string_view_hash.h"
#include "common/time_util.h"
#include "storage/traces/span_codec.h"

namespace vigil::traces {
namespace {

bool RowPasses(const SpanRow& r, const SpanScanRequest& req) {
  const SpanFilter& f = req.filter;
  const int64_t d = r.end_ns - r.start_ns;
  return r.start_ns >= req.start_ns && r.start_ns < req.end_ns &&
         (f.service_name.empty() || r.service_name == f.service_name) &&
         (f.span_name.empty() || r.name == f.span_name) && d >= f.min_duration_ns &&
         d <= f.max_duration_ns && (!f.kind || r.kind == *f.kind) &&
         (!f.status || r.status == *f.status);
}

bool AttributesPass(const SpanBatch& batch, const SpanBatch::Entry& e, const SpanFilter& f) {
  for (const auto& [key, value] : f.attributes) {
    bool found = false;
    for (const SpanAttributeView& a : batch.AttributesOf(e)) {
      if (a.key == key) {
        found = a.value == value;
        break;
      }
    }
    if (!found) {
      for (const SpanAttributeView& a : batch.AttributesOf(batch.resources()[e.resource])) {
        if (a.key == key && a.value == value) {
          found = true;
          break;
        }
      }
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace

TraceHead::Row TraceHead::RowOf(const SpanBatch::Entry& e, uint32_t span) {
  Row r;
  r.row.trace_id = e.trace_id;
  r.row.span_id = e.span_id;
  r.row.parent_span_id = e.parent_span_id;
  r.row.name = e.name;
  r.row.kind = e.kind;
  r.row.status = e.status;
  r.row.start_ns = e.start_ns;
  r.row.end_ns = e.end_ns;
  r.span = span;
  return r;
}

absl::Status TraceHead::Add(std::string record) {
  // Decoded outside the lock: the rows' views point into the record's own allocation, which
  // does not move when the pointer to it does.
  auto owned = std::make_unique<const std::string>(std::move(record));
  thread_local SpanBatch batch;
  if (absl::Status st = DecodeSpanRecord(*owned, &batch); !st.ok()) return st;
  thread_local std::vector<Row> rows;
  rows.clear();
  for (uint32_t i = 0; i < batch.size(); ++i) {
    const SpanBatch::Entry& e = batch.spans()[i];
    Row& r = rows.emplace_back(RowOf(e, i));
    r.row.service_name = batch.resources()[e.resource].service_name;
  }
  absl::MutexLock lock(&mu_);
  PublishLocked(std::move(owned), rows);
  return absl::OkStatus();
}

void TraceHead::Add(std::string record, const SpanBatch& batch, std::span<const uint32_t> spans) {
  thread_local std::vector<Row> rows;
  rows.clear();
  for (uint32_t k = 0; k < spans.size(); ++k) rows.push_back(RowOf(batch.spans()[spans[k]], k));
  absl::MutexLock lock(&mu_);
  // The batch's strings belong to the request; the rows keep the head's copies.
  for (uint32_t k = 0; k < spans.size(); ++k) {
    const SpanBatch::Entry& e = batch.spans()[spans[k]];
    rows[k].row.service_name = Intern(batch.resources()[e.resource].service_name);
    rows[k].row.name = Intern(e.name);
  }
  PublishLocked(std::make_unique<const std::string>(std::move(record)), rows);
}

std::string_view TraceHead::Intern(std::string_view s) {
  auto it = name_index_.find(s);
  if (it != name_index_.end()) return *it;
  std::string_view copy = names_.Copy(s);
  bytes_ += copy.size();
  name_index_.insert(copy);
  return copy;
}

void TraceHead::PublishLocked(std::unique_ptr<const std::string> record, std::span<Row> rows) {
  const auto index = static_cast<uint32_t>(records_.size());
  for (Row& r : rows) r.record = index;
  rows_.insert(rows_.end(), rows.begin(), rows.end());
  bytes_ += record->size();
  records_.push_back(std::move(record));
  arrival_ns_.push_back(NowNs());
}

absl::Status TraceHead::GetTrace(const TraceId& id, std::vector<Span>* out) const {
  absl::ReaderMutexLock lock(&mu_);
  SpanBatch batch;
  uint32_t decoded = UINT32_MAX;
  for (const Row& r : rows_) {
    if (r.row.trace_id != id) continue;
    if (r.record != decoded) {
      if (absl::Status st = DecodeSpanRecord(*records_[r.record], &batch); !st.ok()) return st;
      decoded = r.record;
    }
    out->push_back(batch.ToSpan(r.span));
  }
  return absl::OkStatus();
}

void TraceHead::TraceRows(const TraceId& id,
                          const std::function<void(std::span<const SpanRow>)>& fn) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<SpanRow> rows;
  for (const Row& r : rows_) {
    if (r.row.trace_id == id) rows.push_back(r.row);
  }
  if (!rows.empty()) fn(rows);
}

absl::StatusOr<bool> TraceHead::Scan(
    const SpanScanRequest& req, const std::function<bool(std::span<const SpanRow>)>& fn) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<SpanRow> batch_rows;
  SpanBatch batch;
  uint32_t decoded = UINT32_MAX;
  constexpr size_t kBatch = 4096;
  // Rows are grouped by trace within each callback batch, as the seam promises: collect the
  // passing rows, then order them by trace before handing them over.
  std::vector<SpanRow> passing;
  for (const Row& r : rows_) {
    if (req.cutoff != nullptr && req.cutoff->load(std::memory_order_relaxed)) {
      return absl::CancelledError("trace scan cut off");
    }
    if (!RowPasses(r.row, req)) continue;
    if (!req.filter.attributes.empty()) {
      if (r.record != decoded) {
        if (absl::Status st = DecodeSpanRecord(*records_[r.record], &batch); !st.ok()) return st;
        decoded = r.record;
      }
      if (!AttributesPass(batch, batch.spans()[r.span], req.filter)) continue;
    }
    passing.push_back(r.row);
  }
  std::stable_sort(passing.begin(), passing.end(),
                   [](const SpanRow& a, const SpanRow& b) { return a.trace_id < b.trace_id; });
  for (size_t i = 0; i < passing.size(); i += kBatch) {
    size_t n = std::min(kBatch, passing.size() - i);
    if (!fn(std::span<const SpanRow>(passing.data() + i, n))) return false;
  }
  return true;
}

void TraceHead::Services(int64_t start_ns, int64_t end_ns, std::vector<std::string>* out) const {
  absl::ReaderMutexLock lock(&mu_);
  StringViewSet seen;
  for (const Row& r : rows_) {
    if (r.row.start_ns >= start_ns && r.row.start_ns < end_ns &&
        seen.insert(r.row.service_name).second) {
      out->emplace_back(r.row.service_name);
    }
  }
}

void TraceHead::SpanNames(std::string_view service, int64_t start_ns, int64_t end_ns,
                          std::vector<std::string>* out) const {
  absl::ReaderMutexLock lock(&mu_);
  StringViewSet seen;
  for (const Row& r : rows_) {
    if (r.row.service_name == service && r.row.start_ns >= start_ns && r.row.start_ns < end_ns &&
        seen.insert(r.row.name).second) {
      out->emplace_back(r.row.name);
    }
  }
}

absl::Status TraceHead::DecodeAll(std::vector<SpanBatch>* out,
                                  std::vector<int64_t>* arrival_ns) const {
  absl::ReaderMutexLock lock(&mu_);
  if (arrival_ns != nullptr) *arrival_ns = arrival_ns_;
  out->clear();
  out->resize(records_.size());
  for (size_t i = 0; i < records_.size(); ++i) {
    if (absl::Status st = DecodeSpanRecord(*records_[i], &(*out)[i]); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status TraceHead::ForEachDecoded(const std::function<void(const SpanBatch&)>& fn) const {
  absl::ReaderMutexLock lock(&mu_);
  SpanBatch batch;
  for (const auto& record : records_) {
    if (absl::Status st = DecodeSpanRecord(*record, &batch); !st.ok()) return st;
    fn(batch);
  }
  return absl::OkStatus();
}

size_t TraceHead::spans() const {
  absl::ReaderMutexLock lock(&mu_);
  return rows_.size();
}

size_t TraceHead::bytes() const {
  absl::ReaderMutexLock lock(&mu_);
  return bytes_;
}

}  // namespace vigil::traces
