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

bool WireReader::ReadFixed64(uint64_t* v) {
  if (end_ - p_ < 8) return Fail("truncated fixed64");
  std::memcpy(v, p_, 8);  // protobuf is little-endian, as is every platform vigil targets
  p_ += 8;
  return true;
}

bool WireReader::ReadFixed32(uint32_t* v) {
  if (end_ - p_ < 4) return Fail("truncated fixed32");
  std::memcpy(v, p_, 4);
  p_ += 4;
  return true;
}

bool WireReader::ReadBytes(std::string_view* v) {
  uint64_t len;
  if (!ReadVarint(&len)) return false;
  if (len > static_cast<uint64_t>(end_ - p_)) return Fail("length-delimited field runs past the end");
  *v = std::string_view(p_, len);
  p_ += len;
  return true;
}

double WireReader::ReadDouble() {
  uint64_t bits = 0;
  ReadFixed64(&bits);
  return std::bit_cast<double>(bits);
}

bool WireReader::NextField(uint32_t* field, WireType* type) {
  if (done()) return false;
  uint64_t key;
  if (!ReadVarint(&key)) return false;
  *field = static_cast<uint32_t>(key >> 3);
  *type = static_cast<WireType>(key & 7);
  if (*field == 0 || key >> 3 > 0x1fffffff) return Fail("invalid field number");
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
