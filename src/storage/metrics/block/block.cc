#include "storage/metrics/block/block.h"

#include "storage/metrics/index/postings.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <system_error>

#include "absl/container/inlined_vector.h"
#include "common/strings.h"
#include "storage/metrics/block/format.h"

namespace vigil::block {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxMetaSize = 16 << 20;

bool CheckFileHeader(std::span<const uint8_t> b, uint32_t magic, uint8_t version) {
  return b.size() >= kFileHeaderSize && GetU32At(b.data()) == magic && b[4] == version &&
         b[5] == 0 && b[6] == 0 && b[7] == 0;
}

void SortUnique(std::vector<uint32_t>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

Block::~Block() = default;

absl::Status Block::Corrupt(std::string_view what) const {
  return absl::DataLossError(StrCat("block ", dir_, ": ", what));
}

absl::StatusOr<std::unique_ptr<Block>> Block::Open(const std::string& dir,
                                                   const BlockOpenOptions& options) {
  auto b = std::unique_ptr<Block>(new Block());
  b->dir_ = dir;
  b->verify_ = options.verify_checksums;
  auto json = ReadFileToString(dir + "/meta.json", kMaxMetaSize);
  if (!json.ok()) return json.status();
  auto meta = ParseBlockMeta(*json);
  if (!meta.ok()) return b->Corrupt(ToStd(meta.status().message()));
  b->meta_ = std::move(*meta);
  if (auto s = b->OpenIndex(); !s.ok()) return s;
  if (auto s = b->OpenChunks(); !s.ok()) return s;
  if (b->meta_.stats.num_series != b->num_series_) {
    return b->Corrupt("meta.json and index disagree on the number of series");
  }
  return b;
}

absl::Status Block::OpenIndex() {
  auto f = MappedFile::Open(dir_ + "/index");
  if (!f.ok()) return f.status();
  index_ = std::move(*f);
  std::span<const uint8_t> d = index_->data();
  if (d.size() < kFileHeaderSize + kIndexFooterSize ||
      !CheckFileHeader(d, kIndexMagic, kIndexVersion)) {
    return Corrupt("index: bad header or too short");
  }
  std::span<const uint8_t> footer = d.subspan(d.size() - kIndexFooterSize);
  if (!CheckFileHeader(footer.subspan(kIndexFooterSize - kFileHeaderSize), kIndexMagic,
                       kIndexVersion)) {
    return Corrupt("index: bad footer magic");
  }
  size_t summed = kIndexFooterSize - kFileHeaderSize - 8;
  if (verify_ && Checksum64(footer.first(summed)) != GetU64At(footer.data() + summed)) {
    return Corrupt("index: footer checksum mismatch");
  }
  std::span<const uint8_t> sec[kNumSections];
  uint64_t body_end = d.size() - kIndexFooterSize;
  for (int i = 0; i < kNumSections; ++i) {
    uint64_t off = GetU64At(footer.data() + i * 24);
    uint64_t len = GetU64At(footer.data() + i * 24 + 8);
    uint64_t sum = GetU64At(footer.data() + i * 24 + 16);
    if (off < kFileHeaderSize || off > body_end || len > body_end - off) {
      return Corrupt(StrCat("index: section ", i, " out of range"));
    }
    sec[i] = d.subspan(off, len);
    if (verify_ && Checksum64(sec[i]) != sum) return Corrupt(StrCat("index: section ", i, " checksum mismatch"));
  }
  uint64_t num_series = GetU64At(footer.data() + kNumSections * 24);
  uint64_t num_symbols = GetU64At(footer.data() + kNumSections * 24 + 8);
  if (num_series > 0xffffffffu || num_symbols > 0xffffffffu) return Corrupt("index: counts too large");
  num_series_ = static_cast<uint32_t>(num_series);

  // Symbols: count, then length-prefixed strings in strictly ascending order.
  Decoder sd(sec[kSymbolsSection]);
  uint64_t n;
  if (!sd.Uvarint(&n) || n != num_symbols || n > sd.left()) return Corrupt("index: bad symbol count");
  symbols_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len;
    std::span<const uint8_t> s;
    if (!sd.Uvarint(&len) || !sd.Bytes(len, &s)) return Corrupt("index: truncated symbol table");
    std::string_view sv(reinterpret_cast<const char*>(s.data()), s.size());
    if (!symbols_.empty() && !(symbols_.back() < sv)) return Corrupt("index: symbols not sorted");
    symbols_.push_back(sv);
  }

  // Series offsets: one u64 per series, ascending, inside the series section.
  series_ = sec[kSeriesSection];
  series_offsets_ = sec[kSeriesOffsetsSection];
  if (series_offsets_.size() != num_series * 8) return Corrupt("index: series offsets size");
  uint64_t prev = 0;
  for (uint64_t i = 0; i < num_series; ++i) {
    uint64_t off = GetU64At(series_offsets_.data() + i * 8);
    if (off < prev || off >= series_.size()) return Corrupt("index: bad series offset");
    prev = off;
  }

  // Postings table: fixed entries sorted by (name, value) with ascending list offsets.
  postings_ = sec[kPostingsSection];
  postings_table_ = sec[kPostingsTableSection];
  if (postings_table_.size() % kPostingsTableEntrySize != 0) return Corrupt("index: postings table size");
  size_t entries = postings_table_.size() / kPostingsTableEntrySize;
  uint64_t prev_key = 0, prev_off = 0;
  for (size_t i = 0; i < entries; ++i) {
    const uint8_t* p = postings_table_.data() + i * kPostingsTableEntrySize;
    uint32_t name = GetU32At(p), value = GetU32At(p + 4);
    uint64_t off = GetU64At(p + 8);
    uint64_t key = (uint64_t{name} << 32) | value;
    if (name >= n || value >= n) return Corrupt("index: postings table symbol out of range");
    if ((i > 0 && key <= prev_key) || off < prev_off || off >= postings_.size()) {
      return Corrupt("index: postings table out of order");
    }
    prev_key = key;
    prev_off = off;
  }

  // Label names: one entry per name, partitioning the postings table in order.
  label_names_ = sec[kLabelNamesSection];
  if (label_names_.size() % kLabelNamesEntrySize != 0) return Corrupt("index: label names size");
  size_t names = label_names_.size() / kLabelNamesEntrySize;
  uint64_t next_first = 0;
  for (size_t i = 0; i < names; ++i) {
    const uint8_t* p = label_names_.data() + i * kLabelNamesEntrySize;
    uint32_t name = GetU32At(p), first = GetU32At(p + 4), count = GetU32At(p + 8);
    if (first != next_first || count == 0 || uint64_t{first} + count > entries) {
      return Corrupt("index: label names table inconsistent");
    }
    for (uint32_t e = first; e < first + count; ++e) {
      if (GetU32At(postings_table_.data() + size_t{e} * kPostingsTableEntrySize) != name) {
        return Corrupt("index: label names table inconsistent");
      }
    }
    next_first = uint64_t{first} + count;
  }
  if (next_first != entries) return Corrupt("index: label names table inconsistent");
  return absl::OkStatus();
}

absl::Status Block::OpenChunks() {
  std::string cdir = dir_ + "/chunks";
  std::error_code ec;
  std::vector<std::string> files;
  for (fs::directory_iterator it(cdir, ec), end; !ec && it != end; it.increment(ec)) {
    files.push_back(it->path().filename().string());
  }
  if (ec) return Corrupt(StrCat("listing chunks: ", ec.message()));
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i < files.size(); ++i) {
    char want[32];
    std::snprintf(want, sizeof(want), "%06zu", i + 1);
    if (files[i] != want) return Corrupt(StrCat("unexpected chunk file ", QuoteString(files[i])));
    auto f = MappedFile::Open(cdir + "/" + files[i]);
    if (!f.ok()) return f.status();
    if (!CheckFileHeader((*f)->data(), kChunksMagic, kChunksVersion)) {
      return Corrupt(StrCat("chunk file ", files[i], ": bad header"));
    }
    if ((*f)->size() > kMaxSegmentSize) return Corrupt(StrCat("chunk file ", files[i], " too large"));
    segments_.push_back(std::move(*f));
  }
  return absl::OkStatus();
}

