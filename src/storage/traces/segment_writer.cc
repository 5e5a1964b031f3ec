#include "storage/traces/segment_writer.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/coding.h"
#include "common/file_util.h"
#include "storage/bloom/bloom.h"
#include "storage/columnar/column_file.h"
#include "storage/traces/segment_format.h"

namespace vigil::traces {
namespace {

struct RowRef {
  TraceId trace;
  int64_t start = 0;
  uint32_t batch = 0;
  uint32_t span = 0;
  uint32_t section = 0;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }

// The start times at which sections after the first begin (see SegmentWriterOptions).
std::vector<int64_t> SectionStarts(std::span<const RowRef> rows, const SegmentWriterOptions& o) {
  std::vector<int64_t> starts;
  if (o.section_window_ns <= 0 || rows.size() < 2 * size_t{o.min_section_rows}) return starts;
  auto [lo, hi] = std::minmax_element(rows.begin(), rows.end(), [](const RowRef& a, const RowRef& b) {
    return a.start < b.start;
  });
  if (FloorDiv(lo->start, o.section_window_ns) == FloorDiv(hi->start, o.section_window_ns)) {
    return starts;  // one window: the common case under steady traffic
  }
  std::vector<int64_t> windows;
  windows.reserve(rows.size());
  for (const RowRef& r : rows) windows.push_back(FloorDiv(r.start, o.section_window_ns));
  std::sort(windows.begin(), windows.end());
  size_t in_section = 0;
  for (size_t i = 0; i < windows.size();) {
    size_t j = i;
    while (j < windows.size() && windows[j] == windows[i]) ++j;
    in_section += j - i;
    // Close the section after this window once it is big enough and enough rows remain
    // for another one.
    if (in_section >= o.min_section_rows && windows.size() - j >= o.min_section_rows) {
      starts.push_back((windows[i] + 1) * o.section_window_ns);
      in_section = 0;
    }
    i = j;
  }
  return starts;
}

// Assigns string, resource and scope ids and remembers them for the metadata.
class Dictionary {
 public:
  explicit Dictionary(SegmentMeta* meta) : meta_(meta) {}

  uint32_t String(std::string_view s) {
    auto [it, inserted] = strings_.try_emplace(s, static_cast<uint32_t>(meta_->strings.size()));
    if (inserted) meta_->strings.emplace_back(s);
    return it->second;
  }

  uint32_t Resource(const SpanBatch& batch, uint32_t index) {
    const SpanBatch::Resource& r = batch.resources()[index];
    key_.clear();
    PutString(&key_, r.service_name);
    for (const SpanAttributeView& a : batch.AttributesOf(r)) {
      PutString(&key_, a.key);
      key_.push_back(static_cast<char>(a.type));
      PutString(&key_, a.value);
    }
    auto it = resources_.find(key_);
    if (it != resources_.end()) return it->second;
    ResourceMeta meta;
    meta.service = String(r.service_name);
    for (const SpanAttributeView& a : batch.AttributesOf(r)) {
      meta.attributes.push_back({String(a.key), a.type, std::string(a.value)});
    }
    auto id = static_cast<uint32_t>(meta_->resources.size());
    meta_->resources.push_back(std::move(meta));
    resources_.emplace(key_, id);
    return id;
  }

  uint32_t Scope(std::string_view name, std::string_view version) {
    uint64_t key = (uint64_t{String(name)} << 32) | String(version);
    auto [it, inserted] = scopes_.try_emplace(key, static_cast<uint32_t>(meta_->scopes.size()));
    if (inserted) {
      meta_->scopes.push_back({static_cast<uint32_t>(key >> 32), static_cast<uint32_t>(key)});
    }
    return it->second;
  }

 private:
  SegmentMeta* meta_;
  absl::flat_hash_map<std::string_view, uint32_t> strings_;  // views of the batches
  absl::flat_hash_map<std::string, uint32_t> resources_;     // encoded resource -> id
  absl::flat_hash_map<uint64_t, uint32_t> scopes_;
  std::string key_;
};

class BlockEncoder {
 public:
  BlockEncoder(std::span<const SpanBatch* const> batches, Dictionary* dict, int zstd_level)
      : batches_(batches), dict_(dict), chunks_(zstd_level) {}

