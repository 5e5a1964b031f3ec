#include "bench/metrics/workload.h"

#include <snappy.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "ingest/remote_write/write_request.h"

namespace vigil::bench {
namespace {

TEST(GenerateSeriesTest, IsDeterministicAndSeedDependent) {
  std::vector<SeriesSpec> a = GenerateSeries(3000, 7);
  std::vector<SeriesSpec> b = GenerateSeries(3000, 7);
  std::vector<SeriesSpec> c = GenerateSeries(3000, 8);
  ASSERT_EQ(a.size(), 3000u);
  ASSERT_EQ(b.size(), 3000u);
  size_t differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].labels, b[i].labels);
    EXPECT_EQ(a[i].model.start, b[i].model.start);
    if (!(a[i].labels == c[i].labels)) ++differ;
  }
  EXPECT_GT(differ, 1000u);
  EXPECT_TRUE(GenerateSeries(0, 1).empty());
  EXPECT_EQ(GenerateSeries(1, 1).size(), 1u);
}

TEST(GenerateSeriesTest, LabelSetsAreUniqueValidAndRealistic) {
  std::vector<SeriesSpec> series = GenerateSeries(20000, 1);
  std::set<std::string> ids;
  std::set<std::string> names;
  std::set<std::string> label_names;
  int histogram_buckets = 0;
  for (const SeriesSpec& s : series) {
    std::vector<LabelView> views(s.labels.begin(), s.labels.end());
    ASSERT_TRUE(ValidateSeriesLabels(views).ok()) << s.labels.ToString();
    EXPECT_TRUE(ids.insert(s.labels.ToString()).second) << "duplicate " << s.labels.ToString();
    names.insert(std::string(s.labels.MetricName()));
    for (const LabelView& l : s.labels) label_names.insert(std::string(l.name));
    if (s.labels.Has("le")) ++histogram_buckets;
    EXPECT_GE(s.phase_ms, 0);
  }
  EXPECT_GE(names.size(), 90u);
  EXPECT_GT(histogram_buckets, 1000);
  for (const char* want : {"job", "instance", "method", "status_code", "route", "le", "pod"}) {
    EXPECT_TRUE(label_names.count(want)) << want;
  }
  // vigil's default label denylist must not reject the workload.
  for (const char* banned : {"user_id", "request_id", "session_id", "trace_id", "span_id"}) {
    EXPECT_FALSE(label_names.count(banned)) << banned;
  }
}

TEST(ValueStreamTest, CountersAreMonotonicAndQuantized) {
  ValueStream s({ValueModel::Kind::kCounter, 100, 0.3, 1, 0, 0}, 42);
  double prev = s.Next();
  EXPECT_EQ(prev, 100);
  double increased = 0;
  for (int i = 0; i < 1000; ++i) {
    const double v = s.Next();
    EXPECT_GE(v, prev);
    EXPECT_EQ(v, std::floor(v));
    if (v > prev) ++increased;
    prev = v;
  }
  // Mean increment 0.3 per scrape: rounding keeps the average instead of sticking at 0.
  EXPECT_NEAR(prev - 100, 300, 60);
  EXPECT_GT(increased, 100);
}

