#include "server/logs_config.h"

#include "common/strings.h"
#include "query/promql/syntax/parser.h"

namespace vigil {
absl::Status ParseLogsSection(const YAML::Node& root, const YamlReader& r, LogsConfig* out) {
  YAML::Node l = root["logs"];
  if (!l) return absl::OkStatus();
  LogsDbOptions& o = out->db;
  if (absl::Status st = r.CheckKeys(l, "logs",
                                    {"retention", "retention_rules", "stream_labels", "max_streams",
                                     "max_line_size", "reject_older_than", "max_future",
                                     "head_max_size", "head_max_age", "segment_window", "wal_sync",
                                     "max_query_series", "max_entries_limit", "query_timeout"});
      !st.ok()) {
    return st;
  }
  for (auto [key, field] : {std::pair{"retention", &o.retention_ns},
                            std::pair{"reject_older_than", &o.reject_older_than_ns},
                            std::pair{"max_future", &o.max_future_ns},
                            std::pair{"head_max_age", &o.head_max_age_ns},
                            std::pair{"segment_window", &o.segment_window_ns}}) {
    if (absl::Status st = r.PositiveDurationNs(l, key, field); !st.ok()) return st;
  }
  uint64_t streams = o.max_streams, line = o.max_line_bytes, head = o.head_max_bytes;
  if (absl::Status st = r.Uint(l, "max_streams", &streams); !st.ok()) return st;
  if (absl::Status st = r.Bytes(l, "max_line_size", &line); !st.ok()) return st;
  if (absl::Status st = r.Bytes(l, "head_max_size", &head); !st.ok()) return st;
  if (l["max_line_size"] && (line == 0 || line > (64u << 20))) {
    return r.Error(l["max_line_size"], "max_line_size must be between 1 byte and 64MiB");
  }
  if (l["head_max_size"] && head < (1u << 20)) {
    return r.Error(l["head_max_size"], "head_max_size must be at least 1MiB");
  }
  o.max_streams = streams;
  o.max_line_bytes = line;
  o.head_max_bytes = head;
  if (absl::Status st = r.Bool(l, "wal_sync", &o.wal_sync); !st.ok()) return st;
  logql::LogqlEngineOptions& q = out->query;
  uint64_t series = q.max_series, entries = q.max_entries;
  if (absl::Status st = r.Uint(l, "max_query_series", &series); !st.ok()) return st;
  if (absl::Status st = r.Uint(l, "max_entries_limit", &entries); !st.ok()) return st;
  if (series == 0 || entries == 0) {
    return r.Error(l, "max_query_series and max_entries_limit must be positive");
  }
  q.max_series = series;
  q.max_entries = entries;
  if (absl::Status st = r.PositiveDurationNs(l, "query_timeout", &q.timeout_ns); !st.ok()) return st;
  if (absl::Status st = r.StringList(l, "stream_labels", &out->stream_label_fields); !st.ok()) {
    return st;
  }
  if (YAML::Node rules = l["retention_rules"]) {
    if (!rules.IsSequence()) return r.Error(rules, "retention_rules must be a list");
    for (const YAML::Node& rule : rules) {
      if (absl::Status st = r.CheckKeys(rule, "logs.retention_rules[]", {"selector", "period"});
          !st.ok()) {
        return st;
      }
      LogRetentionRule rr;
      if (absl::Status st = r.String(rule, "selector", &rr.selector); !st.ok()) return st;
      if (!rule["selector"] || !rule["period"]) {
        return r.Error(rule, "a retention rule needs a selector and a period");
      }
      auto sel = promql::ParseMetricSelector(rr.selector);
      if (!sel.ok()) {
        return r.Error(rule["selector"], StrCat("invalid selector ", QuoteString(rr.selector), ": ",
                                                ToStd(sel.status().message())));
      }
      if ((*sel)->matchers.empty()) return r.Error(rule["selector"], "the selector matches nothing");
      rr.matchers = (*sel)->matchers;
      rr.period_ns = 0;
      if (absl::Status st = r.PositiveDurationNs(rule, "period", &rr.period_ns); !st.ok()) return st;
      o.retention_rules.push_back(std::move(rr));
    }
  }
  return absl::OkStatus();
}

}  // namespace vigil
