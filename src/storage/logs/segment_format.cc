#include "storage/logs/segment_format.h"

#include "common/coding.h"
#include "common/strings.h"

namespace vigil::logs {
namespace {

using columnar::GetChunk;
using columnar::GetU32;
using columnar::PutChunk;

bool GetStrings(ByteReader& r, std::vector<std::string>* out) {
  uint64_t n;
  if (!r.Uvarint(&n) || n > r.remaining()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!r.String(&s)) return false;
    out->emplace_back(s);
  }
  return true;
}

void PutStrings(std::string* out, const std::vector<std::string>& v) {
  PutUvarint(out, v.size());
  for (const std::string& s : v) PutString(out, s);
}

}  // namespace

std::string EncodeSegmentMeta(const SegmentMeta& m) {
  std::string out;
  PutVarint(&out, m.min_time);
  PutVarint(&out, m.max_time);
  PutUvarint(&out, m.rows);
  PutUvarint(&out, m.body_bytes);
  PutStrings(&out, m.field_columns);
  PutStrings(&out, m.other_field_names);
  PutUvarint(&out, m.streams.size());
  for (const StreamMeta& s : m.streams) {
    PutUvarint(&out, s.labels.size());
    for (const LabelView& l : s.labels) {
      PutString(&out, l.name);
      PutString(&out, l.value);
    }
    PutUvarint(&out, s.first_row);
    PutUvarint(&out, s.rows);
    PutVarint(&out, s.min_time);
    PutVarint(&out, s.max_time);
  }
  PutUvarint(&out, m.blocks.size());
  for (const BlockMeta& b : m.blocks) {
    PutUvarint(&out, b.first_row);
    PutUvarint(&out, b.rows);
    PutVarint(&out, b.min_time);
    PutVarint(&out, b.max_time);
    PutUvarint(&out, b.first_stream);
    PutUvarint(&out, b.last_stream);
    PutUvarint(&out, b.columns.size());
    for (const Chunk& c : b.columns) PutChunk(&out, c);
    PutChunk(&out, b.token_bloom);
    PutChunk(&out, b.field_bloom);
  }
  return out;
}

absl::StatusOr<SegmentMeta> DecodeSegmentMeta(std::string_view data) {
  ByteReader r(data);
  SegmentMeta m;
  auto bad = [&](std::string_view what) {
    return absl::DataLossError(StrCat("segment metadata: ", what, " at byte ", r.offset()));
  };
  if (!r.Varint(&m.min_time) || !r.Varint(&m.max_time) || !r.Uvarint(&m.rows) ||
      !r.Uvarint(&m.body_bytes)) {
    return bad("truncated header");
  }
  if (!GetStrings(r, &m.field_columns) || !GetStrings(r, &m.other_field_names)) {
    return bad("bad field dictionary");
  }
  uint64_t n;
  if (!r.Uvarint(&n) || n > r.remaining()) return bad("bad stream count");
  std::vector<LabelView> labels;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t nl;
    if (!r.Uvarint(&nl) || nl > r.remaining()) return bad("bad label count");
    labels.clear();
    for (uint64_t j = 0; j < nl; ++j) {
      LabelView l;
      if (!r.String(&l.name) || !r.String(&l.value)) return bad("truncated labels");
      if (!labels.empty() && !(labels.back().name < l.name)) return bad("unsorted labels");
      labels.push_back(l);
    }
    StreamMeta s;
    s.labels = Labels::FromViews(labels);
    if (!GetU32(r, &s.first_row) || !GetU32(r, &s.rows) || !r.Varint(&s.min_time) ||
        !r.Varint(&s.max_time)) {
      return bad("truncated stream");
    }
    if (uint64_t{s.first_row} + s.rows > m.rows) return bad("stream rows out of range");
    m.streams.push_back(std::move(s));
  }
  if (!r.Uvarint(&n) || n > r.remaining()) return bad("bad block count");
  size_t columns = kColFirstField + m.field_columns.size();
  for (uint64_t i = 0; i < n; ++i) {
    BlockMeta b;
    uint64_t nc;
    if (!GetU32(r, &b.first_row) || !GetU32(r, &b.rows) || !r.Varint(&b.min_time) ||
        !r.Varint(&b.max_time) || !GetU32(r, &b.first_stream) || !GetU32(r, &b.last_stream) ||
        !r.Uvarint(&nc)) {
      return bad("truncated block");
    }
    if (nc != columns) return bad("wrong column count");
    b.columns.resize(nc);
    for (Chunk& c : b.columns) {
      if (!GetChunk(r, &c)) return bad("truncated column");
    }
    if (!GetChunk(r, &b.token_bloom) || !GetChunk(r, &b.field_bloom)) return bad("truncated bloom");
    if (uint64_t{b.first_row} + b.rows > m.rows || b.first_stream > b.last_stream ||
        b.last_stream >= m.streams.size()) {
      return bad("block out of range");
    }
    m.blocks.push_back(std::move(b));
  }
  if (r.remaining() != 0) return bad("trailing bytes");
  return m;
}

}  // namespace vigil::logs