  absl::Status Encode(std::span<const RowRef> rows, FileWriter& file, BlockMeta* b) {
    for (std::string& c : cols_) c.clear();
    row_of_.clear();
    attr_refs_.clear();
    b->rows = static_cast<uint32_t>(rows.size());
    b->min_trace = rows.front().trace;
    b->max_trace = rows.back().trace;
    b->min_start = std::numeric_limits<int64_t>::max();
    b->max_start = std::numeric_limits<int64_t>::min();
    b->max_end = std::numeric_limits<int64_t>::min();
    b->max_duration = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const SpanBatch::Entry& e = Entry(rows[i]);
      row_of_.try_emplace(KeyOf(e.trace_id, e.span_id), static_cast<uint32_t>(i));
    }
    // Trace runs.
    for (size_t i = 0; i < rows.size();) {
      size_t j = i;
      while (j < rows.size() && rows[j].trace == rows[i].trace) ++j;
      PutFixed64(&cols_[kColTrace], rows[i].trace.hi);
      PutFixed64(&cols_[kColTrace], rows[i].trace.lo);
      PutUvarint(&cols_[kColTrace], j - i);
      i = j;
    }
    int64_t prev_start = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const SpanBatch& batch = *batches_[rows[i].batch];
      const SpanBatch::Entry& e = batch.spans()[rows[i].span];
      PutFixed64(&cols_[kColSpanId], e.span_id);
      EncodeParent(e);
      PutVarint(&cols_[kColTimes], e.start_ns - prev_start);
      prev_start = e.start_ns;
      const int64_t duration = e.end_ns - e.start_ns;
      PutVarint(&cols_[kColTimes], duration);
      b->min_start = std::min(b->min_start, e.start_ns);
      b->max_start = std::max(b->max_start, e.start_ns);
      b->max_end = std::max(b->max_end, e.end_ns);
      b->max_duration = std::max(b->max_duration, duration);

      std::string& meta = cols_[kColMeta];
      meta.push_back(static_cast<char>(static_cast<uint8_t>(e.kind) |
                                       (static_cast<uint8_t>(e.status) << 4)));
      uint32_t resource = ResourceId(rows[i].batch, batch, e.resource);
      b->resource_bits |= uint64_t{1} << (resource % 64);
      PutUvarint(&meta, resource);
      PutUvarint(&meta, dict_->String(e.name));
      PutUvarint(&meta, dict_->Scope(e.scope_name, e.scope_version));
      PutUvarint(&meta, e.flags);

      PutString(&cols_[kColText], e.trace_state);
      PutString(&cols_[kColText], e.status_message);

      PutAttributes(&cols_[kColAttrs], batch.AttributesOf(e), static_cast<uint32_t>(i));
      PutUvarint(&cols_[kColAttrs], e.dropped_attributes_count);

      std::string& ev = cols_[kColEvents];
      PutUvarint(&ev, e.num_events);
      for (const SpanBatch::Event& event : batch.EventsOf(e)) {
        PutVarint(&ev, event.time_ns - e.start_ns);
        PutUvarint(&ev, dict_->String(event.name));
        PutAttributes(&ev, batch.AttributesOf(event));
        PutUvarint(&ev, event.dropped_attributes_count);
      }
      PutUvarint(&ev, e.dropped_events_count);
      PutUvarint(&ev, e.num_links);
      for (const SpanBatch::Link& l : batch.LinksOf(e)) {
        PutFixed64(&ev, l.trace_id.hi);
        PutFixed64(&ev, l.trace_id.lo);
        PutFixed64(&ev, l.span_id);
        PutString(&ev, l.trace_state);
        PutAttributes(&ev, batch.AttributesOf(l));
        PutUvarint(&ev, l.dropped_attributes_count);
      }
      PutUvarint(&ev, e.dropped_links_count);
    }
    for (uint32_t c = 0; c < kColCount; ++c) {
      if (absl::Status st = chunks_.WriteCompressed(cols_[c], file, &b->columns[c]); !st.ok()) {
        return st;
      }
    }
    return EncodeKeyColumns(b->rows, file, b);
  }

  columnar::ChunkWriter& chunks() { return chunks_; }

 private:
  static std::pair<TraceId, SpanId> KeyOf(const TraceId& t, SpanId s) { return {t, s}; }

  const SpanBatch::Entry& Entry(const RowRef& r) const {
    return batches_[r.batch]->spans()[r.span];
  }

