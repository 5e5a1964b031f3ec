// The WAL's on-disk framing (docs/formats/wal.md): an 8-byte file header, then a sequence of
// frames, each `type:u8 | length:u32le | crc32c:u32le | payload`. The CRC covers the type and
// length bytes and the payload, so a flipped length is caught like a flipped payload bit.
// Segments and checkpoints share the framing and differ only in the header's kind byte.
//
// FrameReader reads one file front to back and stops at the first frame that is not intact,
// reporting why and where the valid prefix ends, so the caller can decide to truncate (torn
// tail of the newest segment) or skip (damage in an older file). Memory is bounded by the
// largest frame, which is itself bounded by the file size and kMaxRecordBytes.
//
// Thread-safety: FrameReader is single-threaded; the free functions are pure.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vigil::wal {

inline constexpr size_t kFileHeaderSize = 8;
inline constexpr size_t kFrameHeaderSize = 9;
// Records beyond this are refused on append; a frame claiming more is corruption.
inline constexpr uint32_t kMaxRecordBytes = 256u << 20;
inline constexpr uint8_t kFormatVersion = 1;

enum class FileKind : uint8_t { kSegment = 0, kCheckpoint = 1 };

// Frame types. Zero is never written, so a zero-filled (preallocated or torn) region is
// recognised as such. Only whole records are written today; 2..4 are reserved for
// first/middle/last fragments should records ever be split.
enum class FrameType : uint8_t { kZero = 0, kFull = 1 };

// "VWAL", version, kind, two zero bytes.
void AppendFileHeader(FileKind kind, std::string* out);
void AppendFrame(std::string_view record, std::string* out);
// The frame of `record` written at `out`, which has room for FrameBytes(record) bytes.
inline size_t FrameBytes(std::string_view record) { return kFrameHeaderSize + record.size(); }
void WriteFrame(std::string_view record, char* out);

class FrameReader {
  struct Key {
    explicit Key() = default;
  };

 public:
  // Fails only on an I/O error or a header from a newer format version (which must not be
  // mistaken for damage and truncated). A missing or damaged header is reported by Next().
  static absl::StatusOr<std::unique_ptr<FrameReader>> Open(const std::string& path, FileKind kind);
  FrameReader(Key, int fd, uint64_t size, std::string path, FileKind kind);  // use Open
  ~FrameReader();
  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;

  // The next intact record, valid until the next call. False at the end of the valid data:
  // then io_error() or corruption() say why, both empty at a clean end of file.
  bool Next(std::string_view* record);

  // A read failed: the file is not known to be damaged and must not be truncated.
  const std::string& io_error() const { return io_error_; }
  // What was wrong with the first bad frame, with its offset.
  const std::string& corruption() const { return corruption_; }
  // File offset just past the last intact frame (0 when even the header is bad).
  uint64_t valid_bytes() const { return valid_bytes_; }
  uint64_t file_bytes() const { return file_size_; }

 private:
  // Makes at least `n` unread bytes available in the buffer; false on a read error.
  bool Fill(size_t n);
  // Not OK for a read error or an unsupported version; damage is recorded in corruption_.
  absl::Status CheckHeader();
  void Corrupt(std::string msg);

  int fd_;
  uint64_t file_size_;
  std::string path_;
  FileKind kind_;
  bool done_ = false;
  std::string buf_;
  size_t begin_ = 0;         // first unread byte in buf_
  size_t end_ = 0;           // one past the last buffered byte
  uint64_t buf_offset_ = 0;  // file offset of buf_[0]
  uint64_t valid_bytes_ = 0;
  std::string io_error_;
  std::string corruption_;
};

}  // namespace vigil::wal
