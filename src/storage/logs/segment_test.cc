#include "storage/logs/segment.h"

#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "common/strings.h"
#include "gtest/gtest.h"
#include "storage/logs/segment_writer.h"

namespace vigil::logs {
namespace {

struct Row {
  uint32_t stream;
  int64_t ts;
  std::string body;
  std::string trace;
  std::vector<std::pair<std::string, std::string>> fields;
};

class SegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil_segment_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    streams_ = {Labels{{"service_name", "auth"}}, Labels{{"service_name", "checkout"}}};
    // 3000 rows per stream, small blocks so skipping is visible.
    for (uint32_t s = 0; s < 2; ++s) {
      for (int i = 0; i < 3000; ++i) {
        Row r;
        r.stream = s;
        r.ts = 1000 + i * 10;
        r.body = StrCat(s == 0 ? "login ok for user " : "order placed id=", i, " in ", i % 97, "ms");
        if (i == 2500) r.body = "connection refused to redis:6379 while placing order";
        char trace[33];
        std::snprintf(trace, sizeof(trace), "%016x%016x", s + 1, i);
        r.trace = trace;
        r.fields = {{"level", i % 50 == 0 ? "error" : "info"}};
        // Most rows have it, so it gets a column; some do not.
        if (i % 7 != 3) r.fields.push_back({"duration_ms", StrCat(i % 300)});
        if (i % 100 == 0) r.fields.push_back({"error_code", "PAYMENT_DECLINED"});
        rows_.push_back(r);
      }
    }
    for (const Row& r : rows_) {
      infos_.push_back({r.stream, r.ts, static_cast<uint32_t>(r.body.size())});
    }
    SegmentWriterOptions o;
    o.block_rows = 500;
    auto read = [&](size_t i, LogRecordView* out, std::vector<LogFieldView>* pool) {
      const Row& r = rows_[i];
      out->timestamp_ns = r.ts;
      out->severity = r.fields[0].second == "error" ? kSeverityError : kSeverityInfo;
      out->severity_text = r.fields[0].second;
      out->body = r.body;
      out->trace_id = r.trace;
      for (const auto& [n, v] : r.fields) pool->push_back({n, v});
    };
    path_ = (dir_ / "a.seg").string();
    auto size = WriteSegment(path_, streams_, infos_, read, o);
    ASSERT_TRUE(size.ok()) << size.status();
    auto seg = Segment::Open(path_);
    ASSERT_TRUE(seg.ok()) << seg.status();
    seg_ = *seg;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  LogSelectRequest All() {
    LogSelectRequest req;
    req.start_ns = 0;
    req.end_ns = INT64_MAX;
    return req;
  }

