#include "storage/columnar/column_file.h"

#include "common/strings.h"
#include "storage/wal/crc32c.h"

namespace vigil::columnar {

void PutChunk(std::string* out, const Chunk& c) {
  PutUvarint(out, c.offset);
  PutUvarint(out, c.size);
  PutUvarint(out, c.raw_size);
  PutFixed32(out, c.crc);
}

bool GetChunk(ByteReader& r, Chunk* c) {
  return r.Uvarint(&c->offset) && GetU32(r, &c->size) && GetU32(r, &c->raw_size) &&
         r.Fixed32(&c->crc);
}

absl::Status ChunkWriter::WriteCompressed(std::string_view raw, FileWriter& file, Chunk* c) {
  out_.resize(ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compressCCtx(cctx_, out_.data(), out_.size(), raw.data(), raw.size(), level_);
  if (ZSTD_isError(n)) {
    return absl::InternalError(StrCat("zstd compression failed: ", ZSTD_getErrorName(n)));
  }
  out_.resize(n);
  absl::Status st = WriteRaw(out_, file, c);
  c->raw_size = static_cast<uint32_t>(raw.size());
  return st;
}

absl::Status ChunkWriter::WriteRaw(std::string_view bytes, FileWriter& file, Chunk* c) {
  c->offset = file.size();
  c->size = static_cast<uint32_t>(bytes.size());
  c->raw_size = c->size;
  c->crc = wal::Crc32c(bytes);
  return file.Append(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()),
                                              bytes.size()));
}

absl::StatusOr<uint64_t> ChunkWriter::Finish(std::string_view meta, uint32_t version,
                                             std::string_view magic, FileWriter& file) {
  Chunk packed;
  uint64_t meta_offset = file.size();
  if (absl::Status st = WriteCompressed(meta, file, &packed); !st.ok()) return st;
  std::string footer;
  PutFixed64(&footer, meta_offset);
  PutFixed32(&footer, packed.size);
  PutFixed32(&footer, packed.raw_size);
  PutFixed32(&footer, packed.crc);
  PutFixed32(&footer, version);
  footer.append(magic);
  if (absl::Status st = file.Append(footer); !st.ok()) return st;
  uint64_t size = file.size();
  if (absl::Status st = file.SyncAndClose(); !st.ok()) return st;
  return size;
}

namespace {

// Whether `frame` is a zstd frame declaring `size` bytes of content. Checked before the output
// buffer is sized, so a damaged size field cannot make a reader allocate gigabytes.
bool DeclaresSize(std::string_view frame, uint64_t size) {
  return ZSTD_getFrameContentSize(frame.data(), frame.size()) == size;
}

}  // namespace

absl::StatusOr<FooterContents> ReadFooter(const MappedFile& f, std::string_view magic,
                                          uint32_t min_version, uint32_t max_version,
                                          std::string_view what) {
  auto bad = [&](std::string_view why) {
    return absl::DataLossError(StrCat(what, " ", f.path(), ": ", why));
  };
  auto bytes = [&](uint64_t offset, uint64_t size) {
    return std::string_view(reinterpret_cast<const char*>(f.data().data()) + offset, size);
  };
  if (f.size() < magic.size() + kFooterBytes || bytes(0, magic.size()) != magic) {
    return bad("bad magic or too short");
  }
  ByteReader footer(bytes(f.size() - kFooterBytes, kFooterBytes));
  uint64_t meta_offset = 0;
  uint32_t meta_size = 0, meta_raw = 0, meta_crc = 0, got_version = 0;
  footer.Fixed64(&meta_offset);
  footer.Fixed32(&meta_size);
  footer.Fixed32(&meta_raw);
  footer.Fixed32(&meta_crc);
  footer.Fixed32(&got_version);
  if (got_version < min_version || got_version > max_version) {
    return bad(StrCat("unsupported version ", got_version));
  }
  if (meta_offset < magic.size() || meta_offset > f.size() ||
      meta_offset + meta_size + kFooterBytes != f.size()) {
    return bad("bad footer");
  }
  std::string_view packed = bytes(meta_offset, meta_size);
  if (wal::Crc32c(packed) != meta_crc) return bad("metadata checksum mismatch");
  FooterContents out;
  out.meta_offset = meta_offset;
  out.version = got_version;
  if (!DeclaresSize(packed, meta_raw)) return bad("metadata size does not match its frame");
  out.meta.resize(meta_raw);
  size_t n = ZSTD_decompress(out.meta.data(), out.meta.size(), packed.data(), packed.size());
  if (ZSTD_isError(n) || n != meta_raw) return bad("metadata does not decompress");
  return out;
}

absl::Status ChunkReader::Read(const MappedFile& f, const Chunk& c, std::string* out) {
  std::string_view stored = StoredBytes(f, c);
  if (wal::Crc32c(stored) != c.crc) {
    return absl::DataLossError(StrCat(f.path(), ": checksum mismatch in a chunk at ", c.offset));
  }
  if (!DeclaresSize(stored, c.raw_size)) {
    return absl::DataLossError(
        StrCat(f.path(), ": a chunk at ", c.offset, " does not match its recorded size"));
  }
  out->resize(c.raw_size);
  size_t n = ZSTD_decompressDCtx(dctx_, out->data(), out->size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != c.raw_size) {
    return absl::DataLossError(
        StrCat(f.path(), ": a chunk at ", c.offset, " does not decompress"));
  }
  return absl::OkStatus();
}

}  // namespace vigil::columnar
