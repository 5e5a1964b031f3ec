#include "storage/traces/segment.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "common/test_temp_path.h"
#include "gtest/gtest.h"
#include "storage/traces/segment_writer.h"
#include "storage/traces/span_test_util.h"

namespace vigil::traces {
namespace {

constexpr int64_t kBase = 1'700'000'000'000'000'000;

class SegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TestTempPath("vigil_trace_segment");
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::shared_ptr<const Segment> Write(const std::vector<const SpanBatch*>& batches) {
    auto size = WriteSegment(path_, batches);
    EXPECT_TRUE(size.ok()) << size.status();
    auto seg = Segment::Open(path_);
    EXPECT_TRUE(seg.ok()) << seg.status();
    return seg.ok() ? *seg : nullptr;
  }

  static std::vector<Span> Expected(const std::vector<const SpanBatch*>& batches, TraceId id) {
    std::vector<Span> out;
    for (const SpanBatch* b : batches) {
      for (size_t i = 0; i < b->size(); ++i) {
        if (b->spans()[i].trace_id == id) out.push_back(b->ToSpan(i));
      }
    }
    return out;
  }

  static void SortBySpanId(std::vector<Span>* v) {
    std::sort(v->begin(), v->end(), [](const Span& a, const Span& b) { return a.span_id < b.span_id; });
  }