  void EncodeParent(const SpanBatch::Entry& e) {
    std::string& out = cols_[kColParent];
    if (e.parent_span_id == 0) {
      out.push_back(0);
      return;
    }
    auto it = row_of_.find(KeyOf(e.trace_id, e.parent_span_id));
    if (it != row_of_.end()) {
      PutUvarint(&out, uint64_t{it->second} + 2);
      return;
    }
    out.push_back(1);
    PutFixed64(&out, e.parent_span_id);
  }

  // `span_row`: the block row whose span attributes these are (remembered for the key
  // columns); absent for event and link attributes.
  void PutAttributes(std::string* out, std::span<const SpanAttributeView> attrs,
                     std::optional<uint32_t> span_row = std::nullopt) {
    PutUvarint(out, attrs.size());
    for (const SpanAttributeView& a : attrs) {
      const uint32_t key = dict_->String(a.key);
      PutUvarint(out, key);
      out->push_back(static_cast<char>(a.type));
      PutString(out, a.value);
      if (span_row) attr_refs_.push_back({*span_row, key, a.value});
    }
  }

  // The block's key columns (KeyColumn in segment_format.h).
  absl::Status EncodeKeyColumns(uint32_t rows, FileWriter& file, BlockMeta* b) {
    key_stats_.clear();
    for (const AttrRef& a : attr_refs_) {
      KeyStat& st = key_stats_[a.key];
      if (st.last_row == a.row) {
        st.repeated = true;
      } else {
        ++st.rows;
        st.last_row = a.row;
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> chosen;  // (rows, key)
    for (const auto& [key, st] : key_stats_) {
      if (!st.repeated && uint64_t{st.rows} * 4 >= rows) chosen.push_back({st.rows, key});
    }
    std::sort(chosen.begin(), chosen.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : x.second < y.second;
    });
    if (chosen.size() > kMaxKeyColumns) chosen.resize(kMaxKeyColumns);
    std::sort(chosen.begin(), chosen.end(),
              [](const auto& x, const auto& y) { return x.second < y.second; });
    const size_t n = chosen.size();
    column_of_.clear();
    for (size_t c = 0; c < n; ++c) column_of_[chosen[c].second] = static_cast<uint32_t>(c);
    key_values_.resize(n);
    key_rows_.resize(n);
    std::vector<bool> too_many(n, false);
    for (size_t c = 0; c < n; ++c) {
      key_values_[c].clear();
      key_rows_[c].assign(rows, 0);
    }
    for (const AttrRef& a : attr_refs_) {
      auto it = column_of_.find(a.key);
      if (it == column_of_.end() || too_many[it->second]) continue;
      auto& values = key_values_[it->second];
      auto [v, inserted] = values.try_emplace(a.value, static_cast<uint32_t>(values.size()));
      if (values.size() > kKeyColumnMaxValues) {
        too_many[it->second] = true;
        continue;
      }
      key_rows_[it->second][a.row] = v->second + 1;
    }
    b->key_columns.clear();
    for (size_t c = 0; c < n; ++c) {
      if (too_many[c]) continue;
      std::vector<std::string_view> by_id(key_values_[c].size());
      for (const auto& [value, id] : key_values_[c]) by_id[id] = value;
      std::string& out = key_col_;
      out.clear();
      PutUvarint(&out, by_id.size());
      for (std::string_view v : by_id) PutString(&out, v);
      for (uint32_t id : key_rows_[c]) PutUvarint(&out, id);
      KeyColumn& k = b->key_columns.emplace_back();
      k.key = chosen[c].second;
      if (absl::Status st = chunks_.WriteCompressed(out, file, &k.chunk); !st.ok()) return st;
    }
    return absl::OkStatus();
  }

  uint32_t ResourceId(uint32_t batch_index, const SpanBatch& batch, uint32_t resource) {
    auto [it, inserted] = resource_ids_.try_emplace((uint64_t{batch_index} << 32) | resource, 0);
    if (inserted) it->second = dict_->Resource(batch, resource);
    return it->second;
  }

  std::span<const SpanBatch* const> batches_;
  Dictionary* dict_;
  columnar::ChunkWriter chunks_;
  std::string cols_[kColCount];
  absl::flat_hash_map<std::pair<TraceId, SpanId>, uint32_t> row_of_;  // within the block
  absl::flat_hash_map<uint64_t, uint32_t> resource_ids_;  // (batch, resource) -> resource id
  // Key columns: the block's span attributes, then per chosen key its values and row ids.
  struct AttrRef {
    uint32_t row;
    uint32_t key;
    std::string_view value;
  };
  std::vector<AttrRef> attr_refs_;
  absl::flat_hash_map<uint32_t, uint32_t> column_of_;
  std::vector<absl::flat_hash_map<std::string_view, uint32_t>> key_values_;
  std::vector<std::vector<uint32_t>> key_rows_;
  std::string key_col_;
  struct KeyStat {
    uint32_t rows = 0;  // spans with the key
    uint32_t last_row = UINT32_MAX;
    bool repeated = false;  // twice on one span: the column could not say so
  };
  absl::flat_hash_map<uint32_t, KeyStat> key_stats_;
};

}  // namespace

