#include "storage/metrics/block/block_writer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <numeric>
#include <system_error>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "common/strings.h"
#include "storage/metrics/block/block_id.h"
#include "common/file_util.h"
#include "storage/metrics/block/format.h"
#include "storage/metrics/chunkenc/chunk.h"

namespace vigil::block {
namespace fs = std::filesystem;

VectorSeriesSource::VectorSeriesSource(std::vector<OwnedSeries> series)
    : series_(std::move(series)) {
  std::sort(series_.begin(), series_.end(),
            [](const OwnedSeries& a, const OwnedSeries& b) { return a.labels < b.labels; });
}

absl::StatusOr<bool> VectorSeriesSource::Next(Labels* labels, std::vector<ChunkData>* chunks) {
  if (next_ >= series_.size()) return false;
  const OwnedSeries& s = series_[next_++];
  *labels = s.labels;
  chunks->clear();
  for (const auto& c : s.chunks) chunks->push_back({c.mint, c.maxt, c.bytes, c.encoding});
  return true;
}

namespace {

std::string SegmentName(uint32_t seq) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%06u", seq);
  return buf;
}

void FileHeader(Encoder* e, uint32_t magic, uint8_t version) {
  e->U32(magic);
  e->U8(version);
  e->U8(0);
  e->U8(0);
  e->U8(0);
}

// Appends chunk records to numbered segment files, starting a new file when one is full.
class ChunkSegmentWriter {
 public:
  explicit ChunkSegmentWriter(std::string dir) : dir_(std::move(dir)) {}

  absl::StatusOr<uint64_t> Write(const ChunkData& c) {
    rec_.clear();
    rec_.Uvarint(c.bytes.size());
    size_t csum_from = rec_.size();
    rec_.U8(static_cast<uint8_t>(c.encoding));
    rec_.Bytes(c.bytes);
    rec_.U32(Checksum32(std::span(rec_.buf()).subspan(csum_from)));
    if (file_ == nullptr || file_->size() + rec_.size() > kMaxSegmentSize) {
      if (auto s = Cut(); !s.ok()) return s;
    }
    uint64_t ref = MakeChunkRef(seq_, static_cast<uint32_t>(file_->size()));
    if (auto s = file_->Append(rec_.buf()); !s.ok()) return s;
    return ref;
  }

  absl::Status Close() {
    if (file_ == nullptr) return absl::OkStatus();
    auto s = file_->SyncAndClose();
    file_.reset();
    return s;
  }

 private:
  absl::Status Cut() {
    if (auto s = Close(); !s.ok()) return s;
    if (seq_ == std::numeric_limits<uint32_t>::max()) {
      return absl::ResourceExhaustedError("too many chunk segments");
    }
    auto f = FileWriter::Create(dir_ + "/" + SegmentName(++seq_));
    if (!f.ok()) return f.status();
    file_ = std::move(*f);
    Encoder h;
    FileHeader(&h, kChunksMagic, kChunksVersion);
    return file_->Append(h.buf());
  }

  std::string dir_;
  std::unique_ptr<FileWriter> file_;
  uint32_t seq_ = 0;
  Encoder rec_;
};

struct PendingChunk {
  int64_t mint;
  int64_t maxt;
  uint64_t ref;
};

// Everything the index needs, collected while the chunks stream to disk. Label strings are
// interned once; series refer to them by first-seen id until the symbol table is sorted.
class IndexBuilder {
 public:
  void AddSeries(const Labels& labels, std::span<const PendingChunk> chunks) {
    for (const auto& l : labels) {
      label_ids_.push_back(Intern(l.name));
      label_ids_.push_back(Intern(l.value));
    }
    label_end_.push_back(static_cast<uint32_t>(label_ids_.size()));
    chunks_.insert(chunks_.end(), chunks.begin(), chunks.end());
    chunk_end_.push_back(chunks_.size());
  }

  size_t num_series() const { return label_end_.size(); }

  absl::Status Write(const std::string& path) {
    // Sort the symbols; remap[first-seen id] = sorted ref.
    std::vector<uint32_t> order(symbols_.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return *symbols_[a] < *symbols_[b]; });
    std::vector<uint32_t> remap(symbols_.size());
    for (uint32_t i = 0; i < order.size(); ++i) remap[order[i]] = i;

    auto f = FileWriter::Create(path);
    if (!f.ok()) return f.status();
    file_ = std::move(*f);
    Encoder e;
    FileHeader(&e, kIndexMagic, kIndexVersion);
    if (auto s = file_->Append(e.buf()); !s.ok()) return s;