  std::filesystem::path dir_;
  std::vector<Labels> streams_;
  std::vector<Row> rows_;
  std::vector<SegmentRowInfo> infos_;
  std::string path_;
  std::shared_ptr<const Segment> seg_;
};

TEST_F(SegmentTest, ReadsBackEveryRecordExactly) {
  size_t i = 0;
  auto more = seg_->Select(All(), [&](const Labels& stream, std::span<const LogRecordView> recs) {
    for (const LogRecordView& r : recs) {
      const Row& want = rows_[i++];
      EXPECT_EQ(stream, streams_[want.stream]);
      EXPECT_EQ(r.timestamp_ns, want.ts);
      EXPECT_EQ(r.body, want.body);
      EXPECT_EQ(r.trace_id, want.trace);
      EXPECT_EQ(r.severity_text, want.fields[0].second);
      EXPECT_EQ(r.fields.size(), want.fields.size());
      for (const auto& [n, v] : want.fields) {
        bool found = false;
        for (const LogFieldView& f : r.fields) found = found || (f.name == n && f.value == v);
        EXPECT_TRUE(found) << n;
      }
    }
    return true;
  });
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_EQ(i, rows_.size());
  EXPECT_EQ(seg_->meta().rows, rows_.size());
  EXPECT_EQ(seg_->meta().blocks.size(), 12u);
  // Frequent fields get columns; error_code (1%) goes to the shared column.
  EXPECT_EQ(seg_->meta().field_columns, (std::vector<std::string>{"duration_ms", "level"}));
}

TEST_F(SegmentTest, SelectorAndTimeRange) {
  LogSelectRequest req = All();
  req.matchers.push_back(*LabelMatcher::Make(MatchType::kEqual, "service_name", "checkout"));
  req.start_ns = 1000 + 100 * 10;
  req.end_ns = 1000 + 200 * 10;
  size_t n = 0;
  ASSERT_TRUE(seg_->Select(req, [&](const Labels& s, std::span<const LogRecordView> recs) {
    EXPECT_EQ(s.Get("service_name"), "checkout");
    for (const auto& r : recs) EXPECT_TRUE(r.timestamp_ns >= req.start_ns && r.timestamp_ns < req.end_ns);
    n += recs.size();
    return true;
  }).ok());
  EXPECT_EQ(n, 100u);
}

TEST_F(SegmentTest, TraceIdsStoredRawAndVerbatimAreBothFound) {
  // One block: a well-formed id (stored raw), one that is not lowercase hex (stored as
  // text) and a line without any.
  const std::vector<std::string> traces = {"00000000000000aa00000000000000bb",
                                           "00000000000000AA00000000000000BB", ""};
  std::vector<SegmentRowInfo> infos;
  for (int64_t i = 0; i < 3; ++i) infos.push_back({0, 1000 + i, 4});
  auto read = [&](size_t i, LogRecordView* out, std::vector<LogFieldView>*) {
    out->timestamp_ns = 1000 + static_cast<int64_t>(i);
    out->body = "line";
    out->trace_id = traces[i];
  };
  const std::string path = (dir_ / "ids.seg").string();
  ASSERT_TRUE(WriteSegment(path, {streams_[0]}, infos, read, SegmentWriterOptions{}).ok());
  auto seg = Segment::Open(path);
  ASSERT_TRUE(seg.ok()) << seg.status();
  auto count = [&](const std::string& id) {
    LogSelectRequest req = All();
    req.hints.trace_id = id;
    size_t n = 0;
    EXPECT_TRUE((*seg)->Select(req, [&](const Labels&, std::span<const LogRecordView> recs) {
      for (const auto& r : recs) n += r.trace_id == id;
      return true;
    }).ok());
    return n;
  };
  EXPECT_EQ(count(traces[0]), 1u);
  EXPECT_EQ(count(traces[1]), 1u);
  EXPECT_EQ(count("00000000000000aa00000000000000cc"), 0u);
}

TEST_F(SegmentTest, TimestampsAtTheEndsOfTheRangeReadBack) {
  // Deltas between these overflow int64; the column codes them with wrap-around.
  const int64_t times[] = {INT64_MIN + 1, -1, 0, INT64_MAX - 1};
  std::vector<SegmentRowInfo> infos;
  for (int64_t t : times) infos.push_back({0, t, 4});
  auto read = [&](size_t i, LogRecordView* out, std::vector<LogFieldView>*) {
    out->timestamp_ns = times[i];
    out->body = "line";
  };
  const std::string path = (dir_ / "extremes.seg").string();
  ASSERT_TRUE(WriteSegment(path, {streams_[0]}, infos, read, SegmentWriterOptions{}).ok());
  auto seg = Segment::Open(path);
  ASSERT_TRUE(seg.ok()) << seg.status();
  LogSelectRequest req;
  req.start_ns = INT64_MIN;
  req.end_ns = INT64_MAX;
  std::vector<int64_t> got;
  ASSERT_TRUE((*seg)->Select(req, [&](const Labels&, std::span<const LogRecordView> recs) {
    for (const auto& r : recs) got.push_back(r.timestamp_ns);
    return true;
  }).ok());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, std::vector<int64_t>(std::begin(times), std::end(times)));
}

TEST_F(SegmentTest, BloomsSkipBlocks) {
  LogSelectRequest req = All();
  req.hints.trace_id = rows_[4321].trace;
  SegmentScanStats stats;
  size_t n = 0;
  ASSERT_TRUE(seg_->Select(req, [&](const Labels&, std::span<const LogRecordView> recs) {
    for (const auto& r : recs) n += r.trace_id == req.hints.trace_id;
    return true;
  }, &stats).ok());
  EXPECT_EQ(n, 1u);
  EXPECT_LE(stats.blocks_read, 2u);
  EXPECT_GE(stats.blocks_skipped_by_bloom, 10u);

  LogSelectRequest text = All();
  text.hints.body_contains = {"connection refused to redis:6379"};
  SegmentScanStats s2;
  ASSERT_TRUE(seg_->Select(text, [&](const Labels&, std::span<const LogRecordView>) { return true; }, &s2).ok());
  EXPECT_EQ(s2.blocks_read, 2u);  // the line occurs once per stream

  LogSelectRequest field = All();
  field.hints.field_equals = {{"error_code", "NO_SUCH_CODE"}};
  SegmentScanStats s3;
  ASSERT_TRUE(seg_->Select(field, [&](const Labels&, std::span<const LogRecordView>) { return true; }, &s3).ok());
  EXPECT_LE(s3.blocks_read, 1u);

  // A field hint on a stream label must not prune.
  LogSelectRequest label = All();
  label.hints.field_equals = {{"service_name", "auth"}};
  size_t rows = 0;
  ASSERT_TRUE(seg_->Select(label, [&](const Labels&, std::span<const LogRecordView> r) {
    rows += r.size();
    return true;
  }).ok());
  EXPECT_EQ(rows, rows_.size());
}

