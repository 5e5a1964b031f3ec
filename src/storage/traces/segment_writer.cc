#include "storage/traces/segment_writer.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/coding.h"
#include "common/file_util.h"
#include "common/string_view_hash.h"
#include "common/time_util.h"
#include "storage/bloom/bloom.h"
#include "storage/columnar/column_file.h"
#include "storage/traces/segment_format.h"

namespace vigil::traces {
namespace {

// A span in sort order. The writer stages each span's encoded columns in arrival order (a
// sequential pass over the batches) and then copies them in trace order: the copy touches
// one compact run of bytes per span instead of the span's entry, attribute views and
// strings, which lie scattered over the head's batches once sorted (that gather was half
// the cost of writing a segment).
struct RowRef {
  TraceId trace;
  int64_t start = 0;
  SpanId span_id = 0;
  uint32_t staged = 0;  // into Staging::spans
  uint32_t section = 0;
};

// A span's columns, encoded: kColMeta, kColText, kColAttrs and kColEvents bytes back to back
// at `offset` of Staging::bytes.
struct StagedSpan {
  uint64_t offset = 0;
  uint32_t len[4] = {0, 0, 0, 0};  // meta, text, attrs, events
  uint32_t resource = 0;
  SpanId parent_span_id = 0;
  int64_t end_ns = 0;
};
constexpr uint32_t kStagedColumns[4] = {kColMeta, kColText, kColAttrs, kColEvents};

struct Staging {
  std::string bytes;
  std::vector<StagedSpan> spans;
};

// The start times at which sections after the first begin (see SegmentWriterOptions).
std::vector<int64_t> SectionStarts(std::span<const RowRef> rows, const SegmentWriterOptions& o) {
  std::vector<int64_t> starts;
  if (o.section_window_ns <= 0 || rows.size() < 2 * size_t{o.min_section_rows}) return starts;
  auto [lo, hi] = std::minmax_element(rows.begin(), rows.end(), [](const RowRef& a, const RowRef& b) {
    return a.start < b.start;
  });
  if (WindowOf(lo->start, o.section_window_ns) == WindowOf(hi->start, o.section_window_ns)) {
    return starts;  // one window: the common case under steady traffic
  }
  std::vector<int64_t> windows;
  windows.reserve(rows.size());
  for (const RowRef& r : rows) windows.push_back(WindowOf(r.start, o.section_window_ns));
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
  StringViewMap<uint32_t> strings_;  // views of the batches
  absl::flat_hash_map<std::string, uint32_t> resources_;     // encoded resource -> id
  absl::flat_hash_map<uint64_t, uint32_t> scopes_;
  std::string key_;
};

// Pass one: encodes every span's own columns into a Staging, in arrival order.
class Stager {
 public:
  Stager(Dictionary* dict, Staging* out) : dict_(dict), out_(out) {}

  void Add(uint32_t batch_index, const SpanBatch& batch, const SpanBatch::Entry& e) {
    std::string& buf = out_->bytes;
    StagedSpan& st = out_->spans.emplace_back();
    st.offset = buf.size();
    st.resource = ResourceId(batch_index, batch, e.resource);
    st.parent_span_id = e.parent_span_id;
    st.end_ns = e.end_ns;

    size_t mark = buf.size();
    buf.push_back(static_cast<char>(static_cast<uint8_t>(e.kind) |
                                    (static_cast<uint8_t>(e.status) << 4)));
    PutUvarint(&buf, st.resource);
    PutUvarint(&buf, dict_->String(e.name));
    PutUvarint(&buf, dict_->Scope(e.scope_name, e.scope_version));
    PutUvarint(&buf, e.flags);
    st.len[0] = Since(mark, &mark);

    PutString(&buf, e.trace_state);
    PutString(&buf, e.status_message);
    st.len[1] = Since(mark, &mark);

    PutAttributes(batch.AttributesOf(e));
    PutUvarint(&buf, e.dropped_attributes_count);
    st.len[2] = Since(mark, &mark);

    PutUvarint(&buf, e.num_events);
    for (const SpanBatch::Event& event : batch.EventsOf(e)) {
      PutVarint(&buf, DeltaSub(event.time_ns, e.start_ns));
      PutUvarint(&buf, dict_->String(event.name));
      PutAttributes(batch.AttributesOf(event));
      PutUvarint(&buf, event.dropped_attributes_count);
    }
    PutUvarint(&buf, e.dropped_events_count);
    PutUvarint(&buf, e.num_links);
    for (const SpanBatch::Link& l : batch.LinksOf(e)) {
      PutFixed64(&buf, l.trace_id.hi);
      PutFixed64(&buf, l.trace_id.lo);
      PutFixed64(&buf, l.span_id);
      PutString(&buf, l.trace_state);
      PutAttributes(batch.AttributesOf(l));
      PutUvarint(&buf, l.dropped_attributes_count);
    }
    PutUvarint(&buf, e.dropped_links_count);
    st.len[3] = Since(mark, &mark);
  }

