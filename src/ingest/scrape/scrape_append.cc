// ScrapeTarget::AppendBody: from a scraped body to appended samples (the per-sample path).
#include <algorithm>

#include "common/strings.h"
#include "ingest/exposition/parser.h"
#include "ingest/scrape/scrape_target.h"

namespace vigil {
namespace {

constexpr std::string_view kExportedPrefix = "exported_";
// Families whose metadata a target remembers; past it the cache starts over (a target
// inventing family names must not grow memory without bound).
constexpr size_t kMaxMetadataFamilies = 20000;

// Merges sorted scraped labels with sorted target labels into `out`. Returns false when a
// scraped label collides with a target label and honor_labels is off: that rare case needs
// the renaming of MergeWithConflicts.
bool MergeFast(std::span<const LabelView> scraped, const Labels& target, bool honor_labels,
               std::vector<LabelView>* out) {
  out->clear();
  size_t i = 0;
  auto t = target.begin();
  while (i < scraped.size() || t != target.end()) {
    if (t == target.end() || (i < scraped.size() && scraped[i].name < t->name)) {
      out->push_back(scraped[i++]);
    } else if (i == scraped.size() || t->name < scraped[i].name) {
      out->push_back({t->name, t->value});
      ++t;
    } else {
      if (!honor_labels) return false;
      out->push_back(scraped[i++]);  // the scraped value wins
      ++t;
    }
  }
  return true;
}

// Prometheus' resolution of conflicting exposed labels: target labels win, and each
// scraped value they displace moves to "exported_<name>" (prefixing again while that name is
// taken), shortest names first.
Labels MergeWithConflicts(std::span<const LabelView> scraped, const Labels& target) {
  LabelsBuilder b(Labels::FromViews(scraped));
  std::vector<Label> conflicts;
  for (const LabelView& l : target) {
    std::string_view existing = b.Get(l.name);
    if (!existing.empty()) conflicts.push_back({std::string(l.name), std::string(existing)});
    b.Set(l.name, l.value);
  }
  std::stable_sort(conflicts.begin(), conflicts.end(),
                   [](const Label& a, const Label& c) { return a.name.size() < c.name.size(); });
  for (const Label& c : conflicts) {
    std::string name = c.name;
    for (;;) {
      name = StrCat(kExportedPrefix, name);
      if (b.Get(name).empty()) {
        b.Set(name, c.value);
        break;
      }
    }
  }
  return b.Build();
}

void ViewsOf(const Labels& labels, std::vector<LabelView>* out) {
  out->clear();
  for (const LabelView& l : labels) out->push_back(l);
}

std::string_view Cut50(std::string_view s) { return s.substr(0, 50); }

absl::Status CheckLabelLimits(std::span<const LabelView> labels, const ScrapeLimits& lim) {
  std::string_view metric;
  for (const LabelView& l : labels) {
    if (l.name == kMetricName) metric = l.value;
  }
  if (lim.label_limit > 0 && labels.size() > lim.label_limit) {
    return absl::InvalidArgumentError(StrCat("label_limit exceeded (metric: ", Cut50(metric),
                                             ", number of labels: ", labels.size(),
                                             ", limit: ", lim.label_limit, ")"));
  }
  for (const LabelView& l : labels) {
    if (lim.label_name_length_limit > 0 && l.name.size() > lim.label_name_length_limit) {
      return absl::InvalidArgumentError(
          StrCat("label_name_length_limit exceeded (metric: ", Cut50(metric),
                 ", label name: ", Cut50(l.name), ", length: ", l.name.size(),
                 ", limit: ", lim.label_name_length_limit, ")"));
    }
    if (lim.label_value_length_limit > 0 && l.value.size() > lim.label_value_length_limit) {
      return absl::InvalidArgumentError(
          StrCat("label_value_length_limit exceeded (metric: ", Cut50(metric),
                 ", label name: ", Cut50(l.name), ", value: ", QuoteString(Cut50(l.value)),
                 ", length: ", l.value.size(), ", limit: ", lim.label_value_length_limit, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ScrapeTarget::AppendBody(MetricsStore& store, MetricsAppender& app,
                                      const ScrapeJobConfig& job, std::string_view body,
                                      std::string_view content_type, int64_t now_ms,
                                      ScrapeOutcome* out) {
  ExpositionParseOptions opts;
  opts.content_type = content_type;
  opts.default_timestamp_ms = now_ms;
  opts.max_errors = 1;
  ExpositionParser parser(body, opts);
  if (metadata_.size() > kMaxMetadataFamilies) metadata_.clear();
  const Labels& target = labels_.public_labels;
  const ScrapeLimits& lim = job.limits;
  absl::Status fail;
  Labels owned;  // a label set built on the slow paths (conflicts, metric relabeling)
  std::vector<MetricMetadata*> changed_md;
  std::vector<std::string_view> changed_names;

  for (auto e = parser.Next(); e != ExpositionParser::Entry::kEnd; e = parser.Next()) {
    if (!parser.errors().empty()) break;  // as Prometheus: a bad line fails the scrape
    if (e == ExpositionParser::Entry::kMetadata) {
      const MetadataView& m = parser.metadata();
      auto it = metadata_.find(m.family);
      if (it == metadata_.end())
        it = metadata_.emplace(std::string(m.family), MetricMetadata{}).first;
      MetricMetadata& md = it->second;
      bool changed = false;
      auto set = [&changed](std::string* field, std::string_view v) {
        if (*field != v) {
          field->assign(v);
          changed = true;
        }
      };
      switch (m.kind) {
        case MetadataView::Kind::kHelp:
          set(&md.help, m.help);
          break;
        case MetadataView::Kind::kType:
          if (md.type != m.type) {
            md.type = m.type;
            changed = true;
          }
          break;
        case MetadataView::Kind::kUnit:
          set(&md.unit, m.unit);
          break;
      }
      if (changed && std::find(changed_md.begin(), changed_md.end(), &md) == changed_md.end()) {
        changed_md.push_back(&md);
        changed_names.push_back(it->first);
      }
      continue;
    }

    const SampleView& s = parser.sample();
    ++out->samples_scraped;
    if (!fail.ok()) continue;  // keep counting what the target exposed

    std::span<const LabelView> series;
    if (MergeFast(s.labels, target, job.honor_labels, &merged_)) {
      series = merged_;
    } else {
      owned = MergeWithConflicts(s.labels, target);
      ViewsOf(owned, &final_);
      series = final_;
    }
    if (!job.metric_relabel_configs.empty()) {
      std::optional<Labels> relabeled = Relabel(series, job.metric_relabel_configs);
      if (!relabeled || relabeled->empty()) continue;
      owned = *std::move(relabeled);
      ViewsOf(owned, &final_);
      series = final_;
    }
    ++out->samples_post_relabel;
    if (lim.sample_limit > 0 && out->samples_post_relabel > lim.sample_limit) {
      fail = absl::ResourceExhaustedError("sample limit exceeded");
      continue;
    }
    if (absl::Status st = CheckLabelLimits(series, lim); !st.ok()) {
      fail = st;
      continue;
    }
    if (absl::Status st = ValidateSeriesLabels(series); !st.ok()) {
      fail = absl::InvalidArgumentError(
          StrCat("invalid metric name or label names: ", ToStd(st.message()), " in ",
                 Truncated(Labels::FromViews(series).ToString(), 256)));
      continue;
    }

    const bool explicit_ts = job.honor_timestamps && s.has_timestamp;
    const Sample sample{explicit_ts ? s.timestamp_ms : now_ms, s.value};
    if (series_.Seen(HashLabels(series), series, /*track=*/!explicit_ts)) ++out->series_added;
    absl::StatusOr<SeriesRef> ref = app.GetOrCreate(series);
    if (!ref.ok()) {
      // A cardinality guard refused the series; the rest of the scrape goes on.
      RejectReason reason = AppendStats::ReasonOf(ref.status());
      if (ingest_ != nullptr && ingest_->rejected[static_cast<size_t>(reason)] != nullptr) {
        ingest_->rejected[static_cast<size_t>(reason)]->Inc();
      }
      continue;
    }
    app.Append(*ref, {&sample, 1});
    if (s.has_exemplar) {
      Exemplar ex = ToExemplar(s.exemplar);
      if (!s.exemplar.has_timestamp) ex.t = sample.t;
      app.AppendExemplar(*ref, ex);
    }
  }
  if (fail.ok() && !parser.errors().empty()) {
    const ExpositionErrors& errors = parser.errors();
    fail = absl::InvalidArgumentError(errors.items.empty() ? errors.Summary()
                                                           : errors.items[0].message);
  }
  for (size_t i = 0; i < changed_md.size(); ++i) {
    store.SetMetadata(changed_names[i], *changed_md[i]);
  }
  return fail;
}

}  // namespace vigil