  std::string path_;
};

TEST_F(SegmentTest, GetTraceReturnsEverySpanExactly) {
  // Two batches with interleaved traces; 3000 traces x 3 spans crosses several blocks.
  SpanBatch a = MakeTestBatch(0, 1500, 3, kBase);
  SpanBatch b = MakeTestBatch(1500, 1500, 3, kBase + 5);
  std::vector<const SpanBatch*> batches = {&a, &b};
  auto seg = Write(batches);
  ASSERT_NE(seg, nullptr);
  EXPECT_EQ(seg->meta().rows, 9000u);
  EXPECT_GE(seg->meta().blocks.size(), 5u);
  for (uint64_t t : {0ull, 1ull, 682ull, 683ull, 1499ull, 1500ull, 2999ull}) {
    std::vector<Span> got;
    ASSERT_TRUE(seg->GetTrace(TestTraceId(t), &got).ok());
    std::vector<Span> want = Expected(batches, TestTraceId(t));
    SortBySpanId(&got);
    SortBySpanId(&want);
    ASSERT_EQ(got.size(), 3u) << t;
    EXPECT_EQ(got, want) << t;
  }
  std::vector<Span> none;
  ASSERT_TRUE(seg->GetTrace(TestTraceId(5000), &none).ok());
  EXPECT_TRUE(none.empty());
}

TEST_F(SegmentTest, TimesAtTheEndsOfTheRangeReadBack) {
  // Start deltas, durations and event offsets that overflow int64 are coded with
  // wrap-around and come back exactly.
  SpanBatch b = MakeTestBatch(0, 2, 2, kBase);
  auto& spans = b.mutable_spans();
  spans[0].start_ns = INT64_MIN + 1;
  spans[0].end_ns = INT64_MAX - 1;
  spans[1].start_ns = INT64_MAX - 1;
  spans[1].end_ns = INT64_MAX;
  spans[2].start_ns = -1;
  spans[3].start_ns = INT64_MIN + 1;
  std::vector<const SpanBatch*> batches = {&b};
  auto seg = Write(batches);
  ASSERT_NE(seg, nullptr);
  for (uint64_t t : {0ull, 1ull}) {
    std::vector<Span> got;
    ASSERT_TRUE(seg->GetTrace(TestTraceId(t), &got).ok());
    std::vector<Span> want = Expected(batches, TestTraceId(t));
    SortBySpanId(&got);
    SortBySpanId(&want);
    EXPECT_EQ(got, want) << t;
  }
}

TEST_F(SegmentTest, LookupsAlternatingBetweenSegmentsReadEachOnesOwnBlock) {
  // A thread keeps the last block it decoded for trace lookups; two segments with the same
  // layout (block 0 in both) must not answer from each other's block.
  SpanBatch a = MakeTestBatch(0, 10, 3, kBase);
  SpanBatch b = MakeTestBatch(0, 10, 3, kBase + 1'000'000'000);
  for (auto& e : b.mutable_spans()) e.span_id += 100000;
  auto first = Write({&a});
  const std::string first_path = path_;
  path_ += "-2";
  auto second = Write({&b});
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  for (uint64_t t : {3ull, 3ull, 4ull}) {
    for (const auto& [seg, batch] : {std::pair{first, &a}, std::pair{second, &b}}) {
      std::vector<SpanRow> rows;
      ASSERT_TRUE(seg->TraceRows(TestTraceId(t), [&](std::span<const SpanRow> r) {
                        rows.insert(rows.end(), r.begin(), r.end());
                      }).ok());
      std::vector<Span> want = Expected({batch}, TestTraceId(t));
      ASSERT_EQ(rows.size(), want.size());
      for (const SpanRow& r : rows) {
        EXPECT_TRUE(std::any_of(want.begin(), want.end(), [&](const Span& w) {
          return w.span_id == r.span_id && w.start_ns == r.start_ns;
        })) << t;
      }
    }
  }
  std::filesystem::remove(path_);
  path_ = first_path;
}

TEST_F(SegmentTest, ASpanSentTwiceIsStoredOnce) {
  SpanBatch a = MakeTestBatch(0, 2, 3, kBase);
  // The same span again, under a resource of its own.
  SpanBatch b;
  const uint32_t res = b.AddResource("phantom", {});
  SpanBatch::Entry& e = b.AddSpan(res);
  e = a.spans()[0];
  e.resource = res;
  // Without the first copy's attributes, events and links (their indexes are a's).
  e.first_attribute = e.num_attributes = 0;
  e.first_event = e.num_events = 0;
  e.first_link = e.num_links = 0;
  auto seg = Write({&a, &b});
  ASSERT_NE(seg, nullptr);
  EXPECT_EQ(seg->meta().rows, 6u);
  std::vector<Span> got;
  ASSERT_TRUE(seg->GetTrace(TestTraceId(0), &got).ok());
  ASSERT_EQ(got.size(), 3u);
  // The first copy is the one kept (arrival order breaks the tie).
  for (const Span& s : got) EXPECT_NE(s.service_name, "phantom");
}

TEST_F(SegmentTest, ATraceStraddlingBlocksComesWhole) {
  SpanBatch big = MakeTestBatch(7, 1, 5000, kBase);  // one trace over three blocks
  auto seg = Write({&big});
  ASSERT_NE(seg, nullptr);
  std::vector<Span> got;
  ASSERT_TRUE(seg->GetTrace(TestTraceId(7), &got).ok());
  ASSERT_EQ(got.size(), 5000u);
  SortBySpanId(&got);
  // Parents outside the span's own block are stored raw and still come back.
  EXPECT_EQ(got[4999].parent_span_id, 7 * 1000 + (4999 - 1) / 2 + 1);
  EXPECT_EQ(got[0].parent_span_id, 0u);
}

TEST_F(SegmentTest, ScanFiltersByServiceNameStatusDurationAndAttributes) {
  SpanBatch a = MakeTestBatch(0, 200, 10, kBase);
  auto seg = Write({&a});
  ASSERT_NE(seg, nullptr);
  auto count = [&](const SpanScanRequest& req, auto&& pred) {
    size_t n = 0, want = 0;
    auto more = seg->Scan(req, [&](std::span<const SpanRow> rows) {
      n += rows.size();
      return true;
    });
    EXPECT_TRUE(more.ok());
    for (size_t i = 0; i < a.size(); ++i) want += pred(a.ToSpan(i));
    EXPECT_EQ(n, want);
    return n;
  };
  SpanScanRequest all;
  EXPECT_EQ(count(all, [](const Span&) { return true; }), 2000u);
  SpanScanRequest req;
  req.filter.service_name = "svc2";
  req.filter.status = SpanStatus::kError;
  EXPECT_GT(count(req, [](const Span& s) {
              return s.service_name == "svc2" && s.status == SpanStatus::kError;
            }),
            0u);
  req = {};
  req.filter.span_name = "op3";
  req.filter.min_duration_ns = 120'000;
  count(req, [](const Span& s) { return s.name == "op3" && s.duration_ns() >= 120'000; });
  req = {};
  req.filter.attributes = {{"http.status_code", "500"}, {"host.name", "host-2"}};
  EXPECT_GT(count(req,
                  [](const Span& s) {
                    return s.status == SpanStatus::kError && s.service_name == "svc2";
                  }),
            0u);
  req = {};
  req.filter.service_name = "nope";
  EXPECT_EQ(count(req, [](const Span&) { return false; }), 0u);
  req = {};
  req.start_ns = kBase + 50 * 1'000'000;
  req.end_ns = kBase + 60 * 1'000'000;
  EXPECT_EQ(count(req,
                  [&](const Span& s) { return s.start_ns >= req.start_ns && s.start_ns < req.end_ns; }),
            100u);
}

TEST_F(SegmentTest, KeyColumnsAnswerAsTheAttributeColumnDoes) {
  // Per span: "common" on every span (two values), "rare" on one span in ten, "wide" with a
  // value of its own, "twice" set twice on every span (a key column could not hold it).
  SpanBatch a;
  SpanAttributeView res_attrs[] = {{"service.name", "svc", AttributeType::kString}};
  uint32_t res = a.AddResource("svc", res_attrs);
  for (int i = 0; i < 5000; ++i) {
    SpanBatch::Entry& e = a.AddSpan(res);
    e.trace_id = TestTraceId(i / 5);
    e.span_id = i + 1;
    e.name = "op";
    e.start_ns = kBase + i * 1000;
    e.end_ns = e.start_ns + 10;
    a.AddSpanAttribute({"common", i % 3 == 0 ? "a" : "b", AttributeType::kString});
    if (i % 10 == 0) a.AddSpanAttribute({"rare", "x", AttributeType::kString});
    a.AddSpanAttribute({"wide", a.Copy(StrCat("v", i)), AttributeType::kString});
    a.AddSpanAttribute({"twice", "p", AttributeType::kString});
    a.AddSpanAttribute({"twice", i % 2 == 0 ? "q" : "r", AttributeType::kString});
  }
  auto seg = Write({&a});
  ASSERT_NE(seg, nullptr);
  const SegmentMeta& m = seg->meta();
  auto id_of = [&](std::string_view key) {
    return static_cast<uint32_t>(std::find(m.strings.begin(), m.strings.end(), key) -
                                 m.strings.begin());
  };
  for (const BlockMeta& b : m.blocks) {
    ASSERT_EQ(b.key_columns.size(), 1u);  // rare is too rare, wide too wide, twice repeated
    EXPECT_EQ(b.key_columns[0].key, id_of("common"));
  }
  auto count = [&](std::vector<std::pair<std::string, std::string>> attrs) {
    SpanScanRequest req;
    req.filter.attributes = std::move(attrs);
    size_t n = 0;
    auto more = seg->Scan(req, [&](std::span<const SpanRow> rows) {
      n += rows.size();
      return true;
    });
    EXPECT_TRUE(more.ok()) << more.status();
    return n;
  };
  EXPECT_EQ(count({{"common", "a"}}), 1667u);
  EXPECT_EQ(count({{"common", "b"}}), 3333u);
  EXPECT_EQ(count({{"common", "c"}}), 0u);
  EXPECT_EQ(count({{"rare", "x"}}), 500u);
  EXPECT_EQ(count({{"wide", "v123"}}), 1u);
  EXPECT_EQ(count({{"twice", "p"}}), 5000u);
  EXPECT_EQ(count({{"twice", "q"}}), 2500u);
  // Mixed: a key column and the attribute column together; a resource attribute.
  EXPECT_EQ(count({{"common", "a"}, {"rare", "x"}}), 167u);  // i % 30 == 0
  EXPECT_EQ(count({{"common", "b"}, {"twice", "r"}, {"service.name", "svc"}}), 1667u);
  EXPECT_EQ(count({{"wide", "v3"}, {"common", "a"}}), 1u);
  EXPECT_EQ(count({{"wide", "v4"}, {"common", "a"}}), 0u);
}

TEST_F(SegmentTest, ScanWithoutSpanIdsKeepsTraceIdsAndTimes) {
  SpanBatch a = MakeTestBatch(0, 300, 4, kBase);
  auto seg = Write({&a});
  ASSERT_NE(seg, nullptr);
  auto rows_of = [&](bool span_ids) {
    SpanScanRequest req;
    req.filter.span_name = "op1";
    req.span_ids = span_ids;
    std::vector<std::tuple<TraceId, int64_t, SpanId>> out;
    EXPECT_TRUE(seg->Scan(req, [&](std::span<const SpanRow> rows) {
      for (const SpanRow& r : rows) out.emplace_back(r.trace_id, r.start_ns, r.span_id);
      return true;
    }).ok());
    return out;
  };
  auto full = rows_of(true);
  auto light = rows_of(false);
  ASSERT_EQ(full.size(), 300u);
  ASSERT_EQ(light.size(), full.size());
  for (size_t i = 0; i < full.size(); ++i) {
    EXPECT_EQ(std::get<0>(light[i]), std::get<0>(full[i]));
    EXPECT_EQ(std::get<1>(light[i]), std::get<1>(full[i]));
    EXPECT_NE(std::get<2>(full[i]), 0u);
    EXPECT_EQ(std::get<2>(light[i]), 0u);
  }
}

TEST_F(SegmentTest, ScanStopsWhenAsked) {
  SpanBatch a = MakeTestBatch(0, 1000, 5, kBase);
  auto seg = Write({&a});
  ASSERT_NE(seg, nullptr);
  int calls = 0;
  auto more = seg->Scan({}, [&](std::span<const SpanRow>) { return ++calls < 2; });
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_EQ(calls, 2);
}

TEST_F(SegmentTest, SectionsKeepBlocksTimeBoundedAndTracesWhole) {
  constexpr int64_t kSecond = 1'000'000'000;
  // 4000 traces of 3 spans, one trace a millisecond: four seconds of spans.
  SpanBatch a = MakeTestBatch(0, 4000, 3, kBase);
  // A trace of 3000 spans a microsecond apart, straddling the boundary at 2 s.
  SpanBatch b = MakeTestBatch(9000, 1, 3000, kBase + 2 * kSecond - 1'500'000);
  std::vector<const SpanBatch*> batches = {&a, &b};
  SegmentWriterOptions o;
  o.section_window_ns = kSecond;
  o.min_section_rows = 2048;
  ASSERT_TRUE(WriteSegment(path_, batches, o).ok());
  auto seg = Segment::Open(path_);
  ASSERT_TRUE(seg.ok()) << seg.status();
  const SegmentMeta& m = (*seg)->meta();
  ASSERT_EQ(m.sections.size(), 4u);
  size_t covered = 0;
  for (const SectionMeta& section : m.sections) {
    EXPECT_EQ(section.first_block, covered);
    covered += section.blocks;
    const int64_t window = (m.blocks[section.first_block].min_start - kBase) / kSecond;
    for (uint32_t i = section.first_block; i < section.first_block + section.blocks; ++i) {
      EXPECT_EQ((m.blocks[i].min_start - kBase) / kSecond, window) << "block " << i;
      EXPECT_EQ((m.blocks[i].max_start - kBase) / kSecond, window) << "block " << i;
    }
  }
  EXPECT_EQ(covered, m.blocks.size());
  for (uint64_t t : {0ull, 999ull, 1000ull, 2500ull, 3999ull, 9000ull}) {
    std::vector<Span> got;
    ASSERT_TRUE((*seg)->GetTrace(TestTraceId(t), &got).ok());
    std::vector<Span> want = Expected(batches, TestTraceId(t));
    SortBySpanId(&got);
    SortBySpanId(&want);
    ASSERT_EQ(got.size(), t == 9000 ? 3000u : 3u) << t;
    EXPECT_EQ(got, want) << t;
  }
  // A window of its own gets only its rows.
  SpanScanRequest req;
  req.start_ns = kBase + 3 * kSecond;
  req.end_ns = kBase + 4 * kSecond;
  size_t rows = 0;
  ASSERT_TRUE((*seg)->Scan(req, [&](std::span<const SpanRow> r) {
    rows += r.size();
    return true;
  }).ok());
  EXPECT_EQ(rows, 3000u);

  // The default window (a minute) keeps these four seconds in one section.
  auto size = WriteSegment(path_, batches);
  ASSERT_TRUE(size.ok());
  auto whole = Segment::Open(path_);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ((*whole)->meta().sections.size(), 1u);
}

TEST_F(SegmentTest, VersionOneMetadataIsOneSection) {
  SpanBatch a = MakeTestBatch(0, 100, 3, kBase);
  ASSERT_NE(Write({&a}), nullptr);
  auto v2 = Segment::Open(path_);
  ASSERT_TRUE(v2.ok());
  // Version 1 has one Bloom filter where version 2 lists its sections, and no key columns.
  const SegmentMeta& m = (*v2)->meta();
  ASSERT_EQ(m.sections.size(), 1u);
  const std::string bloom = m.sections[0].trace_bloom;
  std::string v1 = EncodeSegmentMeta(m, 1);
  auto decoded = DecodeSegmentMeta(v1, 1);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->sections.size(), 1u);
  EXPECT_EQ(decoded->sections[0].blocks, decoded->blocks.size());
  EXPECT_EQ(decoded->sections[0].trace_bloom, bloom);
  for (const BlockMeta& b : decoded->blocks) EXPECT_TRUE(b.key_columns.empty());
  // Read as version 2, the same bytes are refused.
  EXPECT_FALSE(DecodeSegmentMeta(v1, 2).ok());
}

TEST_F(SegmentTest, MalformedSectionsAndKeyColumnsAreRefused) {
  SpanBatch a = MakeTestBatch(0, 100, 3, kBase);
  auto seg = Write({&a});
  ASSERT_NE(seg, nullptr);
  const SegmentMeta& good = seg->meta();
  ASSERT_FALSE(good.blocks.empty());
  ASSERT_FALSE(good.blocks[0].key_columns.empty());
  auto refusal = [](const SegmentMeta& m) {
    auto decoded = DecodeSegmentMeta(EncodeSegmentMeta(m));
    return decoded.ok() ? std::string("accepted") : std::string(decoded.status().message());
  };
  auto has = [](const std::string& got, std::string_view want) {
    return got.find(want) != std::string::npos;
  };
  SegmentMeta m = good;
  m.sections.push_back({0, 1, m.sections[0].trace_bloom});  // one block too many
  EXPECT_TRUE(has(refusal(m), "bad section")) << refusal(m);
  m = good;
  m.sections.push_back({0, 0, m.sections[0].trace_bloom});
  m.sections[0].blocks = 0;  // the blocks are left uncovered
  EXPECT_TRUE(has(refusal(m), "sections do not cover the blocks")) << refusal(m);
  m = good;
  m.blocks[0].key_columns.resize(kMaxKeyColumns + 1, m.blocks[0].key_columns[0]);
  EXPECT_TRUE(has(refusal(m), "bad key column count")) << refusal(m);
  m = good;
  m.blocks[0].key_columns[0].key = static_cast<uint32_t>(m.strings.size());
  EXPECT_TRUE(has(refusal(m), "bad key column")) << refusal(m);
}

TEST_F(SegmentTest, DamageIsDetected) {
  SpanBatch a = MakeTestBatch(0, 50, 4, kBase);
  ASSERT_NE(Write({&a}), nullptr);
  std::string bytes;
  {
    std::ifstream in(path_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // A flipped byte in the first block's data: open succeeds, reading the block fails.
  std::string damaged = bytes;
  damaged[20] ^= 0x55;
  { std::ofstream(path_, std::ios::binary | std::ios::trunc) << damaged; }
  auto seg = Segment::Open(path_);
  ASSERT_TRUE(seg.ok());
  std::vector<Span> got;
  absl::Status st = (*seg)->GetTrace(TestTraceId(0), &got);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  // A truncated file does not open.
  { std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 3); }
  EXPECT_EQ(Segment::Open(path_).status().code(), absl::StatusCode::kDataLoss);
  // A metadata size the zstd frame does not declare is refused before anything is allocated
  // for it (the footer ends: raw size, CRC, version, then the 8-byte magic).
  std::string huge = bytes;
  const size_t raw_size_at = huge.size() - 8 - 4 - 4 - 4;
  for (size_t i = 0; i < 4; ++i) huge[raw_size_at + i] = i == 3 ? '\x7f' : '\xff';
  { std::ofstream(path_, std::ios::binary | std::ios::trunc) << huge; }
  absl::Status refused = Segment::Open(path_).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(std::string(refused.message()).find("metadata size does not match its frame"), std::string::npos)
      << refused;
}

}  // namespace
}  // namespace vigil::traces
