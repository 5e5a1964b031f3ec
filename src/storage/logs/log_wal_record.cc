#include "storage/logs/log_wal_record.h"

#include <type_traits>
#include <vector>

#include "common/coding.h"
#include "common/strings.h"

namespace vigil::logs {
namespace {

constexpr uint8_t kRecordEntries = 1;

}  // namespace

void EncodeWalRecord(const LogBatch& batch, std::span<const uint32_t> entries, std::string* out,
                     std::vector<uint32_t>* offsets) {
  // Streams are renumbered to those the listed entries use, in first-use order.
  std::vector<uint32_t> remap(batch.streams().size(), UINT32_MAX);
  std::vector<uint32_t> used;
  for (uint32_t i : entries) {
    uint32_t s = batch.entries()[i].stream;
    if (remap[s] == UINT32_MAX) {
      remap[s] = static_cast<uint32_t>(used.size());
      used.push_back(s);
    }
  }
  // The record becomes the head's copy of these lines: sized exactly up front, it is
  // written once instead of being copied as it grows, and holds no slack.
  AppendSized(out, [&](auto& w) {
    w.Byte(static_cast<char>(kRecordEntries));
    w.Uvarint(used.size());
    for (uint32_t s : used) {
      const Labels& labels = batch.streams()[s];
      w.Uvarint(labels.size());
      for (const LabelView& l : labels) {
        w.String(l.name);
        w.String(l.value);
      }
    }
    w.Uvarint(entries.size());
    int64_t prev = 0;
    for (uint32_t i : entries) {
      const LogBatch::Entry& e = batch.entries()[i];
      if constexpr (std::decay_t<decltype(w)>::kWrites) {
        if (offsets) offsets->push_back(static_cast<uint32_t>(w.offset()));
      }
      w.Uvarint(remap[e.stream]);
      w.Varint(DeltaSub(e.timestamp_ns, prev));
      prev = e.timestamp_ns;
      w.Byte(static_cast<char>(e.severity));
      w.String(e.severity_text);
      w.String(e.body);
      w.String(e.trace_id);
      w.String(e.span_id);
      w.Uvarint(e.num_fields);
      for (const LogFieldView& f : batch.FieldsOf(e)) {
        w.String(f.name);
        w.String(f.value);
      }
    }
  });
}

absl::Status DecodeWalRecord(std::string_view record, LogBatch* batch) {
  ByteReader r(record);
  auto bad = [&](std::string_view what) {
    return absl::DataLossError(StrCat("log WAL record: ", what, " at byte ", r.offset()));
  };
  uint8_t type;
  if (!r.Byte(&type)) return bad("empty record");
  if (type != kRecordEntries) return bad(StrCat("unknown record type ", type));
  uint64_t nstreams;
  if (!r.Uvarint(&nstreams) || nstreams > r.remaining()) return bad("bad stream count");
  std::vector<uint32_t> ids;
  ids.reserve(nstreams);
  std::vector<LabelView> labels;
  for (uint64_t i = 0; i < nstreams; ++i) {
    uint64_t nlabels;
    if (!r.Uvarint(&nlabels) || nlabels > r.remaining()) return bad("bad label count");
    labels.clear();
    for (uint64_t j = 0; j < nlabels; ++j) {
      LabelView l;
      if (!r.String(&l.name) || !r.String(&l.value)) return bad("truncated stream labels");
      if (!labels.empty() && !(labels.back().name < l.name)) return bad("unsorted stream labels");
      labels.push_back(l);
    }
    ids.push_back(batch->AddStream(Labels::FromViews(labels)));
  }
  uint64_t n;
  if (!r.Uvarint(&n) || n > r.remaining()) return bad("bad entry count");
  int64_t ts = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t stream, nfields;
    int64_t delta;
    uint8_t severity;
    std::string_view sev_text, body, trace, span;
    if (!r.Uvarint(&stream) || stream >= ids.size()) return bad("bad stream index");
    if (!r.Varint(&delta) || !r.Byte(&severity) || !r.String(&sev_text) || !r.String(&body) ||
        !r.String(&trace) || !r.String(&span) || !r.Uvarint(&nfields) || nfields > r.remaining()) {
      return bad("truncated entry");
    }
    ts = DeltaAdd(ts, delta);
    LogBatch::Entry& e = batch->AddEntry(ids[stream]);
    e.timestamp_ns = ts;
    e.severity = severity;
    e.severity_text = sev_text;
    e.body = body;
    e.trace_id = trace;
    e.span_id = span;
    for (uint64_t f = 0; f < nfields; ++f) {
      std::string_view name, value;
      if (!r.String(&name) || !r.String(&value)) return bad("truncated field");
      batch->AddField(name, value);
    }
  }
  if (r.remaining() != 0) return bad("trailing bytes");
  return absl::OkStatus();
}

}  // namespace vigil::logs