    // Symbols.
    e.clear();
    e.Uvarint(symbols_.size());
    for (uint32_t id : order) {
      e.Uvarint(symbols_[id]->size());
      e.Bytes(*symbols_[id]);
    }
    if (auto s = Section(kSymbolsSection, &e); !s.ok()) return s;

    // Series entries, their offsets, and postings per (name ref, value ref).
    absl::flat_hash_map<uint64_t, std::vector<uint32_t>> postings;
    Encoder offsets;
    e.clear();
    uint32_t lbegin = 0;
    size_t cbegin = 0;
    for (uint32_t s = 0; s < num_series(); ++s) {
      offsets.U64(e.size());
      uint32_t lend = label_end_[s];
      e.Uvarint((lend - lbegin) / 2);
      for (uint32_t i = lbegin; i < lend; i += 2) {
        uint32_t n = remap[label_ids_[i]], v = remap[label_ids_[i + 1]];
        e.Uvarint(n);
        e.Uvarint(v);
        postings[(uint64_t{n} << 32) | v].push_back(s);
      }
      size_t cend = chunk_end_[s];
      e.Uvarint(cend - cbegin);
      uint64_t prev_maxt = 0, prev_ref = 0;
      for (size_t i = cbegin; i < cend; ++i) {
        const PendingChunk& c = chunks_[i];
        // mint as a delta from the previous chunk's maxt, maxt as a delta from mint, the ref
        // as a delta from the previous ref (refs ascend within a series), all mod 2^64.
        e.Varint(static_cast<int64_t>(static_cast<uint64_t>(c.mint) - prev_maxt));
        e.Uvarint(static_cast<uint64_t>(c.maxt) - static_cast<uint64_t>(c.mint));
        e.Uvarint(c.ref - prev_ref);
        prev_maxt = static_cast<uint64_t>(c.maxt);
        prev_ref = c.ref;
      }
      lbegin = lend;
      cbegin = cend;
    }
    if (auto s = Section(kSeriesSection, &e); !s.ok()) return s;
    if (auto s = Section(kSeriesOffsetsSection, &offsets); !s.ok()) return s;

    std::vector<uint64_t> keys;
    keys.reserve(postings.size());
    for (const auto& [k, _] : postings) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    Encoder table, names;
    e.clear();
    uint32_t cur_name = 0, first = 0;
    for (uint32_t i = 0; i < keys.size(); ++i) {
      uint32_t n = static_cast<uint32_t>(keys[i] >> 32);
      table.U32(n);
      table.U32(static_cast<uint32_t>(keys[i]));
      table.U64(e.size());
      const auto& list = postings[keys[i]];
      e.Uvarint(list.size());
      uint32_t prev = 0;
      for (uint32_t id : list) {
        e.Uvarint(id - prev);
        prev = id;
      }
      if (i > 0 && n != cur_name) {
        names.U32(cur_name);
        names.U32(first);
        names.U32(i - first);
        first = i;
      }
      cur_name = n;
    }
    if (!keys.empty()) {
      names.U32(cur_name);
      names.U32(first);
      names.U32(static_cast<uint32_t>(keys.size()) - first);
    }
    if (auto s = Section(kPostingsSection, &e); !s.ok()) return s;
    if (auto s = Section(kPostingsTableSection, &table); !s.ok()) return s;
    if (auto s = Section(kLabelNamesSection, &names); !s.ok()) return s;

    // Footer.
    e.clear();
    for (const auto& sec : sections_) {
      e.U64(sec.offset);
      e.U64(sec.length);
      e.U64(sec.checksum);
    }
    e.U64(num_series());
    e.U64(symbols_.size());
    e.U64(Checksum64(e.buf()));
    FileHeader(&e, kIndexMagic, kIndexVersion);
    if (auto s = file_->Append(e.buf()); !s.ok()) return s;
    return file_->SyncAndClose();
  }

 private:
  struct SectionInfo {
    uint64_t offset = 0, length = 0, checksum = 0;
  };

  uint32_t Intern(std::string_view s) {
    auto [it, inserted] =
        symbol_ids_.try_emplace(absl::string_view(s.data(), s.size()), static_cast<uint32_t>(symbols_.size()));
    if (inserted) symbols_.push_back(&it->first);
    return it->second;
  }

  absl::Status Section(int idx, Encoder* e) {
    sections_[idx] = {file_->size(), e->size(), Checksum64(e->buf())};
    return file_->Append(e->buf());
  }

