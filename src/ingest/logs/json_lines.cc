#include "ingest/logs/json_lines.h"

#include "common/strings.h"

namespace vigil {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

JsonLinesDecoder::JsonLinesDecoder(StreamLabelConfig config)
    : config_(std::move(config)), streams_(&config_), record_(&config_) {}

LogDecodeResult JsonLinesDecoder::Decode(std::string_view body, int64_t receive_time_ns,
                                         LogBatch* batch) {
  LogDecodeResult result;
  // Lines are read by JsonObjectScan alone: no padded copy for simdjson.
  if (absl::Status s = json_.Reset(body, /*padded=*/false); !s.ok()) {
    result.status = std::move(s);
    return result;
  }
  reader_.Reset(&json_, batch->arena());
  names_.Reset(batch);
  streams_.Reset(batch);
  size_t pos = 0, line_no = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    size_t end = nl == std::string_view::npos ? body.size() : nl;
    size_t begin = pos;
    pos = end + 1;
    ++line_no;
    while (begin < end && IsBlank(body[begin])) ++begin;
    while (end > begin && IsBlank(body[end - 1])) --end;
    if (begin == end) continue;
    const size_t ordinal = result.total++;
    std::string_view line = body.substr(begin, end - begin);

    auto outcome =
        record_.Decode(reader_, names_, line, receive_time_ns, {}, &entry_, &labels_, &error_);
    if (outcome != JsonRecordDecoder::Outcome::kOk) {
      result.Refuse(ordinal, 1, "line ", line_no, ": ", error_);
      continue;
    }
    absl::StatusOr<uint32_t> stream = streams_.Intern(&labels_);
    if (!stream.ok()) {
      result.Refuse(ordinal, 1, "line ", line_no, ": ", stream.status().message());
      continue;
    }
    if (!CommitEntry(config_, *stream, &entry_, batch, &error_)) {
      result.Refuse(ordinal, 1, "line ", line_no, ": ", error_);
    }
  }
  return result;
}

}  // namespace vigil
