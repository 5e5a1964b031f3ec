// Prometheus remote_write 1.0 WriteRequest, decoded without copying: every string is a view
// into the (decompressed) request body, and all series share flat arrays, so decoding a
// request allocates nothing once the arrays have grown to a typical request's size.
//
// Wire format (prometheus/prompb): WriteRequest{1: repeated TimeSeries, 3: repeated
// MetricMetadata}; TimeSeries{1: labels, 2: samples, 3: exemplars, 4: histograms};
// Label{1: name, 2: value}; Sample{1: double value, 2: int64 timestamp};
// Exemplar{1: labels, 2: double value, 3: int64 timestamp};
// MetricMetadata{1: type enum, 2: metric_family_name, 4: help, 5: unit}.
//
// Thread-safety: a WriteRequestView is used by one request at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/labels.h"
#include "storage/metric_type.h"
#include "storage/sample.h"

namespace vigil {

struct WriteExemplarView {
  uint32_t labels_begin, labels_end;  // into WriteRequestView::labels
  double value;
  int64_t t;
};

struct TimeSeriesView {
  // The whole TimeSeries message. Its labels are decoded on demand (DecodeSeriesLabels):
  // a series the store already knows is found by `packed_labels` alone.
  std::string_view message;
  // The bytes of the series' label fields when they are contiguous (as every encoder writes
  // them): the store's packed form of the labels when the client encoded them canonically,
  // which lets it find an existing series without re-encoding. Empty otherwise.
  std::string_view packed_labels;
  uint32_t samples_begin, samples_end;
  uint32_t exemplars_begin, exemplars_end;
  uint32_t histograms;  // native histograms are counted, not yet stored
};

struct WriteMetadataView {
  MetricType type;
  std::string_view family;
  std::string_view help;
  std::string_view unit;
};

struct WriteRequestView {
  std::vector<TimeSeriesView> series;
  std::vector<LabelView> labels;  // exemplar labels
  std::vector<Sample> samples;
  std::vector<WriteExemplarView> exemplars;
  std::vector<WriteMetadataView> metadata;
  void Clear();
};

// Decodes `pb` into *out. On malformed input returns InvalidArgument with the position, and
// *out keeps every time series decoded completely before the error. Series labels are not
// decoded here (see DecodeSeriesLabels): a malformed Label fails only its own series.
absl::Status DecodeWriteRequest(std::string_view pb, WriteRequestView* out);

// Appends the labels of one decoded series to *out (in the order sent).
absl::Status DecodeSeriesLabels(const TimeSeriesView& ts, std::vector<LabelView>* out);


// Encoding, for clients, benchmarks and tests.
struct WriteSeries {
  Labels labels;
  std::vector<Sample> samples;
  std::vector<Exemplar> exemplars;
};
void EncodeWriteRequest(const std::vector<WriteSeries>& series, std::string* out);
// Snappy block compression, as the protocol requires.
std::string SnappyCompress(std::string_view raw);

}  // namespace vigil
