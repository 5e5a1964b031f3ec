#include "storage/traces/segment.h"

#include <algorithm>
#include <atomic>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "common/coding.h"
#include "common/string_view_hash.h"
#include "common/strings.h"
#include "storage/bloom/bloom.h"

namespace vigil::traces {

// One thread's buffers for decoding blocks; nothing is allocated once they have grown.
struct BlockScratch {
  // The block whose core columns (ids, times, meta) the arrays hold, if DecodeCore filled
  // them: lookups of several traces in id order often land in the same block.
  uint64_t core_segment = 0;
  size_t core_block = SIZE_MAX;
  columnar::ChunkReader reader;
  std::string raw[kColCount];
  std::vector<TraceId> trace;
  std::vector<SpanId> span, parent;
  std::vector<int64_t> start, end;
  std::vector<uint8_t> kind_status;
  std::vector<uint32_t> resource, name, scope, flags;
  std::vector<uint8_t> keep;
  std::vector<SpanRow> rows;
  std::string key_raw;          // a key column
  std::vector<uint32_t> found;  // per row: bit per attribute check a span attribute satisfies
};

namespace {

// A search's attribute pair resolved against a segment: its key id and which resources
// satisfy it on their own.
struct AttrCheck {
  int64_t key;
  std::string_view value;
  std::vector<uint8_t> resource_has;
};

absl::Status Corrupt(const Segment& s, uint32_t column) {
  return absl::DataLossError(StrCat("trace segment ", s.path(), ": malformed column ", column));
}

bool GetString32(ByteReader& r, uint32_t strings, uint32_t* id) {
  return columnar::GetU32(r, id) && *id < strings;
}

// Reads the attribute list at r's position into *out (when given) or skips it.
bool ReadAttributes(ByteReader& r, const SegmentMeta& m, std::vector<SpanAttribute>* out) {
  uint64_t n;
  if (!r.Uvarint(&n) || n > r.remaining()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t key;
    uint8_t type;
    std::string_view value;
    if (!GetString32(r, static_cast<uint32_t>(m.strings.size()), &key) || !r.Byte(&type) ||
        !r.String(&value) || type > static_cast<uint8_t>(AttributeType::kKvList)) {
      return false;
    }
    if (out != nullptr) {
      out->push_back({m.strings[key], std::string(value), static_cast<AttributeType>(type)});
    }
  }
  return true;
}

}  // namespace

uint64_t Segment::NextInstance() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

absl::StatusOr<std::shared_ptr<const Segment>> Segment::Open(const std::string& path) {
  auto file = MappedFile::Open(path);
  if (!file.ok()) return file.status();
  auto footer = columnar::ReadFooter(**file, kSegmentMagic, kSegmentMinVersion, kSegmentVersion,
                                     "trace segment");
  if (!footer.ok()) return footer.status();
  auto meta = DecodeSegmentMeta(footer->meta, footer->version);
  if (!meta.ok()) {
    return absl::DataLossError(StrCat("trace segment ", path, ": ", meta.status().message()));
  }
  auto outside = [&](const Chunk& c) { return c.offset + c.size > footer->meta_offset; };
  for (const BlockMeta& b : meta->blocks) {
    if (std::any_of(b.columns.begin(), b.columns.end(), outside) ||
        std::any_of(b.key_columns.begin(), b.key_columns.end(),
                    [&](const KeyColumn& k) { return outside(k.chunk); })) {
      return absl::DataLossError(
          StrCat("trace segment ", path, ": a column lies outside the data section"));
    }
  }
  for (const ResourceMeta& r : meta->resources) {
    if (r.service >= meta->strings.size()) {
      return absl::DataLossError(StrCat("trace segment ", path, ": bad resource"));
    }
  }
  std::shared_ptr<Segment> seg(new Segment());
  seg->file_ = std::move(*file);
  seg->meta_ = std::move(*meta);
  for (size_t i = 0; i < seg->meta_.strings.size(); ++i) {
    seg->string_ids_.try_emplace(seg->meta_.strings[i], static_cast<uint32_t>(i));
  }
  return std::shared_ptr<const Segment>(std::move(seg));
}

namespace {

// Decodes the id columns (trace, span id, parent) of block `b`; without `span_ids` only the
// trace ids, leaving span and parent ids 0.
absl::Status DecodeIds(const Segment& seg, const MappedFile& f, const BlockMeta& b, BlockScratch& s,
                       bool span_ids = true) {
  for (uint32_t c : {kColTrace, kColSpanId, kColParent}) {
    if (!span_ids && c != kColTrace) break;
    if (absl::Status st = s.reader.Read(f, b.columns[c], &s.raw[c]); !st.ok()) return st;
  }
  const size_t rows = b.rows;
  s.trace.clear();
  {
    ByteReader r(s.raw[kColTrace]);
    while (r.remaining() > 0) {
      TraceId id;
      uint64_t count;
      if (!r.Fixed64(&id.hi) || !r.Fixed64(&id.lo) || !r.Uvarint(&count) ||
          count > rows - s.trace.size()) {
        return Corrupt(seg, kColTrace);
      }
      s.trace.insert(s.trace.end(), count, id);
    }
    if (s.trace.size() != rows) return Corrupt(seg, kColTrace);
  }
  if (!span_ids) {
    s.span.assign(rows, 0);
    s.parent.assign(rows, 0);
    return absl::OkStatus();
  }
  if (s.raw[kColSpanId].size() != rows * 8) return Corrupt(seg, kColSpanId);
  s.span.resize(rows);
  for (size_t i = 0; i < rows; ++i) s.span[i] = LoadFixed64(s.raw[kColSpanId].data() + 8 * i);
  s.parent.resize(rows);
  {
    ByteReader r(s.raw[kColParent]);
    for (size_t i = 0; i < rows; ++i) {
      uint64_t v;
      if (!r.Uvarint(&v)) return Corrupt(seg, kColParent);
      if (v == 0) {
        s.parent[i] = 0;
      } else if (v == 1) {
        if (!r.Fixed64(&s.parent[i])) return Corrupt(seg, kColParent);
      } else if (v - 2 < rows) {
        s.parent[i] = s.span[v - 2];
      } else {
        return Corrupt(seg, kColParent);
      }
    }
  }
  return absl::OkStatus();
}

// Decodes the times and meta columns (kind, status, resource, name, scope, flags) of block `b`.
absl::Status DecodeTimesMeta(const Segment& seg, const MappedFile& f, const BlockMeta& b,
                             BlockScratch& s) {
  const SegmentMeta& m = seg.meta();
  for (uint32_t c : {kColTimes, kColMeta}) {
    if (absl::Status st = s.reader.Read(f, b.columns[c], &s.raw[c]); !st.ok()) return st;
  }
  const size_t rows = b.rows;
  s.start.resize(rows);
  s.end.resize(rows);
  {
    ByteReader r(s.raw[kColTimes]);
    int64_t prev = 0;
    for (size_t i = 0; i < rows; ++i) {
      int64_t delta, duration;
      if (!r.Varint(&delta) || !r.Varint(&duration)) return Corrupt(seg, kColTimes);
      prev = DeltaAdd(prev, delta);  // damaged input may overflow: wrap, never UB
      s.start[i] = prev;
      s.end[i] = DeltaAdd(prev, duration);
    }
  }
  s.kind_status.resize(rows);
  s.resource.resize(rows);
  s.name.resize(rows);
  s.scope.resize(rows);
  s.flags.resize(rows);
  {
    ByteReader r(s.raw[kColMeta]);
    const auto strings = static_cast<uint32_t>(m.strings.size());
    for (size_t i = 0; i < rows; ++i) {
      if (!r.Byte(&s.kind_status[i]) || !columnar::GetU32(r, &s.resource[i]) ||
          s.resource[i] >= m.resources.size() || !GetString32(r, strings, &s.name[i]) ||
          !columnar::GetU32(r, &s.scope[i]) || s.scope[i] >= m.scopes.size() ||
          !columnar::GetU32(r, &s.flags[i]) || (s.kind_status[i] & 0xF) > 5 ||
          (s.kind_status[i] >> 4) > 2) {
        return Corrupt(seg, kColMeta);
      }
    }
  }
  return absl::OkStatus();
}

// Decodes the light columns (ids, times, meta) of block `b`.
absl::Status DecodeCore(const Segment& seg, const MappedFile& f, const BlockMeta& b,
                        BlockScratch& s) {
  if (absl::Status st = DecodeIds(seg, f, b, s); !st.ok()) return st;
  return DecodeTimesMeta(seg, f, b, s);
}

SpanRow RowOf(const SegmentMeta& m, const BlockScratch& s, size_t i) {
  SpanRow row;
  row.trace_id = s.trace[i];
  row.span_id = s.span[i];
  row.parent_span_id = s.parent[i];
  row.service_name = m.strings[m.resources[s.resource[i]].service];
  row.name = m.strings[s.name[i]];
  row.kind = static_cast<SpanKind>(s.kind_status[i] & 0xF);
  row.status = static_cast<SpanStatus>(s.kind_status[i] >> 4);
  row.start_ns = s.start[i];
  row.end_ns = s.end[i];
  return row;
}

// Reads the detail columns of the rows in [first, last) into spans[0 .. last-first).
absl::Status DecodeDetails(const Segment& seg, const MappedFile& f, const BlockMeta& b,
                           BlockScratch& s, size_t first, size_t last, Span* spans) {
  const SegmentMeta& m = seg.meta();
  for (uint32_t c : {kColText, kColAttrs, kColEvents}) {
    if (absl::Status st = s.reader.Read(f, b.columns[c], &s.raw[c]); !st.ok()) return st;
  }
  ByteReader text(s.raw[kColText]), attrs(s.raw[kColAttrs]), events(s.raw[kColEvents]);
  const auto strings = static_cast<uint32_t>(m.strings.size());
  for (size_t i = 0; i < last; ++i) {
    Span* out = i >= first ? &spans[i - first] : nullptr;
    std::string_view state, message;
    uint32_t dropped_attrs, n_dropped_events, n_dropped_links;
    if (!text.String(&state) || !text.String(&message)) return Corrupt(seg, kColText);
    if (!ReadAttributes(attrs, m, out ? &out->attributes : nullptr) ||
        !columnar::GetU32(attrs, &dropped_attrs)) {
      return Corrupt(seg, kColAttrs);
    }
    uint64_t n;
    if (!events.Uvarint(&n) || n > events.remaining()) return Corrupt(seg, kColEvents);
    for (uint64_t k = 0; k < n; ++k) {
      int64_t offset;
      uint32_t name, dropped;
      SpanEvent ev;
      if (!events.Varint(&offset) || !GetString32(events, strings, &name) ||
          !ReadAttributes(events, m, out ? &ev.attributes : nullptr) ||
          !columnar::GetU32(events, &dropped)) {
        return Corrupt(seg, kColEvents);
      }
      if (out != nullptr) {
        ev.time_ns = DeltaAdd(s.start[i], offset);
        ev.name = m.strings[name];
        ev.dropped_attributes_count = dropped;
        out->events.push_back(std::move(ev));
      }
    }
    if (!columnar::GetU32(events, &n_dropped_events) || !events.Uvarint(&n) ||
        n > events.remaining()) {
      return Corrupt(seg, kColEvents);
    }
    for (uint64_t k = 0; k < n; ++k) {
      SpanLink link;
      std::string_view link_state;
      if (!events.Fixed64(&link.trace_id.hi) || !events.Fixed64(&link.trace_id.lo) ||
          !events.Fixed64(&link.span_id) || !events.String(&link_state) ||
          !ReadAttributes(events, m, out ? &link.attributes : nullptr) ||
          !columnar::GetU32(events, &link.dropped_attributes_count)) {
        return Corrupt(seg, kColEvents);
      }
      if (out != nullptr) {
        link.trace_state = link_state;
        out->links.push_back(std::move(link));
      }
    }
    if (!columnar::GetU32(events, &n_dropped_links)) return Corrupt(seg, kColEvents);
    if (out == nullptr) continue;
    const ResourceMeta& res = m.resources[s.resource[i]];
    const ScopeMeta& scope = m.scopes[s.scope[i]];
    out->trace_id = s.trace[i];
    out->span_id = s.span[i];
    out->parent_span_id = s.parent[i];
    out->trace_state = state;
    out->name = m.strings[s.name[i]];
    out->kind = static_cast<SpanKind>(s.kind_status[i] & 0xF);
    out->status = static_cast<SpanStatus>(s.kind_status[i] >> 4);
    out->status_message = message;
    out->start_ns = s.start[i];
    out->end_ns = s.end[i];
    out->flags = s.flags[i];
    out->service_name = m.strings[res.service];
    for (const ResourceMeta::Attribute& a : res.attributes) {
      out->resource_attributes.push_back({m.strings[a.key], a.value, a.type});
    }
    out->scope_name = m.strings[scope.name];
    out->scope_version = m.strings[scope.version];
    out->dropped_attributes_count = dropped_attrs;
    out->dropped_events_count = n_dropped_events;
    out->dropped_links_count = n_dropped_links;
  }
  return absl::OkStatus();
}

}  // namespace

// Calls fn(block scratch, first row, last row) for every block holding rows of `id`.
template <typename Fn>
absl::Status Segment::ForTraceBlocks(const TraceId& id, Fn fn) const {
  if (meta_.rows == 0) return absl::OkStatus();
  const uint64_t hash = TraceIdHash(id);
  thread_local BlockScratch s;
  for (const SectionMeta& section : meta_.sections) {
    if (!BloomView(section.trace_bloom).MayContain(hash)) continue;
    // A section's blocks are in trace-id order: the first block whose max is >= id, and on
    // while min <= id.
    const auto first = meta_.blocks.begin() + section.first_block;
    const auto last = first + section.blocks;
    auto it = std::lower_bound(
        first, last, id, [](const BlockMeta& b, const TraceId& t) { return b.max_trace < t; });
    for (; it != last && !(id < it->min_trace); ++it) {
      const auto block = static_cast<size_t>(it - meta_.blocks.begin());
      if (s.core_segment != instance_ || s.core_block != block) {
        s.core_segment = 0;  // not valid until the decode succeeds
        if (absl::Status st = DecodeCore(*this, *file_, *it, s); !st.ok()) return st;
        s.core_segment = instance_;
        s.core_block = block;
      }
      auto lo = std::lower_bound(s.trace.begin(), s.trace.end(), id);
      auto hi = std::upper_bound(lo, s.trace.end(), id);
      if (lo == hi) continue;
      if (absl::Status st = fn(*it, s, static_cast<size_t>(lo - s.trace.begin()),
                               static_cast<size_t>(hi - s.trace.begin()));
          !st.ok()) {
        return st;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Segment::GetTrace(const TraceId& id, std::vector<Span>* out) const {
  return ForTraceBlocks(id, [&](const BlockMeta& b, BlockScratch& s, size_t first, size_t last) {
    size_t at = out->size();
    out->resize(at + (last - first));
    absl::Status st = DecodeDetails(*this, *file_, b, s, first, last, out->data() + at);
    if (!st.ok()) out->resize(at);
    return st;
  });
}

absl::Status Segment::TraceRows(const TraceId& id,
                                const std::function<void(std::span<const SpanRow>)>& fn) const {
  return ForTraceBlocks(id, [&](const BlockMeta&, BlockScratch& s, size_t first, size_t last) {
    s.rows.clear();
    for (size_t i = first; i < last; ++i) s.rows.push_back(RowOf(meta_, s, i));
    fn(s.rows);
    return absl::OkStatus();
  });
}

namespace {

// Sets s.found[row] bit c for every row with a span attribute satisfying check c (the first
// 32 checks). A check on a key with a key column reads that column; the others share one pass
// over the full attribute column, made only if one of them needs it.
absl::Status MatchAttributes(const Segment& seg, const MappedFile& f, const BlockMeta& b,
                             std::span<const AttrCheck> checks, BlockScratch& s) {
  s.found.assign(b.rows, 0);
  uint32_t general = 0;  // checks left to the attribute column
  for (size_t c = 0; c < checks.size() && c < 32; ++c) {
    auto kc = std::find_if(b.key_columns.begin(), b.key_columns.end(),
                           [&](const KeyColumn& k) { return k.key == checks[c].key; });
    if (kc == b.key_columns.end()) {
      general |= 1u << c;
      continue;
    }
    if (absl::Status st = s.reader.Read(f, kc->chunk, &s.key_raw); !st.ok()) return st;
    ByteReader r(s.key_raw);
    uint64_t values;
    if (!r.Uvarint(&values) || values > r.remaining()) return Corrupt(seg, kColAttrs);
    uint64_t want = 0;  // the row id of the wanted value; 0: no span of the block has it
    for (uint64_t v = 0; v < values; ++v) {
      std::string_view value;
      if (!r.String(&value)) return Corrupt(seg, kColAttrs);
      if (want == 0 && value == checks[c].value) want = v + 1;
    }
    if (want == 0) continue;
    for (size_t i = 0; i < b.rows; ++i) {
      uint64_t id;
      if (!r.Uvarint(&id) || id > values) return Corrupt(seg, kColAttrs);
      if (id == want) s.found[i] |= 1u << c;
    }
    if (r.remaining() != 0) return Corrupt(seg, kColAttrs);
  }
  if (general == 0) return absl::OkStatus();
  if (absl::Status st = s.reader.Read(f, b.columns[kColAttrs], &s.raw[kColAttrs]); !st.ok()) {
    return st;
  }
  ByteReader r(s.raw[kColAttrs]);
  const auto strings = static_cast<uint32_t>(seg.meta().strings.size());
  for (size_t i = 0; i < b.rows; ++i) {
    uint64_t n;
    if (!r.Uvarint(&n) || n > r.remaining()) return Corrupt(seg, kColAttrs);
    for (uint64_t k = 0; k < n; ++k) {
      uint32_t key;
      uint8_t type;
      std::string_view value;
      if (!GetString32(r, strings, &key) || !r.Byte(&type) || !r.String(&value)) {
        return Corrupt(seg, kColAttrs);
      }
      if (!s.keep[i]) continue;
      for (size_t c = 0; c < checks.size() && c < 32; ++c) {
        if ((general >> c & 1) && checks[c].key == key && checks[c].value == value) {
          s.found[i] |= 1u << c;
        }
      }
    }
    uint32_t dropped;
    if (!columnar::GetU32(r, &dropped)) return Corrupt(seg, kColAttrs);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> Segment::Scan(const SpanScanRequest& req,
                                   const std::function<bool(std::span<const SpanRow>)>& fn) const {
  if (!Overlaps(req.start_ns, req.end_ns)) return true;
  const SpanFilter& filter = req.filter;
  // Resolve the filter against this segment's dictionary; a name it has never seen means no
  // span here can match.
  std::vector<uint8_t> resource_ok(meta_.resources.size(), 1);
  uint64_t resource_bits = ~uint64_t{0};
  auto find_string = [&](std::string_view v) -> int64_t {
    auto it = string_ids_.find(v);
    return it == string_ids_.end() ? -1 : int64_t{it->second};
  };
  if (!filter.service_name.empty()) {
    resource_bits = 0;
    for (size_t r = 0; r < meta_.resources.size(); ++r) {
      resource_ok[r] = meta_.strings[meta_.resources[r].service] == filter.service_name;
      if (resource_ok[r]) resource_bits |= uint64_t{1} << (r % 64);
    }
    if (resource_bits == 0) return true;
  }
  int64_t name_id = -1;
  if (!filter.span_name.empty()) {
    name_id = find_string(filter.span_name);
    if (name_id < 0) return true;
  }
  std::vector<AttrCheck> attr_checks;
  for (const auto& [k, v] : filter.attributes) {
    AttrCheck c{find_string(k), v, std::vector<uint8_t>(meta_.resources.size(), 0)};
    if (c.key < 0) return true;
    for (size_t r = 0; r < meta_.resources.size(); ++r) {
      for (const ResourceMeta::Attribute& a : meta_.resources[r].attributes) {
        if (a.key == c.key && a.value == v) c.resource_has[r] = 1;
      }
    }
    attr_checks.push_back(std::move(c));
  }

  thread_local BlockScratch s;
  for (const BlockMeta& b : meta_.blocks) {
    if (req.cutoff != nullptr && req.cutoff->load(std::memory_order_relaxed)) {
      return absl::CancelledError("trace scan cut off");
    }
    if (b.max_start < req.start_ns || b.min_start >= req.end_ns ||
        (b.resource_bits & resource_bits) == 0 || b.max_duration < filter.min_duration_ns) {
      continue;
    }
    // Times and meta decide; the ids are decoded only for a block with rows to hand out.
    if (absl::Status st = DecodeTimesMeta(*this, *file_, b, s); !st.ok()) return st;
    s.keep.assign(b.rows, 0);
    size_t kept = 0;
    for (size_t i = 0; i < b.rows; ++i) {
      const int64_t d = s.end[i] - s.start[i];
      if (s.start[i] < req.start_ns || s.start[i] >= req.end_ns || !resource_ok[s.resource[i]] ||
          (name_id >= 0 && s.name[i] != name_id) || d < filter.min_duration_ns ||
          d > filter.max_duration_ns ||
          (filter.kind && static_cast<SpanKind>(s.kind_status[i] & 0xF) != *filter.kind) ||
          (filter.status && static_cast<SpanStatus>(s.kind_status[i] >> 4) != *filter.status)) {
        continue;
      }
      s.keep[i] = 1;
      ++kept;
    }
    if (kept > 0 && !attr_checks.empty()) {
      if (absl::Status st = MatchAttributes(*this, *file_, b, attr_checks, s); !st.ok()) {
        return st;
      }
      for (size_t i = 0; i < b.rows; ++i) {
        if (!s.keep[i]) continue;
        for (size_t c = 0; c < attr_checks.size(); ++c) {
          bool ok = (c < 32 && (s.found[i] >> c & 1)) || attr_checks[c].resource_has[s.resource[i]];
          if (!ok) {
            s.keep[i] = 0;
            --kept;
            break;
          }
        }
      }
    }
    if (kept == 0) continue;
    if (absl::Status st = DecodeIds(*this, *file_, b, s, req.span_ids); !st.ok()) return st;
    s.rows.clear();
    for (size_t i = 0; i < b.rows; ++i) {
      if (s.keep[i]) s.rows.push_back(RowOf(meta_, s, i));
    }
    if (!fn(s.rows)) return false;
  }
  return true;
}

void Segment::Services(std::vector<std::string>* out) const {
  for (const ResourceMeta& r : meta_.resources) out->push_back(meta_.strings[r.service]);
}

absl::Status Segment::SpanNames(std::string_view service, int64_t start_ns, int64_t end_ns,
                                std::vector<std::string>* out) const {
  SpanScanRequest req;
  req.start_ns = start_ns;
  req.end_ns = end_ns;
  req.filter.service_name = std::string(service);
  StringViewSet seen;
  auto scanned = Scan(req, [&](std::span<const SpanRow> rows) {
    for (const SpanRow& r : rows) {
      if (seen.insert(r.name).second) out->emplace_back(r.name);
    }
    return true;
  });
  return scanned.status();
}

}  // namespace vigil::traces
