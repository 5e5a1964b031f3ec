// The shape both segment kinds (logs, traces) share: an immutable file of zstd-compressed column
// chunks, then zstd-compressed metadata, then a fixed footer that finds the metadata:
//   meta offset (fixed64), meta size, meta raw size, meta CRC32C, format version (fixed32 each),
//   magic (8 bytes).
// Every stored chunk carries the CRC32C of its stored bytes, checked on read.
//
// Thread-safety: ChunkWriter and ChunkReader hold zstd contexts and scratch: one thread each.
// The free functions are pure.
#pragma once

#include <zstd.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/coding.h"
#include "common/file_util.h"

namespace vigil::columnar {

inline constexpr size_t kFooterBytes = 8 + 4 + 4 + 4 + 4 + 8;

// A byte range of the file: a zstd frame (raw_size is the decompressed size) or bytes stored as
// they are (raw_size == size).
struct Chunk {
  uint64_t offset = 0;
  uint32_t size = 0;
  uint32_t raw_size = 0;
  uint32_t crc = 0;  // CRC32C of the stored bytes
};

void PutChunk(std::string* out, const Chunk& c);
bool GetChunk(ByteReader& r, Chunk* c);
// A uvarint that must fit 32 bits. Inline: the trace and log readers call it per row.
inline bool GetU32(ByteReader& r, uint32_t* v) {
  uint64_t u;
  if (!r.Uvarint(&u) || u > UINT32_MAX) return false;
  *v = static_cast<uint32_t>(u);
  return true;
}

class ChunkWriter {
 public:
  explicit ChunkWriter(int zstd_level) : level_(zstd_level), cctx_(ZSTD_createCCtx()) {}
  ~ChunkWriter() { ZSTD_freeCCtx(cctx_); }
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  // Appends `raw` as one zstd frame and describes it in *c.
  absl::Status WriteCompressed(std::string_view raw, FileWriter& file, Chunk* c);
  // Appends `bytes` as they are.
  static absl::Status WriteRaw(std::string_view bytes, FileWriter& file, Chunk* c);
  // Appends the compressed metadata and the footer, syncs and closes the file; returns its size.
  absl::StatusOr<uint64_t> Finish(std::string_view meta, uint32_t version,
                                  std::string_view magic, FileWriter& file);

 private:
  int level_;
  ZSTD_CCtx* cctx_;
  std::string out_;
};

// Checks the magic at the start and the footer of `file` (a format version in [min_version,
// max_version]), and returns the decompressed metadata, the offset where it starts (chunks
// must end before it) and the version. `what` names the file kind in messages ("log segment").
struct FooterContents {
  std::string meta;
  uint64_t meta_offset = 0;
  uint32_t version = 0;
};
absl::StatusOr<FooterContents> ReadFooter(const MappedFile& file, std::string_view magic,
                                          uint32_t min_version, uint32_t max_version,
                                          std::string_view what);

class ChunkReader {
 public:
  ChunkReader() : dctx_(ZSTD_createDCtx()) {}
  ~ChunkReader() { ZSTD_freeDCtx(dctx_); }
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // Verifies and decompresses a zstd chunk of `file` into *out. DataLoss on a checksum mismatch
  // or a frame that does not decompress to raw_size bytes.
  absl::Status Read(const MappedFile& file, const Chunk& c, std::string* out);

 private:
  ZSTD_DCtx* dctx_;
};

// The stored bytes of a chunk (no checks).
inline std::string_view StoredBytes(const MappedFile& f, const Chunk& c) {
  return {reinterpret_cast<const char*>(f.data().data()) + c.offset, c.size};
}

}  // namespace vigil::columnar