absl::StatusOr<uint64_t> WriteSegment(const std::string& path,
                                      std::span<const SpanBatch* const> batches,
                                      const SegmentWriterOptions& options) {
  std::vector<RowRef> rows;
  for (uint32_t b = 0; b < batches.size(); ++b) {
    const auto& spans = batches[b]->spans();
    for (uint32_t i = 0; i < spans.size(); ++i) {
      rows.push_back({spans[i].trace_id, spans[i].start_ns, b, i});
    }
  }
  const std::vector<int64_t> section_starts = SectionStarts(rows, options);
  for (RowRef& r : rows) {
    r.section = static_cast<uint32_t>(
        std::upper_bound(section_starts.begin(), section_starts.end(), r.start) -
        section_starts.begin());
  }
  auto span_id = [&](const RowRef& r) { return batches[r.batch]->spans()[r.span].span_id; };
  std::sort(rows.begin(), rows.end(), [&](const RowRef& a, const RowRef& b) {
    if (a.section != b.section) return a.section < b.section;
    if (a.trace != b.trace) return a.trace < b.trace;
    if (a.start != b.start) return a.start < b.start;
    return span_id(a) < span_id(b);
  });
  // The same span twice (a carried trace re-logged before a crash, a client retrying an
  // export) is stored once.
  rows.erase(std::unique(rows.begin(), rows.end(),
                         [&](const RowRef& a, const RowRef& b) {
                           return a.trace == b.trace && a.start == b.start &&
                                  span_id(a) == span_id(b);
                         }),
             rows.end());

  auto file = FileWriter::Create(path);
  if (!file.ok()) return file.status();
  if (absl::Status st = (*file)->Append(std::string(kSegmentMagic)); !st.ok()) return st;

  SegmentMeta meta;
  meta.rows = rows.size();
  meta.min_start = std::numeric_limits<int64_t>::max();
  meta.max_start = std::numeric_limits<int64_t>::min();
  meta.max_end = std::numeric_limits<int64_t>::min();
  Dictionary dict(&meta);
  BlockEncoder encoder(batches, &dict, options.zstd_level);
  for (size_t first = 0; first < rows.size();) {
    size_t last = first;
    size_t traces = 0;
    for (; last < rows.size() && rows[last].section == rows[first].section; ++last) {
      traces += last == first || rows[last].trace != rows[last - 1].trace;
    }
    SectionMeta section;
    section.first_block = static_cast<uint32_t>(meta.blocks.size());
    BloomBuilder bloom(std::max<size_t>(traces, 1), 10);
    for (size_t i = first; i < last; ++i) {
      if (i == first || rows[i].trace != rows[i - 1].trace) bloom.Add(TraceIdHash(rows[i].trace));
    }
    for (size_t start = first; start < last; start += kBlockRows) {
      size_t end = std::min(last, start + kBlockRows);
      BlockMeta b;
      if (absl::Status st =
              encoder.Encode(std::span(rows).subspan(start, end - start), **file, &b);
          !st.ok()) {
        return st;
      }
      meta.min_start = std::min(meta.min_start, b.min_start);
      meta.max_start = std::max(meta.max_start, b.max_start);
      meta.max_end = std::max(meta.max_end, b.max_end);
      meta.blocks.push_back(b);
    }
    section.blocks = static_cast<uint32_t>(meta.blocks.size()) - section.first_block;
    section.trace_bloom = bloom.bytes();
    meta.sections.push_back(std::move(section));
    first = last;
  }
  if (rows.empty()) {
    meta.min_start = meta.max_start = meta.max_end = 0;
    meta.sections.push_back({0, 0, BloomBuilder(1, 10).bytes()});
  }
  return encoder.chunks().Finish(EncodeSegmentMeta(meta), kSegmentVersion, kSegmentMagic, **file);
}

}  // namespace vigil::traces
