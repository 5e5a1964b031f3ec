#include "ingest/scrape/target_labels.h"

#include <algorithm>
#include <set>

#include "common/strings.h"
#include "common/time_util.h"
#include "http/url.h"

namespace vigil {
namespace {

constexpr std::string_view kAddressLabel = "__address__";
constexpr std::string_view kSchemeLabel = "__scheme__";
constexpr std::string_view kMetricsPathLabel = "__metrics_path__";
constexpr std::string_view kIntervalLabel = "__scrape_interval__";
constexpr std::string_view kTimeoutLabel = "__scrape_timeout__";
constexpr std::string_view kParamPrefix = "__param_";
constexpr std::string_view kReservedPrefix = "__";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void SetIfAbsent(LabelsBuilder& b, std::string_view name, std::string_view value) {
  if (b.Get(name).empty()) b.Set(name, value);
}

absl::StatusOr<int64_t> LabelDuration(const Labels& l, std::string_view name,
                                      std::string_view what) {
  auto d = ParseDurationMs(l.Get(name));
  if (!d.ok()) {
    return absl::InvalidArgumentError(StrCat("error parsing ", what, " ",
                                             QuoteString(Truncated(l.Get(name))), ": ",
                                             ToStd(d.status().message())));
  }
  if (*d <= 0) return absl::InvalidArgumentError(StrCat(what, " cannot be 0"));
  return *d;
}

std::string BuildScrapeUrl(const ScrapeJobConfig& job, const Labels& l) {
  ParamList params;
  for (const auto& [name, values] : job.params) {
    for (const auto& v : values) params.emplace_back(name, v);
  }
  for (const LabelView& label : l) {
    if (!StartsWith(label.name, kParamPrefix)) continue;
    std::string name(label.name.substr(kParamPrefix.size()));
    bool replaced = false;
    for (auto& p : params) {
      if (p.first == name) {
        p.second = std::string(label.value);
        replaced = true;
        break;
      }
    }
    if (!replaced) params.emplace_back(std::move(name), std::string(label.value));
  }
  // Go's url.Values.Encode sorts by name, keeping the order of values of one name.
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string url =
      StrCat(l.Get(kSchemeLabel), "://", l.Get(kAddressLabel), l.Get(kMetricsPathLabel));
  if (!params.empty()) StrAppend(&url, "?", EncodeQueryString(params));
  return url;
}

}  // namespace

absl::StatusOr<std::optional<TargetLabels>> PopulateTargetLabels(const ScrapeJobConfig& job,
                                                                 const StaticTargetGroup& group,
                                                                 std::string_view address,
                                                                 Labels* discovered) {
  LabelsBuilder b(group.labels);
  b.Set(kAddressLabel, address);
  SetIfAbsent(b, "job", job.job_name);
  SetIfAbsent(b, kIntervalLabel, FormatDurationMs(job.scrape_interval_ms));
  SetIfAbsent(b, kTimeoutLabel, FormatDurationMs(job.scrape_timeout_ms));
  SetIfAbsent(b, kMetricsPathLabel, job.metrics_path);
  SetIfAbsent(b, kSchemeLabel, job.scheme);
  for (const auto& [name, values] : job.params) {
    if (!values.empty()) SetIfAbsent(b, StrCat(kParamPrefix, name), values[0]);
  }
  *discovered = b.Build();

  std::optional<Labels> relabeled = Relabel(*discovered, job.relabel_configs);
  if (!relabeled) return std::optional<TargetLabels>();

  std::string_view addr = relabeled->Get(kAddressLabel);
  if (addr.empty()) return absl::InvalidArgumentError("no address");
  if (addr.find('/') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat("invalid (host:port) address ", QuoteString(Truncated(addr))));
  }
  if (relabeled->Get(kSchemeLabel) != "http") {
    return absl::InvalidArgumentError(StrCat("unsupported scheme ",
                                             QuoteString(Truncated(relabeled->Get(kSchemeLabel))),
                                             ": only http targets can be scraped"));
  }
  TargetLabels t;
  auto interval = LabelDuration(*relabeled, kIntervalLabel, "scrape interval");
  if (!interval.ok()) return interval.status();
  auto timeout = LabelDuration(*relabeled, kTimeoutLabel, "scrape timeout");
  if (!timeout.ok()) return timeout.status();
  if (*timeout > *interval) {
    return absl::InvalidArgumentError(
        StrCat("scrape timeout cannot be greater than scrape interval (",
               QuoteString(relabeled->Get(kTimeoutLabel)), " > ",
               QuoteString(relabeled->Get(kIntervalLabel)), ")"));
  }
  t.interval_ms = *interval;
  t.timeout_ms = *timeout;

  LabelsBuilder out(*relabeled);
  for (const LabelView& l : *relabeled) {
    if (StartsWith(l.name, "__meta_")) out.Del(l.name);
  }
  if (out.Get("instance").empty()) out.Set("instance", addr);
  t.labels = out.Build();
  std::vector<Label> pub;
  for (const LabelView& l : t.labels) {
    if (!IsValidUtf8(l.value)) {
      return absl::InvalidArgumentError(StrCat("invalid label value for ", QuoteString(l.name),
                                               ": ", QuoteString(Truncated(l.value))));
    }
    if (!StartsWith(l.name, kReservedPrefix))
      pub.push_back({std::string(l.name), std::string(l.value)});
  }
  t.public_labels = Labels(std::move(pub));
  t.discovered = *discovered;
  t.scrape_url = BuildScrapeUrl(job, t.labels);
  if (auto u = ParseHttpUrl(t.scrape_url); !u.ok()) {
    return absl::InvalidArgumentError(StrCat("invalid scrape URL ",
                                             QuoteString(Truncated(t.scrape_url)), ": ",
                                             ToStd(u.status().message())));
  }
  return std::optional<TargetLabels>(std::move(t));
}

JobTargets BuildJobTargets(const ScrapeJobConfig& job) {
  JobTargets out;
  std::set<uint64_t> seen;
  for (const StaticTargetGroup& group : job.static_configs) {
    for (const std::string& address : group.targets) {
      Labels discovered;
      auto t = PopulateTargetLabels(job, group, address, &discovered);
      if (!t.ok()) {
        out.errors.push_back(StrCat("job ", QuoteString(job.job_name), ", target ",
                                    QuoteString(Truncated(address)), ": ",
                                    ToStd(t.status().message())));
        continue;
      }
      if (!t->has_value()) {
        out.dropped.push_back({std::move(discovered)});
        continue;
      }
      if (!seen.insert((*t)->labels.Hash()).second) continue;
      out.active.push_back(std::move(**t));
    }
  }
  return out;
}

}  // namespace vigil