  // A node map: symbols_ points at its keys, which must not move on rehash.
  absl::node_hash_map<std::string, uint32_t> symbol_ids_;
  std::vector<const std::string*> symbols_;  // by first-seen id, pointing into symbol_ids_
  std::vector<uint32_t> label_ids_;          // name, value, name, value … for all series
  std::vector<uint32_t> label_end_;
  std::vector<PendingChunk> chunks_;
  std::vector<size_t> chunk_end_;
  std::unique_ptr<FileWriter> file_;
  SectionInfo sections_[kNumSections];
};

// Re-encodes one series' chunks as dense chunks (BlockWriteOptions::dense_chunks).
class DenseRechunker {
 public:
  explicit DenseRechunker(uint32_t max_samples) : max_(max_samples) {}

  // Replaces *chunks by their dense form; the new chunks' bytes live in this object until the
  // next call.
  absl::Status Rechunk(const Labels& labels, std::vector<ChunkData>* chunks) {
    in_.swap(*chunks);
    chunks->clear();
    owned_.clear();
    run_.clear();
    for (const ChunkData& c : in_) {
      if (c.encoding == chunkenc::Encoding::kDense) {
        auto n = chunkenc::ChunkNumSamples(c.encoding, c.bytes);
        if (!n.ok()) return Corrupt(labels, n.status());
        if (*n >= (max_ + 1) / 2 && *n <= max_) {
          if (auto s = FlushRun(chunks); !s.ok()) return s;
          chunks->push_back(c);
          continue;
        }
      }
      if (auto s = chunkenc::DecodeChunk(c.encoding, c.bytes, &run_); !s.ok()) {
        return Corrupt(labels, s);
      }
    }
    return FlushRun(chunks);
  }

 private:
  static absl::Status Corrupt(const Labels& labels, const absl::Status& s) {
    return absl::DataLossError(
        StrCat("series ", labels.ToString(), ": ", ToStd(s.message())));
  }

  // Encodes the pending samples as evenly sized chunks of at most max_ samples.
  absl::Status FlushRun(std::vector<ChunkData>* out) {
    absl::Status s = AppendDenseChunks(run_, max_, &encoder_, &owned_, out);
    run_.clear();
    return s;
  }

  uint32_t max_;
  chunkenc::DenseChunkEncoder encoder_;
  std::vector<ChunkData> in_;
  std::vector<Sample> run_;
  std::vector<std::vector<uint8_t>> owned_;
};

absl::Status FsError(const char* what, const std::string& path, const std::error_code& ec) {
  return absl::InternalError(StrCat(what, " ", path, ": ", ec.message()));
}

absl::StatusOr<BlockMeta> WriteBlockTo(const std::string& tmp, const BlockMeta& in,
                                       SeriesSource& source, const BlockWriteOptions& options) {
  std::error_code ec;
  fs::create_directories(tmp + "/chunks", ec);
  if (ec) return FsError("create", tmp, ec);

  BlockMeta meta = in;
  meta.stats = {};
  ChunkSegmentWriter chunks(tmp + "/chunks");
  IndexBuilder index;
  Labels labels, prev;
  std::vector<ChunkData> data;
  std::vector<PendingChunk> pending;
  DenseRechunker rechunker(options.max_samples_per_chunk);
  int64_t mint = std::numeric_limits<int64_t>::max(), maxt = std::numeric_limits<int64_t>::min();
  while (true) {
    data.clear();
    auto more = source.Next(&labels, &data);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (data.empty()) continue;
    if (labels.empty()) return absl::InvalidArgumentError("series without labels");
    if (index.num_series() > 0 && !(prev < labels)) {
      return absl::InvalidArgumentError(StrCat("series out of order: ", labels.ToString(),
                                               " after ", prev.ToString()));
    }
    if (index.num_series() >= std::numeric_limits<uint32_t>::max()) {
      return absl::ResourceExhaustedError("too many series for one block");
    }
    for (size_t i = 0; i < data.size(); ++i) {
      const ChunkData& c = data[i];
      if (c.mint > c.maxt || (i > 0 && c.mint < data[i - 1].mint)) {
        return absl::InvalidArgumentError(
            StrCat("bad chunk time range or order in ", labels.ToString()));
      }
      if (!chunkenc::IsKnownEncoding(static_cast<uint8_t>(c.encoding))) {
        return absl::InvalidArgumentError(StrCat("unknown chunk encoding ",
                                                 static_cast<int>(c.encoding), " in ",
                                                 labels.ToString()));
      }
    }
    if (options.dense_chunks) {
      if (auto s = rechunker.Rechunk(labels, &data); !s.ok()) return s;
      if (data.empty()) continue;  // only empty chunks
    }
    pending.clear();
    for (size_t i = 0; i < data.size(); ++i) {
      const ChunkData& c = data[i];
      if (c.bytes.size() > kMaxSegmentSize - kFileHeaderSize - 32) {
        return absl::InvalidArgumentError("chunk too large");
      }
      auto ref = chunks.Write(c);
      if (!ref.ok()) return ref.status();
      pending.push_back({c.mint, c.maxt, *ref});
      if (auto n = chunkenc::ChunkNumSamples(c.encoding, c.bytes); n.ok()) {
        meta.stats.num_samples += *n;
      }
      mint = std::min(mint, c.mint);
      maxt = std::max(maxt, c.maxt);
    }
    meta.stats.num_chunks += pending.size();
    index.AddSeries(labels, pending);
    std::swap(prev, labels);
  }
  if (auto s = chunks.Close(); !s.ok()) return s;
  meta.stats.num_series = index.num_series();
  if (auto s = index.Write(tmp + "/index"); !s.ok()) return s;

  if (meta.min_time == kUnsetTime) meta.min_time = meta.stats.num_chunks ? mint : 0;
  if (meta.max_time == kUnsetTime) {
    meta.max_time = meta.stats.num_chunks == 0 ? 0
                    : maxt == std::numeric_limits<int64_t>::max() ? maxt
                                                                  : maxt + 1;
  }
  if (meta.stats.num_series > 0 && meta.min_time >= meta.max_time) {
    return absl::InvalidArgumentError("block min_time must be below max_time");
  }
  if (auto s = WriteFileSync(tmp + "/meta.json", EncodeBlockMeta(meta)); !s.ok()) return s;
  if (auto s = SyncDir(tmp + "/chunks"); !s.ok()) return s;
  if (auto s = SyncDir(tmp); !s.ok()) return s;
  return meta;
}

}  // namespace

