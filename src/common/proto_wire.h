// Minimal protobuf wire-format reading and writing, for the hot ingest paths (remote_write,
// Loki push) where decoding into generated message classes would allocate a string per label.
// Readers return views into the input buffer; every read is bounds-checked and a malformed
// input sets an error instead of reading past the end.
//
// Thread-safety: value types, no shared state.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vigil::proto {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kStartGroup = 3,
                           kEndGroup = 4, kFixed32 = 5 };

class WireReader {
 public:
  explicit WireReader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()), begin_(p_) {}

  bool done() const { return p_ >= end_ || failed_; }
  bool failed() const { return failed_; }
  // What went wrong and where (offset into this reader's buffer).
  const std::string& error() const { return error_; }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }

  // Reads the next field key. False at the end of input or on error. The common cases of
  // these readers are inline: they run for every field of every ingested message.
  bool NextField(uint32_t* field, WireType* type) {
    if (done()) return false;
    uint64_t key;
    if (!ReadVarint(&key)) return false;
    *field = static_cast<uint32_t>(key >> 3);
    *type = static_cast<WireType>(key & 7);
    if (*field == 0 || key >> 3 > 0x1fffffff) return Fail("invalid field number");
    return true;
  }
  bool ReadVarint(uint64_t* v) {
    // One-byte varints (field keys, small lengths) dominate protobuf input: decode them
    // inline and leave the general case out of line.
    if (p_ < end_ && static_cast<uint8_t>(*p_) < 0x80) {
      *v = static_cast<uint8_t>(*p_++);
      return true;
    }
    return ReadVarintSlow(v);
  }
  bool ReadFixed64(uint64_t* v) {
    if (end_ - p_ < 8) return Fail("truncated fixed64");
    std::memcpy(v, p_, 8);  // protobuf is little-endian, as is every platform vigil targets
    p_ += 8;
    return true;
  }
  bool ReadFixed32(uint32_t* v) {
    if (end_ - p_ < 4) return Fail("truncated fixed32");
    std::memcpy(v, p_, 4);
    p_ += 4;
    return true;
  }
  // A length-delimited payload.
  bool ReadBytes(std::string_view* v) {
    uint64_t len;
    if (!ReadVarint(&len)) return false;
    if (len > static_cast<uint64_t>(end_ - p_)) return Fail("length-delimited field runs past the end");
    *v = std::string_view(p_, len);
    p_ += len;
    return true;
  }
  // A fixed64 as an IEEE double (0 on error).
  double ReadDouble() {
    uint64_t bits = 0;
    ReadFixed64(&bits);
    return std::bit_cast<double>(bits);
  }
  // Skips a field of the given wire type (unknown fields are allowed by protobuf).
  bool Skip(WireType type);
  bool ReadVarintSlow(uint64_t* v);
  bool Fail(const char* what);  // records what, with this reader's position
  bool FailWith(std::string message);  // records a nested reader's error as is

 private:
  const char* p_;
  const char* end_;
  const char* begin_;
  bool failed_ = false;
  std::string error_;
};

// Appending writer, used by clients and tests that build requests.
class WireWriter {
 public:
  explicit WireWriter(std::string* out) : out_(out) {}
  void Varint(uint64_t v);
  void Tag(uint32_t field, WireType type) { Varint((uint64_t{field} << 3) | type); }
  void VarintField(uint32_t field, uint64_t v) {
    Tag(field, kVarint);
    Varint(v);
  }
  void DoubleField(uint32_t field, double v);
  void Fixed64Field(uint32_t field, uint64_t v);
  void BytesField(uint32_t field, std::string_view v) {
    Tag(field, kLengthDelimited);
    Varint(v.size());
    out_->append(v);
  }
  // Nested messages: write the payload into a scratch string and call BytesField, or
  // reserve with BeginMessage/EndMessage which back-patches the length.
  size_t BeginMessage(uint32_t field);
  void EndMessage(size_t token);

 private:
  std::string* out_;
};

// The wire type's name, for decoders' error messages.
inline std::string_view WireTypeName(WireType t) {
  switch (t) {
    case kVarint:
      return "varint";
    case kFixed64:
      return "fixed64";
    case kLengthDelimited:
      return "length-delimited";
    case kStartGroup:
      return "group start";
    case kEndGroup:
      return "group end";
    case kFixed32:
      return "fixed32";
  }
  return "invalid";
}

}  // namespace vigil::proto
