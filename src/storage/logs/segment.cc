#include "storage/logs/segment.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <vector>

#include "common/coding.h"
#include "common/strings.h"
#include "storage/bloom/bloom.h"
#include "storage/logs/tokenizer.h"

namespace vigil::logs {
namespace {

// Reusable buffers of one scan; decoding a block allocates nothing once they have grown.
struct BlockScratch {
  columnar::ChunkReader chunks;
  std::vector<std::string> raw;  // decompressed columns
  std::vector<int64_t> ts;
  std::vector<LogRecordView> records;
  std::vector<LogFieldView> fields;
  std::vector<uint32_t> field_first;  // per row, into fields
  std::string hex;                    // trace and span ids as hex
  std::vector<uint8_t> keep;          // rows that pass the hints
  std::vector<LogRecordView> selected;
  std::vector<std::string_view> col_values;
  std::vector<uint8_t> col_present;
  std::vector<uint32_t> kept_index;  // row -> position among kept rows
  std::vector<uint32_t> kept_rows;   // the kept rows, ascending (when few are kept)
};

// A column of per-row lengths followed by the bytes (body and field columns): hands the
// bytes of each row of `wanted` (ascending) to take(row, bytes), and reads the lengths no
// further than the last of them. A block read for a trace id keeps a handful of its rows,
// and walking every row's length of every column was a quarter of such a query. In a field
// column a length is stored + 1, 0 for a row without the field (`take` is not called).
template <typename Take>
bool GatherRows(std::string_view column, std::span<const uint32_t> wanted, bool field,
                Take&& take) {
  ByteReader r(column);
  std::string_view lens;
  if (!r.String(&lens)) return false;
  const std::string_view data = column.substr(r.offset());
  const auto* p = reinterpret_cast<const uint8_t*>(lens.data());
  const auto* end = p + lens.size();
  size_t pos = 0;  // never past data.size()
  uint32_t row = 0;
  auto bytes_of = [field](uint64_t stored) { return field && stored > 0 ? stored - 1 : stored; };
  // The next row's stored length; false when it is malformed or runs past the bytes.
  auto next = [&](uint64_t* stored) {
    if (p < end && *p < 0x80) {
      *stored = *p++;
    } else if (!DecodeUvarint(&p, end, stored)) {
      return false;
    }
    return bytes_of(*stored) <= data.size() - pos;
  };
  for (uint32_t want : wanted) {
    uint64_t stored;
    for (; row < want; ++row) {
      if (!next(&stored)) return false;
      pos += bytes_of(stored);
    }
    if (!next(&stored)) return false;
    ++row;
    const uint64_t n = bytes_of(stored);
    if (!field || stored > 0) take(want, data.substr(pos, n));
    pos += n;
  }
  return true;
}

// What the hints require of a block's Bloom filters.
struct BloomChecks {
  std::vector<uint64_t> tokens;
  std::vector<uint64_t> fields;
};

bool PassesBlooms(const MappedFile& f, const BlockMeta& b, const BloomChecks& checks) {
  if (!checks.tokens.empty() && b.token_bloom.size > 0) {
    BloomView v(columnar::StoredBytes(f, b.token_bloom));
    for (uint64_t h : checks.tokens) {
      if (!v.MayContain(h)) return false;
    }
  }
  if (!checks.fields.empty() && b.field_bloom.size > 0) {
    BloomView v(columnar::StoredBytes(f, b.field_bloom));
    for (uint64_t h : checks.fields) {
      if (!v.MayContain(h)) return false;
    }
  }
  return true;
}

void AppendHex(std::string* out, std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char c : raw) {
    out->push_back(kDigits[c >> 4]);
    out->push_back(kDigits[c & 15]);
  }
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Segment>> Segment::Open(const std::string& path) {
  auto file = MappedFile::Open(path);
  if (!file.ok()) return file.status();
  std::shared_ptr<Segment> seg(new Segment());
  seg->file_ = std::move(*file);
  const MappedFile& f = *seg->file_;
  auto bad = [&](std::string_view what) {
    return absl::DataLossError(StrCat("log segment ", path, ": ", what));
  };
  auto footer = columnar::ReadFooter(f, kSegmentMagic, kSegmentVersion, kSegmentVersion, "log segment");
  if (!footer.ok()) return footer.status();
  const uint64_t meta_offset = footer->meta_offset;
  const std::string& raw = footer->meta;
  auto meta = DecodeSegmentMeta(raw);
  if (!meta.ok()) return bad(ToStd(meta.status().message()));
  for (const BlockMeta& b : meta->blocks) {
    auto in_data = [&](const Chunk& c) { return c.offset + c.size <= meta_offset; };
    for (const Chunk& c : b.columns) {
      if (!in_data(c)) return bad("column outside the data section");
    }
    if (!in_data(b.token_bloom) || !in_data(b.field_bloom)) return bad("bloom outside the data section");
  }
  seg->meta_ = std::move(*meta);
  return std::shared_ptr<const Segment>(std::move(seg));
}

bool Segment::Plan(const LogSelectRequest& req, SegmentPlan* plan, SegmentScanStats* stats) const {
  if (meta_.rows == 0 || meta_.max_time < req.start_ns || meta_.min_time >= req.end_ns) return false;
  const MappedFile& f = *file_;
  plan->matched.assign(meta_.streams.size(), false);
  bool any = false;
  for (size_t s = 0; s < meta_.streams.size(); ++s) {
    const StreamMeta& sm = meta_.streams[s];
    if (sm.max_time < req.start_ns || sm.min_time >= req.end_ns) continue;
    bool ok = true;
    for (const LabelMatcher& m : req.matchers) {
      if (!m.Matches(sm.labels.Get(m.name()))) {
        ok = false;
        break;
      }
    }
    plan->matched[s] = ok;
    any = any || ok;
  }
  if (!any) return false;

  BloomChecks checks;
  for (const std::string& needle : req.hints.body_contains) {
    plan->needles.push_back(needle);
    for (const std::string& t : RequiredTokens(needle)) checks.tokens.push_back(BloomHash(t));
  }
  if (!req.hints.trace_id.empty()) {
    checks.fields.push_back(BloomFieldHash("trace_id", req.hints.trace_id));
    // Compared raw against the stored bytes; an id that is no 32-digit hex matches nothing
    // stored raw, so it is compared as text (kind 2) below.
    plan->trace_raw.clear();
    if (req.hints.trace_id.size() == 32) {
      for (size_t i = 0; i < 16; ++i) {
        auto nib = [](char c) -> int {
          if (c >= '0' && c <= '9') return c - '0';
          if (c >= 'a' && c <= 'f') return c - 'a' + 10;
          return -1;
        };
        int hi = nib(req.hints.trace_id[2 * i]), lo = nib(req.hints.trace_id[2 * i + 1]);
        if (hi < 0 || lo < 0) {
          plan->trace_raw.clear();
          break;
        }
        plan->trace_raw.push_back(static_cast<char>(hi << 4 | lo));
      }
    }
  }
  for (const auto& [name, value] : req.hints.field_equals) {
    // A name that is a stream label of a matched stream is the selector's business: the
    // records do not carry it as a field, so the field filter must not prune them.
    bool is_label = false;
    for (size_t s = 0; s < plan->matched.size() && !is_label; ++s) {
      is_label = plan->matched[s] && meta_.streams[s].labels.Has(name);
    }
    // Span ids are not in the filters (a search by span id is rare and they would double the
    // filters' size); the pipeline checks them.
    if (is_label || name == "span_id") continue;
    checks.fields.push_back(BloomFieldHash(name, value));
    plan->fields.emplace_back(name, value);
  }
  for (uint32_t bi = 0; bi < meta_.blocks.size(); ++bi) {
    const BlockMeta& b = meta_.blocks[bi];
    if (stats) stats->blocks_total++;
    if (b.max_time < req.start_ns || b.min_time >= req.end_ns) continue;
    bool block_any = false;
    for (uint32_t s = b.first_stream; s <= b.last_stream && !block_any; ++s) block_any = plan->matched[s];
    if (!block_any) continue;
    if (!PassesBlooms(f, b, checks)) {
      if (stats) stats->blocks_skipped_by_bloom++;
      continue;
    }
    plan->blocks.push_back(bi);
  }
  return !plan->blocks.empty();
}

absl::StatusOr<bool> Segment::Select(const LogSelectRequest& req, const LogRecordsFn& fn,
                                     SegmentScanStats* stats) const {
  SegmentPlan plan;
  if (!Plan(req, &plan, stats)) return true;
  for (uint32_t b : plan.blocks) {
    auto more = ReadBlock(req, plan, b, fn, stats);
    if (!more.ok() || !*more) return more;
  }
  return true;
}

absl::StatusOr<bool> Segment::ReadBlock(const LogSelectRequest& req, const SegmentPlan& plan,
                                        uint32_t block, const LogRecordsFn& fn,
                                        SegmentScanStats* stats) const {
  const MappedFile& f = *file_;
  const BlockMeta& b = meta_.blocks[block];
  thread_local BlockScratch scratch;
  const size_t ncols = kColFirstField + meta_.field_columns.size();
  scratch.raw.resize(ncols);
  std::vector<bool> loaded(ncols, false);
  auto load = [&](size_t c) -> absl::Status {
    if (loaded[c]) return absl::OkStatus();
    if (absl::Status st = scratch.chunks.Read(f, b.columns[c], &scratch.raw[c]); !st.ok()) {
      return absl::DataLossError(StrCat("log segment column ", c, ": ", st.message()));
    }
    loaded[c] = true;
    return absl::OkStatus();
  };
  auto corrupt = [&](size_t c) {
    return absl::DataLossError(StrCat("log segment ", path(), ": malformed column ", c));
  };
  const size_t rows = b.rows;
  // A column of per-row lengths followed by the bytes (body and field columns): calls
  // each(row, length, data, pos) and checks the column is consumed exactly.
  auto split = [&](size_t c, auto&& each) -> bool {
    ByteReader r(scratch.raw[c]);
    std::string_view lens;
    if (!r.String(&lens)) return false;
    std::string_view data = std::string_view(scratch.raw[c]).substr(r.offset());
    ByteReader lr(lens);
    size_t pos = 0;
    for (size_t i = 0; i < rows; ++i) {
      uint64_t n;
      if (!lr.Uvarint(&n)) return false;
      if (!each(i, n, data, pos)) return false;
    }
    return pos == data.size();
  };
  auto skip = [&]() -> absl::StatusOr<bool> {
    if (stats) stats->blocks_skipped_by_content++;
    return true;
  };

  // Row filters from the hints first, each on its own column, so a block without a match
  // costs one column's decompression.
  std::vector<uint8_t>& keep = scratch.keep;
  keep.assign(rows, 1);
  bool filtered = false;
  if (!req.hints.trace_id.empty()) {
    if (absl::Status st = load(kColTraceId); !st.ok()) return st;
    // A well-formed id (trace_raw set) is only ever stored raw, never in the verbatim form
    // (kind 2): a block whose column lacks its 16 bytes anywhere holds no match.
    if (plan.trace_raw.size() == 16 &&
        std::string_view(scratch.raw[kColTraceId]).find(plan.trace_raw) == std::string_view::npos) {
      return skip();
    }
    uint64_t want_hi = 0, want_lo = 0;
    if (plan.trace_raw.size() == 16) {
      std::memcpy(&want_hi, plan.trace_raw.data(), 8);
      std::memcpy(&want_lo, plan.trace_raw.data() + 8, 8);
    }
    ByteReader r(scratch.raw[kColTraceId]);
    bool any = false;
    for (size_t i = 0; i < rows; ++i) {
      uint8_t kind;
      std::string_view v;
      if (!r.Byte(&kind)) return corrupt(kColTraceId);
      if (kind == 1) {
        if (!r.Bytes(16, &v)) return corrupt(kColTraceId);
        uint64_t hi, lo;
        std::memcpy(&hi, v.data(), 8);
        std::memcpy(&lo, v.data() + 8, 8);
        keep[i] = plan.trace_raw.size() == 16 && hi == want_hi && lo == want_lo;
      } else if (kind == 2) {
        if (!r.String(&v)) return corrupt(kColTraceId);
        keep[i] = v == req.hints.trace_id;
      } else {
        keep[i] = 0;
      }
      any = any || keep[i];
    }
    filtered = true;
    if (!any) return skip();
  }
  for (const auto& field : plan.fields) {
    // Not a structured binding: lambdas below capture the value (clang before 16 refuses).
    const auto& name = field.first;
    const auto& value = field.second;
    auto col = std::find(meta_.field_columns.begin(), meta_.field_columns.end(), name);
    bool any = false;
    if (col != meta_.field_columns.end()) {
      size_t c = kColFirstField + static_cast<size_t>(col - meta_.field_columns.begin());
      if (absl::Status st = load(c); !st.ok()) return st;
      bool ok = split(c, [&](size_t i, uint64_t n, std::string_view data, size_t& pos) {
        if (n == 0) {  // the record has no such field
          keep[i] = 0;
          return true;
        }
        if (n - 1 > data.size() - pos) return false;
        if (keep[i] && data.substr(pos, n - 1) != value) keep[i] = 0;
        any = any || keep[i];
        pos += n - 1;
        return true;
      });
      if (!ok) return corrupt(c);
    } else {
      // Only in the shared column, if anywhere: rows without it cannot match.
      auto id = std::find(meta_.other_field_names.begin(), meta_.other_field_names.end(), name);
      if (id == meta_.other_field_names.end()) return skip();
      const uint64_t want = static_cast<uint64_t>(id - meta_.other_field_names.begin());
      if (absl::Status st = load(kColOtherFields); !st.ok()) return st;
      ByteReader other(scratch.raw[kColOtherFields]);
      for (size_t i = 0; i < rows; ++i) {
        uint64_t n;
        if (!other.Uvarint(&n) || n > other.remaining()) return corrupt(kColOtherFields);
        bool hit = false;
        for (uint64_t j = 0; j < n; ++j) {
          uint64_t nid;
          std::string_view v;
          if (!other.Uvarint(&nid) || !other.String(&v)) return corrupt(kColOtherFields);
          hit = hit || (nid == want && v == value);
        }
        if (!hit) keep[i] = 0;
        any = any || keep[i];
      }
    }
    filtered = true;
    if (!any) return skip();
  }
  // The rows the hints left (every row without hints), ascending: only theirs are gathered
  // from the body and field columns.
  std::vector<uint32_t>& kept_rows = scratch.kept_rows;
  auto collect_kept = [&] {
    kept_rows.clear();
    for (size_t i = 0; i < rows; ++i) {
      if (keep[i]) kept_rows.push_back(static_cast<uint32_t>(i));
    }
  };
  collect_kept();
  const bool need_body = req.want_body || !plan.needles.empty();
  if (need_body) {
    if (absl::Status st = load(kColBody); !st.ok()) return st;
  }
  if (!plan.needles.empty()) {
    // One search over the block's bodies rules most blocks in or out.
    std::string_view all(scratch.raw[kColBody]);
    for (std::string_view needle : plan.needles) {
      if (all.find(needle) == std::string_view::npos) return skip();
    }
  }
  for (size_t c : {size_t{kColTimestamp}, size_t{kColSeverity}}) {
    if (absl::Status st = load(c); !st.ok()) return st;
  }
  if (req.want_fields) {
    for (size_t c = kColSeverityText; c < ncols; ++c) {
      if (c == kColBody) continue;
      if (absl::Status st = load(c); !st.ok()) return st;
    }
  }
  if (stats) stats->blocks_read++;
  scratch.records.assign(rows, LogRecordView{});
  {
    ByteReader r(scratch.raw[kColTimestamp]);
    int64_t t = 0;
    for (size_t i = 0; i < rows; ++i) {
      int64_t d;
      if (!r.Varint(&d)) return corrupt(kColTimestamp);
      t = DeltaAdd(t, d);
      scratch.records[i].timestamp_ns = t;
    }
    if (scratch.raw[kColSeverity].size() != rows) return corrupt(kColSeverity);
    for (size_t i = 0; i < rows; ++i) {
      scratch.records[i].severity = static_cast<uint8_t>(scratch.raw[kColSeverity][i]);
    }
  }
  if (need_body) {
    if (!GatherRows(scratch.raw[kColBody], kept_rows, /*field=*/false,
                    [&](uint32_t i, std::string_view v) { scratch.records[i].body = v; })) {
      return corrupt(kColBody);
    }
    if (!plan.needles.empty()) {
      for (uint32_t i : kept_rows) {
        for (std::string_view needle : plan.needles) {
          if (scratch.records[i].body.find(needle) == std::string_view::npos) {
            keep[i] = 0;
            break;
          }
        }
      }
      filtered = true;
      collect_kept();
    }
    if (!req.want_body) {
      for (LogRecordView& r : scratch.records) r.body = {};
    }
  }
  if (req.want_fields) {
    ByteReader st(scratch.raw[kColSeverityText]);
    for (size_t i = 0; i < rows; ++i) {
      if (!st.String(&scratch.records[i].severity_text)) return corrupt(kColSeverityText);
    }
    // Ids: decoded to hex in one buffer sized up front, so the views stay put.
    scratch.hex.clear();
    scratch.hex.reserve(rows * 48);
    for (size_t c : {size_t{kColTraceId}, size_t{kColSpanId}}) {
      ByteReader r(scratch.raw[c]);
      size_t raw_len = c == kColTraceId ? 16 : 8;
      for (size_t i = 0; i < rows; ++i) {
        uint8_t kind;
        std::string_view v;
        if (!r.Byte(&kind)) return corrupt(c);
        if (kind == 1) {
          std::string_view raw;
          if (!r.Bytes(raw_len, &raw)) return corrupt(c);
          if (!keep[i]) continue;
          size_t at = scratch.hex.size();
          if (at + raw_len * 2 > scratch.hex.capacity()) return corrupt(c);
          AppendHex(&scratch.hex, raw);
          v = std::string_view(scratch.hex).substr(at, raw_len * 2);
        } else if (kind == 2) {
          if (!r.String(&v)) return corrupt(c);
        } else if (kind != 0) {
          return corrupt(c);
        }
        (c == kColTraceId ? scratch.records[i].trace_id : scratch.records[i].span_id) = v;
      }
    }
    // Fields: the dedicated columns, then the rest, gathered per row (kept rows only).
    scratch.fields.clear();
    scratch.field_first.assign(rows + 1, 0);
    const size_t nf = meta_.field_columns.size();
    scratch.kept_index.assign(rows, 0);
    for (size_t k = 0; k < kept_rows.size(); ++k) {
      scratch.kept_index[kept_rows[k]] = static_cast<uint32_t>(k);
    }
    scratch.col_values.assign(kept_rows.size() * nf, {});
    scratch.col_present.assign(kept_rows.size() * nf, 0);
    for (size_t k = 0; k < nf; ++k) {
      if (!GatherRows(scratch.raw[kColFirstField + k], kept_rows, /*field=*/true,
                      [&](uint32_t i, std::string_view v) {
                        const size_t at = size_t{scratch.kept_index[i]} * nf + k;
                        scratch.col_values[at] = v;
                        scratch.col_present[at] = 1;
                      })) {
        return corrupt(kColFirstField + k);
      }
    }
    ByteReader other(scratch.raw[kColOtherFields]);
    const uint8_t* const kept_flags = keep.data();  // a local: stores below cannot move it
    for (size_t i = 0; i < rows; ++i) {
      scratch.field_first[i] = static_cast<uint32_t>(scratch.fields.size());
      uint64_t n;
      if (!other.Uvarint(&n) || n > other.remaining()) return corrupt(kColOtherFields);
      if (!kept_flags[i]) {  // stepped over: the shared column has no per-row lengths
        for (uint64_t j = 0; j < n; ++j) {
          uint64_t name;
          std::string_view value;
          if (!other.Uvarint(&name) || !other.String(&value)) return corrupt(kColOtherFields);
        }
        continue;
      }
      const size_t base = size_t{scratch.kept_index[i]} * nf;
      for (size_t k = 0; k < nf; ++k) {
        if (scratch.col_present[base + k]) {
          scratch.fields.push_back({meta_.field_columns[k], scratch.col_values[base + k]});
        }
      }
      for (uint64_t j = 0; j < n; ++j) {
        uint64_t name;
        std::string_view value;
        if (!other.Uvarint(&name) || name >= meta_.other_field_names.size() || !other.String(&value)) {
          return corrupt(kColOtherFields);
        }
        scratch.fields.push_back({meta_.other_field_names[name], value});
      }
    }
    scratch.field_first[rows] = static_cast<uint32_t>(scratch.fields.size());
    for (size_t i = 0; i < rows; ++i) {
      scratch.records[i].fields = std::span<const LogFieldView>(
          scratch.fields.data() + scratch.field_first[i], scratch.field_first[i + 1] - scratch.field_first[i]);
    }
  }
  // Emit the runs of matching streams, trimmed to the time range (and to kept rows).
  for (uint32_t s = b.first_stream; s <= b.last_stream; ++s) {
    if (!plan.matched[s]) continue;
    const StreamMeta& sm = meta_.streams[s];
    size_t lo = std::max<size_t>(sm.first_row, b.first_row) - b.first_row;
    size_t hi = std::min<size_t>(sm.first_row + sm.rows, b.first_row + b.rows) - b.first_row;
    if (lo >= hi) continue;
    auto first = scratch.records.begin() + lo, last = scratch.records.begin() + hi;
    auto by_time = [](const LogRecordView& r, int64_t t) { return r.timestamp_ns < t; };
    first = std::lower_bound(first, last, req.start_ns, by_time);
    last = std::lower_bound(first, last, req.end_ns, by_time);
    if (first == last) continue;
    if (!filtered) {
      if (!fn(sm.labels, std::span<const LogRecordView>(&*first, static_cast<size_t>(last - first)))) {
        return false;
      }
      continue;
    }
    scratch.selected.clear();
    for (auto it = first; it != last; ++it) {
      if (keep[static_cast<size_t>(it - scratch.records.begin())]) scratch.selected.push_back(*it);
    }
    if (!scratch.selected.empty() && !fn(sm.labels, scratch.selected)) return false;
  }
  return true;
}

}  // namespace vigil::logs