absl::Status AppendDenseChunks(std::span<const Sample> samples, uint32_t max_samples,
                               chunkenc::DenseChunkEncoder* encoder,
                               std::vector<std::vector<uint8_t>>* owned,
                               std::vector<ChunkData>* out) {
  const size_t n = samples.size();
  if (n == 0) return absl::OkStatus();
  if (max_samples == 0) return absl::InvalidArgumentError("max_samples must be positive");
  const size_t parts = (n + max_samples - 1) / max_samples;
  for (size_t p = 0, begin = 0; p < parts; ++p) {
    const size_t size = n / parts + (p < n % parts ? 1 : 0);
    std::span<const Sample> part = samples.subspan(begin, size);
    begin += size;
    std::vector<uint8_t> bytes;
    if (auto s = encoder->Encode(part, &bytes); !s.ok()) return s;
    int64_t mint = part[0].t, maxt = part[0].t;
    for (const Sample& x : part) {
      mint = std::min(mint, x.t);
      maxt = std::max(maxt, x.t);
    }
    owned->push_back(std::move(bytes));
    out->push_back({mint, maxt, owned->back(), chunkenc::Encoding::kDense});
  }
  return absl::OkStatus();
}

absl::StatusOr<BlockMeta> WriteBlock(const std::string& parent_dir, const BlockMeta& meta,
                                     SeriesSource& source, const BlockWriteOptions& options) {
  if (options.dense_chunks && (options.max_samples_per_chunk == 0 ||
                               options.max_samples_per_chunk > chunkenc::kDenseMaxSamples)) {
    return absl::InvalidArgumentError(
        StrCat("max_samples_per_chunk must be 1..", chunkenc::kDenseMaxSamples));
  }
  if (!IsValidBlockId(meta.id)) {
    return absl::InvalidArgumentError(StrCat("invalid block id ", QuoteString(meta.id)));
  }
  std::string final_dir = parent_dir + "/" + meta.id;
  std::string tmp = final_dir + ".tmp";
  std::error_code ec;
  if (fs::exists(final_dir, ec)) {
    return absl::AlreadyExistsError(StrCat("block ", final_dir, " already exists"));
  }
  fs::remove_all(tmp, ec);
  if (ec) return FsError("remove", tmp, ec);
  auto written = WriteBlockTo(tmp, meta, source, options);
  if (!written.ok()) {
    fs::remove_all(tmp, ec);
    return written.status();
  }
  fs::rename(tmp, final_dir, ec);
  if (ec) {
    absl::Status s = FsError("rename", tmp, ec);
    fs::remove_all(tmp, ec);
    return s;
  }
  if (auto s = SyncDir(parent_dir); !s.ok()) return s;
  return written;
}

}  // namespace vigil::block
