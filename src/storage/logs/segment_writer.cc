#include "storage/logs/segment_writer.h"

#include <algorithm>
#include <array>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/coding.h"
#include "common/file_util.h"
#include "common/string_view_hash.h"
#include "common/strings.h"
#include "storage/bloom/bloom.h"
#include "storage/columnar/column_file.h"
#include "storage/logs/segment_format.h"
#include "storage/logs/tokenizer.h"

namespace vigil::logs {
namespace {

// Hex digits of a trace or span id, as raw bytes when they are lowercase hex of the expected
// length (what the decoders produce); anything else is kept verbatim after a marker.
// Lowercase hex digit values; 0xff for any other byte.
constexpr auto kNibbles = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xff);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
  return t;
}();

void PutId(std::string* out, std::string_view hex, size_t raw_len) {
  if (hex.empty()) {
    out->push_back(0);
    return;
  }
  if (hex.size() == raw_len * 2 && raw_len <= 16) {
    char raw[16];
    // Branch-free: a byte that is not a hex digit maps to 0xff, which sets the high bits.
    uint8_t bad = 0;
    for (size_t i = 0; i < raw_len; ++i) {
      const uint8_t hi = kNibbles[static_cast<uint8_t>(hex[2 * i])];
      const uint8_t lo = kNibbles[static_cast<uint8_t>(hex[2 * i + 1])];
      bad |= hi | lo;
      raw[i] = static_cast<char>(hi << 4 | (lo & 0x0f));
    }
    if ((bad & 0xf0) == 0) {
      out->push_back(1);
      out->append(raw, raw_len);
      return;
    }
  }
  out->push_back(2);
  PutString(out, hex);
}

// A frequent field name: its column, and its hash, the seed of its field=value Bloom keys.
struct FieldColumn {
  uint32_t column;
  uint64_t name_hash;
};

class BlockEncoder {
 public:
  BlockEncoder(const SegmentWriterOptions& o, const std::vector<std::string>& field_columns,
               const StringViewMap<FieldColumn>& field_column_index,
               StringViewMap<uint32_t>& other_index, std::vector<std::string>& other_names)
      : field_columns_(field_columns),
        field_column_index_(field_column_index),
        other_index_(other_index),
        other_names_(other_names),
        chunks_(o.zstd_level) {}

  columnar::ChunkWriter& chunks() { return chunks_; }