uint64_t Block::SizeBytes() const {
  uint64_t n = index_->size();
  for (const auto& s : segments_) n += s->size();
  return n;
}

int64_t Block::FindSymbol(std::string_view s) const {
  auto it = std::lower_bound(symbols_.begin(), symbols_.end(), s);
  if (it == symbols_.end() || *it != s) return -1;
  return it - symbols_.begin();
}

int64_t Block::FindPostingsEntry(uint32_t name, uint32_t value) const {
  uint64_t key = (uint64_t{name} << 32) | value;
  size_t lo = 0, hi = postings_table_.size() / kPostingsTableEntrySize;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const uint8_t* p = postings_table_.data() + mid * kPostingsTableEntrySize;
    uint64_t k = (uint64_t{GetU32At(p)} << 32) | GetU32At(p + 4);
    if (k == key) return static_cast<int64_t>(mid);
    if (k < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return -1;
}

void Block::NameRange(uint32_t name, uint32_t* first, uint32_t* count) const {
  size_t lo = 0, hi = label_names_.size() / kLabelNamesEntrySize;
  *first = *count = 0;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const uint8_t* p = label_names_.data() + mid * kLabelNamesEntrySize;
    uint32_t n = GetU32At(p);
    if (n == name) {
      *first = GetU32At(p + 4);
      *count = GetU32At(p + 8);
      return;
    }
    if (n < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
}

std::vector<std::string> Block::LabelNames() const {
  std::vector<std::string> out;
  size_t n = label_names_.size() / kLabelNamesEntrySize;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.emplace_back(symbols_[GetU32At(label_names_.data() + i * kLabelNamesEntrySize)]);
  }
  return out;
}

std::vector<std::string> Block::LabelValues(std::string_view name) const {
  std::vector<std::string> out;
  int64_t ref = FindSymbol(name);
  if (ref < 0) return out;
  uint32_t first, count;
  NameRange(static_cast<uint32_t>(ref), &first, &count);
  out.reserve(count);
  for (uint32_t e = first; e < first + count; ++e) {
    out.emplace_back(symbols_[GetU32At(postings_table_.data() + size_t{e} * kPostingsTableEntrySize + 4)]);
  }
  return out;
}

absl::Status Block::AppendPostingsAt(uint32_t entry, std::vector<uint32_t>* out) const {
  const uint8_t* p = postings_table_.data() + size_t{entry} * kPostingsTableEntrySize;
  uint64_t off = GetU64At(p + 8);
  Decoder d(postings_.subspan(off));
  uint64_t n;
  if (!d.Uvarint(&n) || n > d.left() || n > num_series_) return Corrupt("index: bad postings list");
  out->reserve(out->size() + n);
  uint64_t id = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta;
    if (!d.Uvarint(&delta) || (i > 0 && delta == 0)) return Corrupt("index: bad postings list");
    id += delta;
    if (id >= num_series_) return Corrupt("index: postings id out of range");
    out->push_back(static_cast<uint32_t>(id));
  }
  return absl::OkStatus();
}