// Hints that keep a few rows of a block gather only those rows from the other columns; what
// they return must be the rows exactly, fields a row lacks included.
TEST_F(SegmentTest, FewRowsKeptByHintsAreReadExactly) {
  auto check = [&](LogSelectRequest req, auto wanted) {
    size_t n = 0;
    auto more = seg_->Select(req, [&](const Labels& stream, std::span<const LogRecordView> recs) {
      for (const LogRecordView& r : recs) {
        const uint32_t s = stream == streams_[0] ? 0 : 1;
        const Row& want = rows_[s * 3000 + static_cast<size_t>(r.timestamp_ns - 1000) / 10];
        EXPECT_TRUE(wanted(want)) << want.body;
        EXPECT_EQ(r.body, want.body);
        EXPECT_EQ(r.trace_id, want.trace);
        EXPECT_EQ(r.fields.size(), want.fields.size()) << want.body;
        for (const auto& [name, value] : want.fields) {
          bool found = false;
          for (const LogFieldView& f : r.fields) found = found || (f.name == name && f.value == value);
          EXPECT_TRUE(found) << name << " of " << want.body;
        }
        ++n;
      }
      return true;
    });
    EXPECT_TRUE(more.ok()) << more.status();
    size_t expected = 0;
    for (const Row& r : rows_) expected += wanted(r);
    EXPECT_EQ(n, expected);
  };
  auto has = [](const Row& r, std::string_view name, std::string_view value) {
    for (const auto& [n, v] : r.fields) {
      if (n == name && v == value) return true;
    }
    return false;
  };
  LogSelectRequest level = All();
  level.hints.field_equals = {{"level", "error"}};  // a column: 2% of the rows
  check(level, [&](const Row& r) { return has(r, "level", "error"); });
  LogSelectRequest code = All();
  code.hints.field_equals = {{"error_code", "PAYMENT_DECLINED"}};  // the shared column
  check(code, [&](const Row& r) { return has(r, "error_code", "PAYMENT_DECLINED"); });
  LogSelectRequest trace = All();
  trace.hints.trace_id = rows_[3003].trace;  // a row without duration_ms
  check(trace, [&](const Row& r) { return r.trace == rows_[3003].trace; });
  LogSelectRequest both = All();
  both.hints.field_equals = {{"level", "error"}, {"duration_ms", "0"}};
  check(both, [&](const Row& r) { return has(r, "level", "error") && has(r, "duration_ms", "0"); });
}

TEST_F(SegmentTest, TimestampsOnly) {
  LogSelectRequest req = All();
  req.want_body = false;
  req.want_fields = false;
  size_t n = 0;
  ASSERT_TRUE(seg_->Select(req, [&](const Labels&, std::span<const LogRecordView> recs) {
    for (const auto& r : recs) {
      EXPECT_TRUE(r.body.empty());
      EXPECT_TRUE(r.fields.empty());
    }
    n += recs.size();
    return true;
  }).ok());
  EXPECT_EQ(n, rows_.size());
}

TEST_F(SegmentTest, StopsWhenAsked) {
  int calls = 0;
  auto more = seg_->Select(All(), [&](const Labels&, std::span<const LogRecordView>) {
    ++calls;
    return false;
  });
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_EQ(calls, 1);
}

// With VIGIL_WRITE_FUZZ_SEEDS=<dir>, keeps a small valid segment there as a fuzzer seed.
TEST_F(SegmentTest, WritesFuzzSeedWhenAsked) {
  const char* out = std::getenv("VIGIL_WRITE_FUZZ_SEEDS");
  if (out == nullptr) GTEST_SKIP() << "VIGIL_WRITE_FUZZ_SEEDS not set";
  std::vector<SegmentRowInfo> rs(infos_.begin(), infos_.begin() + 20);
  auto read = [&](size_t i, LogRecordView* o, std::vector<LogFieldView>* pool) {
    o->timestamp_ns = rows_[i].ts;
    o->body = rows_[i].body;
    o->trace_id = rows_[i].trace;
    for (const auto& [n, v] : rows_[i].fields) pool->push_back({n, v});
  };
  SegmentWriterOptions o;
  o.block_rows = 8;
  ASSERT_TRUE(WriteSegment(std::string(out) + "/small.seg", {streams_[0]}, rs, read, o).ok());
}

TEST_F(SegmentTest, DamageIsDetected) {
  std::string bytes;
  {
    std::ifstream in(path_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& b) {
    std::string p = (dir_ / "bad.seg").string();
    std::ofstream(p, std::ios::binary) << b;
    return p;
  };
  // Truncated or foreign files do not open.
  EXPECT_FALSE(Segment::Open(write(bytes.substr(0, bytes.size() - 3))).ok());
  EXPECT_FALSE(Segment::Open(write("not a segment at all, just text")).ok());
  // A flipped byte inside a column is caught by its checksum when read.
  std::string flipped = bytes;
  flipped[200] ^= 0x55;
  auto seg = Segment::Open(write(flipped));
  ASSERT_TRUE(seg.ok());
  auto more = (*seg)->Select(All(), [](const Labels&, std::span<const LogRecordView>) { return true; });
  EXPECT_FALSE(more.ok());
  EXPECT_NE(more.status().message().find("checksum"), std::string::npos) << more.status();
}

}  // namespace
}  // namespace vigil::logs