  // Encodes rows into `file` at its current end, filling `b`'s chunks.
  absl::Status Encode(std::span<const LogRecordView> rows, FileWriter& file, BlockMeta* b) {
    size_t ncols = kColFirstField + field_columns_.size();
    cols_.resize(ncols);
    lens_.resize(ncols);
    for (size_t c = 0; c < ncols; ++c) {
      cols_[c].clear();
      lens_[c].clear();
    }
    tokens_.clear();
    fields_.clear();
    int64_t prev = 0;
    for (const LogRecordView& r : rows) {
      PutVarint(&cols_[kColTimestamp], DeltaSub(r.timestamp_ns, prev));
      prev = r.timestamp_ns;
      cols_[kColSeverity].push_back(static_cast<char>(r.severity));
      PutString(&cols_[kColSeverityText], r.severity_text);
      PutUvarint(&lens_[kColBody], r.body.size());
      cols_[kColBody].append(r.body);
      PutId(&cols_[kColTraceId], r.trace_id, 16);
      PutId(&cols_[kColSpanId], r.span_id, 8);
      ForEachToken(r.body, [&](std::string_view t) { tokens_.insert(BloomHash(t)); });
      if (!r.trace_id.empty()) fields_.insert(BloomFieldHash("trace_id", r.trace_id));
      // Field columns: length + 1 per row (0 = absent), bytes after all lengths.
      row_has_.assign(field_columns_.size(), false);
      size_t others = 0;
      for (const LogFieldView& f : r.fields) {
        auto it = field_column_index_.find(f.name);
        const bool frequent = it != field_column_index_.end();
        fields_.insert(
            BloomValueHash(frequent ? it->second.name_hash : BloomHash(f.name), f.value));
        if (frequent && !row_has_[it->second.column]) {
          row_has_[it->second.column] = true;
          uint32_t c = kColFirstField + it->second.column;
          PutUvarint(&lens_[c], f.value.size() + 1);
          cols_[c].append(f.value);
        } else {
          ++others;
        }
      }
      for (size_t i = 0; i < field_columns_.size(); ++i) {
        if (!row_has_[i]) PutUvarint(&lens_[kColFirstField + i], 0);
      }
      std::string& other = cols_[kColOtherFields];
      PutUvarint(&other, others);
      if (others > 0) {
        for (const LogFieldView& f : r.fields) {
          auto it = field_column_index_.find(f.name);
          if (it != field_column_index_.end()) {
            // Only the first occurrence went to the column; a repeated name goes here.
            if (&f == FirstOf(r.fields, f.name)) continue;
          }
          auto [slot, added] =
              other_index_.try_emplace(f.name, static_cast<uint32_t>(other_names_.size()));
          if (added) other_names_.emplace_back(f.name);
          PutUvarint(&other, slot->second);
          PutString(&other, f.value);
        }
      }
    }
    b->columns.resize(ncols);
    for (size_t c = 0; c < ncols; ++c) {
      std::string* raw = &cols_[c];
      if (c == kColBody || c >= kColFirstField) {
        // Lengths first, so they compress apart from the bytes.
        joined_.clear();
        PutUvarint(&joined_, lens_[c].size());
        joined_.append(lens_[c]);
        joined_.append(cols_[c]);
        raw = &joined_;
      }
      if (absl::Status st = chunks_.WriteCompressed(*raw, file, &b->columns[c]); !st.ok()) {
        return st;
      }
    }
    // Body tokens at 8 bits a key: a text search reads the blocks anyway to check the line,
    // so a few more false positives cost little; field values (trace ids) keep 10, as a needle
    // search should read next to nothing.
    BloomBuilder tb(tokens_.size(), 8);
    for (uint64_t h : tokens_) tb.Add(h);
    BloomBuilder fb(fields_.size());
    for (uint64_t h : fields_) fb.Add(h);
    if (absl::Status st = chunks_.WriteRaw(tb.bytes(), file, &b->token_bloom); !st.ok()) {
      return st;
    }
    return chunks_.WriteRaw(fb.bytes(), file, &b->field_bloom);
  }

