// Record encoding for the metrics head's WAL (layouts: docs/formats/wal.md).
//
// Each record is one byte of RecordType followed by a uvarint entry count and the entries.
// Series records define refs (head-local series ids) with their labels; the other records
// refer to series by ref only, so a sample costs a few bytes. Samples and exemplars store
// refs and timestamps as zigzag varint deltas against the first entry of the record.
//
// Encode* replace the contents of `*out`, reusing its capacity: encoding allocates nothing
// per entry once the buffer has grown. Decode* treat the input as hostile: any truncation,
// malformed varint, count mismatch, unsorted or duplicate label names, unknown enum value or
// trailing byte yields a DataLoss status naming the record type, entry and byte offset.
// Memory stays proportional to the input (counts are not trusted for reservations). On
// error `*out` holds the entries decoded before the bad one. Decoded labels are owned.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/labels.h"
#include "storage/metric_type.h"
#include "storage/sample.h"

namespace vigil::wal {

enum class RecordType : uint8_t {
  kUnknown = 0,  // never written; PeekType's answer for anything unrecognised
  kSeries = 1,
  kSamples = 2,
  kTombstones = 3,
  kExemplars = 4,
  kMetadata = 5,
};

struct RefSeries {
  SeriesRef ref = 0;
  Labels labels;
};

using RefSample = ::vigil::RefSample;  // storage/sample.h

struct RefExemplar {
  SeriesRef ref = 0;
  int64_t t = 0;
  double v = 0;
  Labels labels;
};

// Samples of `ref` in [mint, maxt] are deleted.
struct RefTombstone {
  SeriesRef ref = 0;
  int64_t mint = 0;
  int64_t maxt = 0;
};


struct RefMetadata {
  std::string metric;  // metric family name
  MetricType type = MetricType::kUnknown;
  std::string unit;
  std::string help;
};

// The type of an encoded record; kUnknown for an empty record or an unknown type byte.
RecordType PeekType(std::string_view record);

void EncodeSeries(std::span<const RefSeries> series, std::string* out);
void EncodeSamples(std::span<const RefSample> samples, std::string* out);
void EncodeTombstones(std::span<const RefTombstone> tombstones, std::string* out);
void EncodeExemplars(std::span<const RefExemplar> exemplars, std::string* out);
void EncodeMetadata(std::span<const RefMetadata> metadata, std::string* out);

absl::Status DecodeSeries(std::string_view record, std::vector<RefSeries>* out);
absl::Status DecodeSamples(std::string_view record, std::vector<RefSample>* out);
absl::Status DecodeTombstones(std::string_view record, std::vector<RefTombstone>* out);
absl::Status DecodeExemplars(std::string_view record, std::vector<RefExemplar>* out);
absl::Status DecodeMetadata(std::string_view record, std::vector<RefMetadata>* out);

}  // namespace vigil::wal
