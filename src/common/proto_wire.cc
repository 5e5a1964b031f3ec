#include "common/proto_wire.h"

#include <bit>

#include "common/coding.h"
#include "common/strings.h"

namespace vigil::proto {

bool WireReader::Fail(const char* what) {
  if (!failed_) {
    failed_ = true;
    error_ = StrCat(what, " at byte ", offset());
  }
  return false;
}

bool WireReader::FailWith(std::string message) {
  if (!failed_) {
    failed_ = true;
    error_ = std::move(message);
  }
  return false;
}

bool WireReader::ReadVarintSlow(uint64_t* v) {
  const auto* p = reinterpret_cast<const uint8_t*>(p_);
  const auto* end = reinterpret_cast<const uint8_t*>(end_);
  if (!DecodeUvarint(&p, end, v)) return Fail(p >= end ? "truncated varint" : "malformed varint");
  p_ = reinterpret_cast<const char*>(p);
  return true;
}

bool WireReader::Skip(WireType type) {
  uint64_t u64;
  uint32_t u32;
  std::string_view bytes;
  switch (type) {
    case kVarint: return ReadVarint(&u64);
    case kFixed64: return ReadFixed64(&u64);
    case kFixed32: return ReadFixed32(&u32);
    case kLengthDelimited: return ReadBytes(&bytes);
    default: return Fail("unsupported wire type (groups are not used by these protocols)");
  }
}

void WireWriter::Varint(uint64_t v) { PutUvarint(out_, v); }

void WireWriter::DoubleField(uint32_t field, double v) { Fixed64Field(field, std::bit_cast<uint64_t>(v)); }

void WireWriter::Fixed64Field(uint32_t field, uint64_t v) {
  Tag(field, kFixed64);
  char buf[8];
  std::memcpy(buf, &v, 8);
  out_->append(buf, 8);
}

size_t WireWriter::BeginMessage(uint32_t field) {
  Tag(field, kLengthDelimited);
  // Reserve a 5-byte varint (enough for 4 GiB) and back-patch it; a padded varint is valid.
  size_t pos = out_->size();
  out_->append(5, '\x80');
  return pos;
}

void WireWriter::EndMessage(size_t token) {
  uint64_t len = out_->size() - token - 5;
  for (int i = 0; i < 5; ++i) {
    uint8_t b = static_cast<uint8_t>(len & 0x7f);
    len >>= 7;
    if (i < 4) b |= 0x80;
    (*out_)[token + i] = static_cast<char>(b);
  }
}

}  // namespace vigil::proto