absl::Status Block::AppendPostings(std::string_view name, std::string_view value,
                                   std::vector<uint32_t>* out) const {
  int64_t n = FindSymbol(name), v = FindSymbol(value);
  if (n < 0 || v < 0) return absl::OkStatus();
  int64_t e = FindPostingsEntry(static_cast<uint32_t>(n), static_cast<uint32_t>(v));
  if (e < 0) return absl::OkStatus();
  return AppendPostingsAt(static_cast<uint32_t>(e), out);
}

absl::StatusOr<std::vector<uint32_t>> Block::Postings(std::string_view name,
                                                      std::string_view value) const {
  std::vector<uint32_t> out;
  if (auto s = AppendPostings(name, value, &out); !s.ok()) return s;
  return out;
}

std::vector<uint32_t> Block::AllPostings() const {
  std::vector<uint32_t> out(num_series_);
  std::iota(out.begin(), out.end(), 0);
  return out;
}

absl::Status Block::AppendPostingsWhere(std::string_view name,
                                        const std::function<bool(std::string_view)>& accept,
                                        std::vector<uint32_t>* out) const {
  int64_t ref = FindSymbol(name);
  if (ref < 0) return absl::OkStatus();
  uint32_t first, count;
  NameRange(static_cast<uint32_t>(ref), &first, &count);
  size_t lists = 0;
  for (uint32_t e = first; e < first + count; ++e) {
    uint32_t vref = GetU32At(postings_table_.data() + size_t{e} * kPostingsTableEntrySize + 4);
    if (!accept(symbols_[vref])) continue;
    if (auto s = AppendPostingsAt(e, out); !s.ok()) return s;
    ++lists;
  }
  if (lists > 1) SortUnique(out);
  return absl::OkStatus();
}

