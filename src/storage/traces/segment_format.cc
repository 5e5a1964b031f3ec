#include "storage/traces/segment_format.h"

#include "common/coding.h"
#include "common/strings.h"
#include "xxhash.h"

namespace vigil::traces {
namespace {

using columnar::GetChunk;
using columnar::GetU32;
using columnar::PutChunk;

void PutTraceId(std::string* out, const TraceId& id) {
  PutFixed64(out, id.hi);
  PutFixed64(out, id.lo);
}

bool GetTraceId(ByteReader& r, TraceId* id) { return r.Fixed64(&id->hi) && r.Fixed64(&id->lo); }

}  // namespace

uint64_t TraceIdHash(const TraceId& id) {
  uint64_t words[2] = {id.hi, id.lo};
  return XXH3_64bits(words, sizeof(words));
}

std::string EncodeSegmentMeta(const SegmentMeta& m, uint32_t version) {
  std::string out;
  PutVarint(&out, m.min_start);
  PutVarint(&out, m.max_start);
  PutVarint(&out, m.max_end);
  PutUvarint(&out, m.rows);
  PutUvarint(&out, m.strings.size());
  for (const std::string& s : m.strings) PutString(&out, s);
  PutUvarint(&out, m.resources.size());
  for (const ResourceMeta& r : m.resources) {
    PutUvarint(&out, r.service);
    PutUvarint(&out, r.attributes.size());
    for (const ResourceMeta::Attribute& a : r.attributes) {
      PutUvarint(&out, a.key);
      out.push_back(static_cast<char>(a.type));
      PutString(&out, a.value);
    }
  }
  PutUvarint(&out, m.scopes.size());
  for (const ScopeMeta& s : m.scopes) {
    PutUvarint(&out, s.name);
    PutUvarint(&out, s.version);
  }
  PutUvarint(&out, m.blocks.size());
  for (const BlockMeta& b : m.blocks) {
    PutUvarint(&out, b.rows);
    PutTraceId(&out, b.min_trace);
    PutTraceId(&out, b.max_trace);
    PutVarint(&out, b.min_start);
    PutVarint(&out, b.max_start);
    PutVarint(&out, b.max_end);
    PutVarint(&out, b.max_duration);
    PutFixed64(&out, b.resource_bits);
    for (const Chunk& c : b.columns) PutChunk(&out, c);
    if (version == 1) continue;
    PutUvarint(&out, b.key_columns.size());
    for (const KeyColumn& k : b.key_columns) {
      PutUvarint(&out, k.key);
      PutChunk(&out, k.chunk);
    }
  }
  if (version == 1) {
    PutString(&out, m.sections.empty() ? std::string() : m.sections[0].trace_bloom);
    return out;
  }
  PutUvarint(&out, m.sections.size());
  for (const SectionMeta& s : m.sections) {
    PutUvarint(&out, s.blocks);
    PutString(&out, s.trace_bloom);
  }
  return out;
}

absl::StatusOr<SegmentMeta> DecodeSegmentMeta(std::string_view data, uint32_t version) {
  ByteReader r(data);
  SegmentMeta m;
  auto bad = [&](std::string_view what) {
    return absl::DataLossError(StrCat("trace segment metadata: ", what, " at byte ", r.offset()));
  };
  if (!r.Varint(&m.min_start) || !r.Varint(&m.max_start) || !r.Varint(&m.max_end) ||
      !r.Uvarint(&m.rows)) {
    return bad("truncated header");
  }
  uint64_t n;
  if (!r.Uvarint(&n) || n > r.remaining()) return bad("bad string count");
  m.strings.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!r.String(&s)) return bad("truncated string");
    m.strings.emplace_back(s);
  }
  const size_t strings = m.strings.size();
  auto string_id = [&](uint32_t* id) { return GetU32(r, id) && *id < strings; };
  if (!r.Uvarint(&n) || n > r.remaining()) return bad("bad resource count");
  m.resources.resize(n);
  for (ResourceMeta& res : m.resources) {
    uint64_t na;
    if (!string_id(&res.service) || !r.Uvarint(&na) || na > r.remaining()) {
      return bad("bad resource");
    }
    res.attributes.resize(na);
    for (ResourceMeta::Attribute& a : res.attributes) {
      uint8_t type;
      std::string_view value;
      if (!string_id(&a.key) || !r.Byte(&type) || !r.String(&value) ||
          type > static_cast<uint8_t>(AttributeType::kKvList)) {
        return bad("bad resource attribute");
      }
      a.type = static_cast<AttributeType>(type);
      a.value = value;
    }
  }
  if (!r.Uvarint(&n) || n > r.remaining()) return bad("bad scope count");
  m.scopes.resize(n);
  for (ScopeMeta& s : m.scopes) {
    if (!string_id(&s.name) || !string_id(&s.version)) return bad("bad scope");
  }
  if (!r.Uvarint(&n) || n > r.remaining()) return bad("bad block count");
  m.blocks.resize(n);
  uint64_t rows = 0;
  for (BlockMeta& b : m.blocks) {
    if (!GetU32(r, &b.rows) || !GetTraceId(r, &b.min_trace) || !GetTraceId(r, &b.max_trace) ||
        !r.Varint(&b.min_start) || !r.Varint(&b.max_start) || !r.Varint(&b.max_end) ||
        !r.Varint(&b.max_duration) || !r.Fixed64(&b.resource_bits)) {
      return bad("truncated block");
    }
    for (Chunk& c : b.columns) {
      if (!GetChunk(r, &c)) return bad("truncated column");
    }
    if (version >= 2) {
      uint64_t keys;
      if (!r.Uvarint(&keys) || keys > kMaxKeyColumns) return bad("bad key column count");
      b.key_columns.resize(keys);
      for (KeyColumn& k : b.key_columns) {
        if (!string_id(&k.key) || !GetChunk(r, &k.chunk)) return bad("bad key column");
      }
    }
    if (b.rows == 0 || b.rows > kBlockRows || b.max_trace < b.min_trace) {
      return bad("bad block bounds");
    }
    rows += b.rows;
  }
  if (rows != m.rows) return bad("block rows do not add up");
  if (version == 1) {
    std::string_view bloom;
    if (!r.String(&bloom)) return bad("truncated trace-id filter");
    m.sections.push_back({0, static_cast<uint32_t>(m.blocks.size()), std::string(bloom)});
  } else {
    if (!r.Uvarint(&n) || n > r.remaining()) return bad("bad section count");
    m.sections.resize(n);
    uint64_t next_block = 0;
    for (SectionMeta& s : m.sections) {
      std::string_view bloom;
      if (!GetU32(r, &s.blocks) || s.blocks > m.blocks.size() - next_block ||
          !r.String(&bloom)) {
        return bad("bad section");
      }
      s.first_block = static_cast<uint32_t>(next_block);
      s.trace_bloom = bloom;
      next_block += s.blocks;
    }
    if (next_block != m.blocks.size()) return bad("sections do not cover the blocks");
  }
  if (r.remaining() != 0) return bad("trailing bytes");
  return m;
}

}  // namespace vigil::traces