 private:
  // Bytes appended since *mark; moves the mark to the end.
  uint32_t Since(size_t mark, size_t* next) {
    *next = out_->bytes.size();
    return static_cast<uint32_t>(*next - mark);
  }

  void PutAttributes(std::span<const SpanAttributeView> attrs) {
    std::string& buf = out_->bytes;
    PutUvarint(&buf, attrs.size());
    for (const SpanAttributeView& a : attrs) {
      PutUvarint(&buf, dict_->String(a.key));
      buf.push_back(static_cast<char>(a.type));
      PutString(&buf, a.value);
    }
  }

  uint32_t ResourceId(uint32_t batch_index, const SpanBatch& batch, uint32_t resource) {
    auto [it, inserted] = resource_ids_.try_emplace((uint64_t{batch_index} << 32) | resource, 0);
    if (inserted) it->second = dict_->Resource(batch, resource);
    return it->second;
  }

  Dictionary* dict_;
  Staging* out_;
  absl::flat_hash_map<uint64_t, uint32_t> resource_ids_;  // (batch, resource) -> resource id
};

// Pass two: a block's columns from its rows (in trace order) and their staged bytes.
class BlockEncoder {
 public:
  BlockEncoder(const Staging& staging, int zstd_level) : staging_(staging), chunks_(zstd_level) {}

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
      row_of_.try_emplace(KeyOf(rows[i].trace, rows[i].span_id), static_cast<uint32_t>(i));
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
    const char* bytes = staging_.bytes.data();
    for (size_t i = 0; i < rows.size(); ++i) {
      const RowRef& r = rows[i];
      const StagedSpan& st = staging_.spans[r.staged];
      PutFixed64(&cols_[kColSpanId], r.span_id);
      EncodeParent(r.trace, st.parent_span_id);
      PutVarint(&cols_[kColTimes], DeltaSub(r.start, prev_start));
      prev_start = r.start;
      const int64_t duration = DeltaSub(st.end_ns, r.start);
      PutVarint(&cols_[kColTimes], duration);
      b->min_start = std::min(b->min_start, r.start);
      b->max_start = std::max(b->max_start, r.start);
      b->max_end = std::max(b->max_end, st.end_ns);
      b->max_duration = std::max(b->max_duration, duration);
      b->resource_bits |= uint64_t{1} << (st.resource % 64);

      const char* p = bytes + st.offset;
      for (int c = 0; c < 4; ++c) {
        if (kStagedColumns[c] == kColAttrs) {
          RememberAttributes(static_cast<uint32_t>(i), std::string_view(p, st.len[c]));
        }
        cols_[kStagedColumns[c]].append(p, st.len[c]);
        p += st.len[c];
      }
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

  // Reads back a row's staged span attributes (count, then key id, type, value each) for
  // the key columns.
  void RememberAttributes(uint32_t row, std::string_view staged) {
    ByteReader r(staged);
    uint64_t n = 0;
    r.Uvarint(&n);
    for (uint64_t k = 0; k < n; ++k) {
      uint32_t key;
      uint8_t type;
      std::string_view value;
      if (!columnar::GetU32(r, &key) || !r.Byte(&type) || !r.String(&value)) return;
      attr_refs_.push_back({row, key, value});
    }
  }

  void EncodeParent(const TraceId& trace, SpanId parent) {
    std::string& out = cols_[kColParent];
    if (parent == 0) {
      out.push_back(0);
      return;
    }
    auto it = row_of_.find(KeyOf(trace, parent));
    if (it != row_of_.end()) {
      PutUvarint(&out, uint64_t{it->second} + 2);
      return;
    }
    out.push_back(1);
    PutFixed64(&out, parent);
  }

  // The block's key columns (KeyColumn in segment_format.h).
  absl::Status EncodeKeyColumns(uint32_t rows, FileWriter& file, BlockMeta* b) {
    // Keys are dictionary ids, so per-key state lives in vectors indexed by id; only the
    // keys this block touched are visited and reset.
    for (uint32_t key : touched_keys_) key_stats_[key] = KeyStat{};
    touched_keys_.clear();
    for (const AttrRef& a : attr_refs_) {
      if (a.key >= key_stats_.size()) key_stats_.resize(a.key + 1);
      KeyStat& st = key_stats_[a.key];
      if (st.rows == 0) touched_keys_.push_back(a.key);
      if (st.last_row == a.row) {
        st.repeated = true;
      } else {
        ++st.rows;
        st.last_row = a.row;
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> chosen;  // (rows, key)
    for (uint32_t key : touched_keys_) {
      const KeyStat& st = key_stats_[key];
      if (!st.repeated && uint64_t{st.rows} * 4 >= rows) chosen.push_back({st.rows, key});
    }
    std::sort(chosen.begin(), chosen.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : x.second < y.second;
    });
    if (chosen.size() > kMaxKeyColumns) chosen.resize(kMaxKeyColumns);
    std::sort(chosen.begin(), chosen.end(),
              [](const auto& x, const auto& y) { return x.second < y.second; });
    const size_t n = chosen.size();
    // The chosen keys' column numbers, kept in KeyStat (reset with it next block).
    for (size_t c = 0; c < n; ++c) key_stats_[chosen[c].second].column = static_cast<int>(c);
    key_values_.resize(n);
    key_rows_.resize(n);
    last_value_.assign(n, {});
    std::vector<bool> too_many(n, false);
    for (size_t c = 0; c < n; ++c) {
      key_values_[c].clear();
      key_rows_[c].assign(rows, 0);
    }
    for (const AttrRef& a : attr_refs_) {
      const int c = key_stats_[a.key].column;
      if (c < 0 || too_many[c]) continue;
      // Neighbouring rows (spans of one trace, one service) often share a value.
      if (last_value_[c].id != 0 && last_value_[c].value == a.value) {
        key_rows_[c][a.row] = last_value_[c].id;
        continue;
      }
      auto& values = key_values_[c];
      auto [v, inserted] = values.try_emplace(a.value, static_cast<uint32_t>(values.size()));
      if (values.size() > kKeyColumnMaxValues) {
        too_many[c] = true;
        continue;
      }
      key_rows_[c][a.row] = v->second + 1;
      last_value_[c] = {a.value, v->second + 1};
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

  const Staging& staging_;
  columnar::ChunkWriter chunks_;
  std::string cols_[kColCount];
  absl::flat_hash_map<std::pair<TraceId, SpanId>, uint32_t> row_of_;  // within the block
  // Key columns: the block's span attributes, then per chosen key its values and row ids.
  struct AttrRef {
    uint32_t row;
    uint32_t key;
    std::string_view value;
  };
  std::vector<AttrRef> attr_refs_;
  std::vector<StringViewMap<uint32_t>> key_values_;
  struct LastValue {
    std::string_view value;
    uint32_t id = 0;  // as stored in key_rows_; 0: none yet
  };
  std::vector<LastValue> last_value_;
  std::vector<std::vector<uint32_t>> key_rows_;
  std::string key_col_;
  struct KeyStat {
    uint32_t rows = 0;  // spans with the key
    uint32_t last_row = UINT32_MAX;
    bool repeated = false;  // twice on one span: the column could not say so
    int column = -1;        // its key column in this block, if chosen
  };
  std::vector<KeyStat> key_stats_;  // by key (string id)
  std::vector<uint32_t> touched_keys_;
};

}  // namespace

struct SegmentScratch::Buffers {
  Staging staging;
  std::vector<RowRef> rows;
};

SegmentScratch::SegmentScratch() : buffers_(std::make_unique<Buffers>()) {}
SegmentScratch::~SegmentScratch() = default;

absl::StatusOr<uint64_t> WriteSegment(const std::string& path,
                                      std::span<const SpanBatch* const> batches,
                                      const SegmentWriterOptions& options,
                                      SegmentScratch* scratch) {
  return WriteSegment(
      path,
      [&](const SpanBatchEmit& emit) {
        for (const SpanBatch* b : batches) emit(*b);
        return absl::OkStatus();
      },
      options, scratch);
}

absl::StatusOr<uint64_t> WriteSegment(const std::string& path, const SpanBatchSource& source,
                                      const SegmentWriterOptions& options,
                                      SegmentScratch* scratch) {
  std::optional<SegmentScratch> own;
  if (scratch == nullptr) scratch = &own.emplace();
  Staging& staging = scratch->buffers().staging;
  std::vector<RowRef>& rows = scratch->buffers().rows;
  staging.bytes.clear();
  staging.spans.clear();
  rows.clear();
  SegmentMeta meta;
  Dictionary dict(&meta);
  {
    Stager stager(&dict, &staging);
    uint32_t b = 0;
    absl::Status st = source([&](const SpanBatch& batch) {
      for (const SpanBatch::Entry& e : batch.spans()) {
        rows.push_back({e.trace_id, e.start_ns, e.span_id,
                        static_cast<uint32_t>(staging.spans.size()), 0});
        stager.Add(b, batch, e);
      }
      ++b;
    });
    if (!st.ok()) return st;
  }
  const std::vector<int64_t> section_starts = SectionStarts(rows, options);
  for (RowRef& r : rows) {
    r.section = static_cast<uint32_t>(
        std::upper_bound(section_starts.begin(), section_starts.end(), r.start) -
        section_starts.begin());
  }
  std::sort(rows.begin(), rows.end(), [](const RowRef& a, const RowRef& b) {
    if (a.section != b.section) return a.section < b.section;
    if (a.trace != b.trace) return a.trace < b.trace;
    if (a.start != b.start) return a.start < b.start;
    if (a.span_id != b.span_id) return a.span_id < b.span_id;
    return a.staged < b.staged;  // arrival order: of two copies, the first is kept
  });
  // The same span twice (a carried trace re-logged before a crash, a client retrying an
  // export) is stored once. Both copies were staged, so a second copy that came under a
  // resource of its own still lists that resource (and its service) in the segment's
  // metadata; clients resend what they sent, so that takes a misbehaving one.
  rows.erase(std::unique(rows.begin(), rows.end(),
                         [](const RowRef& a, const RowRef& b) {
                           return a.trace == b.trace && a.start == b.start &&
                                  a.span_id == b.span_id;
                         }),
             rows.end());

  auto file = FileWriter::Create(path);
  if (!file.ok()) return file.status();
  if (absl::Status st = (*file)->Append(std::string(kSegmentMagic)); !st.ok()) return st;

  meta.rows = rows.size();
  meta.min_start = std::numeric_limits<int64_t>::max();
  meta.max_start = std::numeric_limits<int64_t>::min();
  meta.max_end = std::numeric_limits<int64_t>::min();
  BlockEncoder encoder(staging, options.zstd_level);
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
  auto size =
      encoder.chunks().Finish(EncodeSegmentMeta(meta), kSegmentVersion, kSegmentMagic, **file);
  // Kept for the next cut, unless a burst left it far larger than cuts now need.
  if (staging.bytes.capacity() > 2 * staging.bytes.size() + (8 << 20)) {
    std::string().swap(staging.bytes);
    std::vector<StagedSpan>().swap(staging.spans);
    std::vector<RowRef>().swap(rows);
  }
  return size;
}

}  // namespace vigil::traces