TEST(ValueStreamTest, GaugesStayInBoundsAndConstantsStayPut) {
  ValueStream g({ValueModel::Kind::kGauge, 5, 3, 1, 0, 10}, 1);
  for (int i = 0; i < 1000; ++i) {
    const double v = g.Next();
    EXPECT_GE(v, 0);
    EXPECT_LE(v, 10);
    EXPECT_EQ(v, std::round(v));
  }
  ValueStream c({ValueModel::Kind::kGauge, 7.5, 0, 0, 7.5, 7.5}, 1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(c.Next(), 7.5);
}

TEST(BuildWorkloadTest, RejectsBadOptions) {
  WorkloadOptions o;
  o.end_ms = 1'700'000'000'000;
  o.series = 0;
  EXPECT_FALSE(BuildWorkload(o).ok());
  o.series = 10;
  o.senders = 0;
  EXPECT_FALSE(BuildWorkload(o).ok());
  o.senders = 1;
  o.end_ms = 1000;  // samples would precede the epoch
  EXPECT_FALSE(BuildWorkload(o).ok());
}

// Decodes every request and checks what servers rely on: each series goes through exactly
// one sender, in strictly increasing time, below end_ms, with the requested request size.
void CheckWorkload(const WorkloadOptions& o) {
  absl::StatusOr<Workload> w = BuildWorkload(o);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->series, o.series);
  EXPECT_EQ(w->samples, o.series * o.samples_per_series);
  EXPECT_EQ(w->counters + w->gauges, o.series);
  EXPECT_GT(w->counters, w->gauges);
  ASSERT_EQ(w->per_sender.size(), static_cast<size_t>(o.senders));
  std::map<std::string, std::pair<size_t, int64_t>> seen;  // series -> (sender, last t)
  std::map<std::string, int64_t> counts;
  int64_t samples = 0, requests = 0;
  WriteRequestView view;
  for (size_t s = 0; s < w->per_sender.size(); ++s) {
    EXPECT_FALSE(w->per_sender[s].empty());
    int32_t round = 0;
    for (const WriteRequestBody& req : w->per_sender[s]) {
      ++requests;
      EXPECT_GE(req.round, round);
      round = req.round;
      std::string pb;
      ASSERT_TRUE(snappy::Uncompress(req.snappy.data(), req.snappy.size(), &pb));
      view.Clear();
      ASSERT_TRUE(DecodeWriteRequest(pb, &view).ok());
      EXPECT_EQ(static_cast<int64_t>(view.samples.size()), req.samples);
      EXPECT_LE(req.samples, o.samples_per_request);
      samples += req.samples;
      for (const TimeSeriesView& ts : view.series) {
        std::string id;
        std::vector<LabelView> labels;
        ASSERT_TRUE(DecodeSeriesLabels(ts, &labels).ok());
        for (const LabelView& l : labels) {
          id += std::string(l.name) + "=" + std::string(l.value) + ",";
        }
        EXPECT_LE(ts.samples_end - ts.samples_begin,
                  static_cast<uint32_t>(o.samples_per_series_per_request));
        auto [it, fresh] = seen.try_emplace(id, s, INT64_MIN);
        EXPECT_EQ(it->second.first, s) << "series in two senders: " << id;
        for (uint32_t i = ts.samples_begin; i < ts.samples_end; ++i) {
          const Sample& smp = view.samples[i];
          EXPECT_GT(smp.t, it->second.second) << id;
          EXPECT_LT(smp.t, o.end_ms);
          EXPECT_GE(smp.t, o.end_ms - o.samples_per_series * o.interval_ms);
          it->second.second = smp.t;
          ++counts[id];
        }
      }
    }
  }
  EXPECT_EQ(requests, w->requests);
  EXPECT_EQ(samples, w->samples);
  EXPECT_EQ(static_cast<int64_t>(seen.size()), o.series);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, o.samples_per_series) << id;
  EXPECT_GT(w->raw_bytes, w->snappy_bytes);
  EXPECT_LT(w->max_t, o.end_ms);
}

TEST(BuildWorkloadTest, OneSamplePerSeriesPerRequest) {
  WorkloadOptions o;
  o.series = 2500;
  o.samples_per_series = 4;
  o.samples_per_request = 300;
  o.senders = 3;
  o.end_ms = 1'700'000'000'000;
  CheckWorkload(o);
}

TEST(BuildWorkloadTest, SeveralSamplesPerSeriesPerRequest) {
  WorkloadOptions o;
  o.series = 1200;
  o.samples_per_series = 7;
  o.samples_per_request = 500;
  o.samples_per_series_per_request = 3;
  o.interval_ms = 10000;  // shorter than the phases drawn for 15 s: taken modulo
  o.senders = 2;
  o.end_ms = 1'700'000'000'000;
  CheckWorkload(o);
}

}  // namespace
}  // namespace vigil::bench
