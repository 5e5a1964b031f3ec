#include "ingest/import/text_importer.h"

#include "common/strings.h"
#include "ingest/exposition/parser.h"

namespace vigil {

TextImporter::TextImporter(MetricsStore& store, MetricsRegistry* registry)
    : store_(store), counters_(registry, "import_prometheus") {}

IngestResult TextImporter::Import(std::string_view body, std::string_view content_type,
                                  int64_t default_timestamp_ms) {
  ExpositionParseOptions opts;
  opts.content_type = content_type;
  opts.default_timestamp_ms = default_timestamp_ms;
  ExpositionParser parser(body, opts);
  SeriesWriter writer(store_, &counters_);
  std::vector<LabelView> labels;
  std::map<std::string, MetricMetadata, std::less<>> metadata;
  for (auto e = parser.Next(); e != ExpositionParser::Entry::kEnd; e = parser.Next()) {
    if (e == ExpositionParser::Entry::kMetadata) {
      const auto& m = parser.metadata();
      MetricMetadata& md = metadata[std::string(m.family)];
      switch (m.kind) {
        case MetadataView::Kind::kHelp: md.help = std::string(m.help); break;
        case MetadataView::Kind::kType: md.type = m.type; break;
        case MetadataView::Kind::kUnit: md.unit = std::string(m.unit); break;
      }
      continue;
    }
    const SampleView& s = parser.sample();
    labels.assign(s.labels.begin(), s.labels.end());
    Sample sample{s.timestamp_ms, s.value};
    if (s.has_exemplar) {
      Exemplar ex = ToExemplar(s.exemplar);
      if (!s.exemplar.has_timestamp) ex.t = sample.t;
      writer.Write(labels, {&sample, 1}, {&ex, 1});
    } else {
      writer.Write(labels, {&sample, 1});
    }
  }
  for (const auto& [family, md] : metadata) store_.SetMetadata(family, md);
  IngestResult result;
  absl::Status commit = writer.Commit();
  result.stats = writer.stats();
  const ExpositionErrors& errors = parser.errors();
  if (!commit.ok()) {
    result.status = commit;
  } else if (!errors.empty() || result.stats.TotalRejected() > 0) {
    std::string msg;
    if (!errors.empty()) msg = StrCat(errors.total, " lines could not be parsed: ", errors.Summary());
    if (result.stats.TotalRejected() > 0) {
      StrAppend(&msg, msg.empty() ? "" : "; ", DescribeRejections(result.stats));
    }
    StrAppend(&msg, "; ", result.stats.accepted, " samples were stored");
    result.status = absl::InvalidArgumentError(msg);
  }
  return result;
}

}  // namespace vigil