namespace {

// The block's index as the shared matcher-resolution algorithm sees it. Block reads can
// fail on corrupt data; the first error is kept and the lookup answers empty.
class BlockIndexReader final : public IndexReader {
 public:
  explicit BlockIndexReader(const Block& b) : b_(b) {}
  Postings AllPostings() override { return Widen(b_.AllPostings()); }
  Postings PostingsFor(std::string_view name, std::string_view value) override {
    return Widen(Check(b_.Postings(name, value)));
  }
  std::vector<std::string> ValuesOf(std::string_view name) override { return b_.LabelValues(name); }
  Postings PostingsWhere(std::string_view name,
                         const std::function<bool(std::string_view)>& accept) override {
    std::vector<uint32_t> ids;
    if (absl::Status st = b_.AppendPostingsWhere(name, accept, &ids); !st.ok()) Keep(st);
    return Widen(ids);
  }
  const absl::Status& status() const { return status_; }

 private:
  static Postings Widen(const std::vector<uint32_t>& ids) { return Postings(ids.begin(), ids.end()); }
  std::vector<uint32_t> Check(absl::StatusOr<std::vector<uint32_t>> r) {
    if (!r.ok()) {
      Keep(r.status());
      return {};
    }
    return std::move(*r);
  }
  void Keep(const absl::Status& st) {
    if (status_.ok()) status_ = st;
  }
  const Block& b_;
  absl::Status status_;
};

}  // namespace

absl::StatusOr<std::vector<uint32_t>> Block::PostingsForMatchers(const Matchers& matchers) const {
  BlockIndexReader index(*this);
  ::vigil::Postings ids = ::vigil::PostingsForMatchers(index, matchers);
  if (!index.status().ok()) return index.status();
  return std::vector<uint32_t>(ids.begin(), ids.end());
}