 private:
  static const LogFieldView* FirstOf(std::span<const LogFieldView> fields, std::string_view name) {
    for (const LogFieldView& f : fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  const std::vector<std::string>& field_columns_;
  const StringViewMap<FieldColumn>& field_column_index_;
  StringViewMap<uint32_t>& other_index_;
  std::vector<std::string>& other_names_;
  columnar::ChunkWriter chunks_;
  std::vector<std::string> cols_, lens_;
  std::string joined_;
  std::vector<bool> row_has_;
  absl::flat_hash_set<uint64_t, BloomKeyHasher> tokens_, fields_;
};

}  // namespace

absl::StatusOr<uint64_t> WriteSegment(const std::string& path, const std::vector<Labels>& streams,
                                      std::span<const SegmentRowInfo> rows, SegmentRowReader read,
                                      const SegmentWriterOptions& options) {
  const size_t nrows = rows.size();
  SegmentMeta meta;
  meta.rows = nrows;
  meta.min_time = INT64_MAX;
  meta.max_time = INT64_MIN;
  meta.streams.resize(streams.size());
  for (size_t s = 0; s < streams.size(); ++s) {
    meta.streams[s].labels = streams[s];
    meta.streams[s].min_time = INT64_MAX;
    meta.streams[s].max_time = INT64_MIN;
  }

  // Stream ranges, time bounds and block boundaries from the row infos alone.
  std::vector<size_t> block_starts;
  size_t block_rows = 0, block_body = 0;
  for (size_t i = 0; i < nrows; ++i) {
    const SegmentRowInfo& r = rows[i];
    StreamMeta& s = meta.streams[r.stream];
    if (s.rows == 0) s.first_row = static_cast<uint32_t>(i);
    s.rows++;
    s.min_time = std::min(s.min_time, r.timestamp_ns);
    s.max_time = std::max(s.max_time, r.timestamp_ns);
    meta.min_time = std::min(meta.min_time, r.timestamp_ns);
    meta.max_time = std::max(meta.max_time, r.timestamp_ns);
    meta.body_bytes += r.body_size;
    if (i == 0 || block_rows >= options.block_rows || block_body >= options.block_body_bytes) {
      block_starts.push_back(i);
      block_rows = 0;
      block_body = 0;
    }
    block_rows++;
    block_body += r.body_size;
  }
  for (const StreamMeta& s : meta.streams) {
    if (s.rows == 0) return absl::InvalidArgumentError("segment stream without rows");
  }
  // Field names by frequency, from a sample of rows (every row of a small segment). A name
  // the sample misses still gets stored, in the shared column.
  const size_t stride = nrows < 4096 ? 1 : 8;
  StringViewMap<uint64_t> counts;
  std::vector<LogFieldView> pool;
  size_t sampled = 0;
  for (size_t i = 0; i < nrows; i += stride) {
    LogRecordView r;
    pool.clear();
    read(i, &r, &pool);
    for (const LogFieldView& f : pool) counts[f.name]++;
    ++sampled;
  }
  std::vector<std::pair<std::string_view, uint64_t>> by_count(counts.begin(), counts.end());
  std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  StringViewMap<FieldColumn> column_index;
  StringViewMap<uint32_t> other_index;
  for (const auto& [name, n] : by_count) {
    if (meta.field_columns.size() < options.max_field_columns &&
        static_cast<double>(n) >= options.field_column_min_share * static_cast<double>(sampled)) {
      meta.field_columns.emplace_back(name);
    }
  }
  std::sort(meta.field_columns.begin(), meta.field_columns.end());
  for (size_t i = 0; i < meta.field_columns.size(); ++i) {
    column_index[meta.field_columns[i]] = {static_cast<uint32_t>(i),
                                           BloomHash(meta.field_columns[i])};
  }
  for (const auto& [name, n] : by_count) {
    // Names with a column still get a dictionary entry: a record may repeat a name.
    other_index[name] = static_cast<uint32_t>(meta.other_field_names.size());
    meta.other_field_names.emplace_back(name);
  }
  // Names outside the sample join the dictionary as the encoder meets them.

  // Pass 2: encode block by block.
  auto file = FileWriter::Create(path);
  if (!file.ok()) return file.status();
  if (absl::Status st = (*file)->Append(std::string(kSegmentMagic)); !st.ok()) return st;
  BlockEncoder encoder(options, meta.field_columns, column_index, other_index,
                       meta.other_field_names);
  std::vector<LogRecordView> records;
  std::vector<uint32_t> field_counts;
  block_starts.push_back(nrows);
  for (size_t k = 0; k + 1 < block_starts.size(); ++k) {
    size_t start = block_starts[k], end = block_starts[k + 1];
    records.assign(end - start, LogRecordView{});
    field_counts.assign(end - start, 0);
    pool.clear();
    for (size_t i = start; i < end; ++i) {
      size_t before = pool.size();
      read(i, &records[i - start], &pool);
      field_counts[i - start] = static_cast<uint32_t>(pool.size() - before);
    }
    size_t at = 0;
    for (size_t j = 0; j < records.size(); ++j) {
      records[j].fields = std::span<const LogFieldView>(pool.data() + at, field_counts[j]);
      at += field_counts[j];
    }
    BlockMeta b;
    b.first_row = static_cast<uint32_t>(start);
    b.rows = static_cast<uint32_t>(end - start);
    b.min_time = INT64_MAX;
    b.max_time = INT64_MIN;
    for (const LogRecordView& r : records) {
      b.min_time = std::min(b.min_time, r.timestamp_ns);
      b.max_time = std::max(b.max_time, r.timestamp_ns);
    }
    b.first_stream = rows[start].stream;
    b.last_stream = rows[end - 1].stream;
    if (absl::Status st = encoder.Encode(records, **file, &b); !st.ok()) return st;
    meta.blocks.push_back(std::move(b));
  }

  return encoder.chunks().Finish(EncodeSegmentMeta(meta), kSegmentVersion, kSegmentMagic, **file);
}

}  // namespace vigil::logs