absl::Status Block::Series(uint32_t id, Labels* labels, std::vector<ChunkMeta>* chunks) const {
  if (id >= num_series_) {
    return absl::NotFoundError(StrCat("block ", dir_, ": no series ", id));
  }
  uint64_t off = GetU64At(series_offsets_.data() + size_t{id} * 8);
  uint64_t end = id + 1 < num_series_ ? GetU64At(series_offsets_.data() + size_t{id + 1} * 8)
                                      : series_.size();
  Decoder d(series_.subspan(off, end - off));
  uint64_t nl;
  if (!d.Uvarint(&nl) || nl > d.left() / 2) return Corrupt(StrCat("series ", id, ": bad labels"));
  if (labels != nullptr) {
    // Views into the mapped symbol table, packed once: no string per label.
    absl::InlinedVector<LabelView, 16> items;
    for (uint64_t i = 0; i < nl; ++i) {
      uint32_t n, v;
      if (!d.Uvarint32(&n) || !d.Uvarint32(&v) || n >= symbols_.size() || v >= symbols_.size()) {
        return Corrupt(StrCat("series ", id, ": bad label ref"));
      }
      if (!items.empty() && !(items.back().name < symbols_[n])) {
        return Corrupt(StrCat("series ", id, ": labels not sorted"));
      }
      items.push_back({symbols_[n], symbols_[v]});
    }
    *labels = Labels::FromViews(items);
  } else {
    for (uint64_t i = 0; i < 2 * nl; ++i) {
      uint64_t skip;
      if (!d.Uvarint(&skip)) return Corrupt(StrCat("series ", id, ": bad labels"));
    }
  }
  if (chunks == nullptr) return absl::OkStatus();
  chunks->clear();
  uint64_t nc;
  if (!d.Uvarint(&nc) || nc > d.left() / 3) return Corrupt(StrCat("series ", id, ": bad chunk count"));
  chunks->reserve(nc);
  uint64_t prev_maxt = 0, ref = 0;
  for (uint64_t i = 0; i < nc; ++i) {
    int64_t dmint;
    uint64_t dmaxt, dref;
    if (!d.Varint(&dmint) || !d.Uvarint(&dmaxt) || !d.Uvarint(&dref)) {
      return Corrupt(StrCat("series ", id, ": truncated chunk metas"));
    }
    ChunkMeta c;
    c.mint = static_cast<int64_t>(prev_maxt + static_cast<uint64_t>(dmint));
    c.maxt = static_cast<int64_t>(static_cast<uint64_t>(c.mint) + dmaxt);
    ref += dref;
    c.ref = ref;
    if (c.maxt < c.mint) return Corrupt(StrCat("series ", id, ": chunk maxt before mint"));
    prev_maxt = static_cast<uint64_t>(c.maxt);
    chunks->push_back(c);
  }
  return absl::OkStatus();
}

absl::StatusOr<Labels> Block::SeriesLabels(uint32_t id) const {
  Labels l;
  if (auto s = Series(id, &l, nullptr); !s.ok()) return s;
  return l;
}

absl::StatusOr<std::vector<ChunkMeta>> Block::SeriesChunks(uint32_t id) const {
  std::vector<ChunkMeta> c;
  if (auto s = Series(id, nullptr, &c); !s.ok()) return s;
  return c;
}

absl::StatusOr<chunkenc::ChunkView> Block::Chunk(uint64_t ref) const {
  uint32_t seg = ChunkRefSegment(ref), off = ChunkRefOffset(ref);
  if (seg == 0 || seg > segments_.size()) {
    return Corrupt(StrCat("chunk ref ", ref, ": no segment ", seg));
  }
  std::span<const uint8_t> file = segments_[seg - 1]->data();
  if (off < kFileHeaderSize || off >= file.size()) {
    return Corrupt(StrCat("chunk ref ", ref, ": offset out of range"));
  }
  Decoder d(file.subspan(off));
  uint64_t len;
  std::span<const uint8_t> rec, sum;
  if (!d.Uvarint(&len) || len > d.left() || !d.Bytes(len + 1, &rec) ||
      !d.Bytes(kChunkChecksumSize, &sum)) {
    return Corrupt(StrCat("chunk ref ", ref, ": truncated record"));
  }
  if (verify_ && Checksum32(rec) != GetU32At(sum.data())) {
    return Corrupt(StrCat("chunk ref ", ref, ": checksum mismatch"));
  }
  if (!chunkenc::IsKnownEncoding(rec[0])) {
    return Corrupt(StrCat("chunk ref ", ref, ": unknown encoding ", int{rec[0]}));
  }
  return chunkenc::ChunkView{static_cast<chunkenc::Encoding>(rec[0]), rec.subspan(1)};
}

}  // namespace vigil::block
