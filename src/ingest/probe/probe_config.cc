#include "ingest/probe/probe_config.h"

#include <set>

#include "common/strings.h"
#include "http/url.h"

namespace vigil {
namespace {

// "200", "2xx" (a class) into a range.
bool ParseStatus(std::string_view s, StatusRange* out) {
  if (s.size() == 3 && s[0] >= '1' && s[0] <= '5' && (s[1] == 'x' || s[1] == 'X') &&
      (s[2] == 'x' || s[2] == 'X')) {
    out->min = (s[0] - '0') * 100;
    out->max = out->min + 99;
    return true;
  }
  int64_t code;
  if (!ParseInt64(s, &code) || code < 100 || code > 599) return false;
  out->min = out->max = static_cast<int>(code);
  return true;
}

absl::Status ReadExpectStatus(const YAML::Node& probe, const YamlReader& r, ProbeConfig* c) {
  YAML::Node n = probe["expect_status"];
  if (!n || n.IsNull()) return absl::OkStatus();
  std::vector<YAML::Node> items;
  if (n.IsSequence()) {
    for (const auto& item : n) items.push_back(item);
    if (items.empty()) return r.Error(n, "expect_status must not be empty");
  } else {
    items.push_back(n);
  }
  c->expect_status.clear();
  for (const YAML::Node& item : items) {
    StatusRange range;
    if (!item.IsScalar() || !ParseStatus(item.Scalar(), &range)) {
      return r.Error(item, StrCat("expect_status must be an HTTP status code (200) or class "
                                  "(2xx), got ",
                                  QuoteString(item.IsScalar() ? Truncated(item.Scalar()) : "")));
    }
    c->expect_status.push_back(range);
  }
  return absl::OkStatus();
}

absl::Status ReadLabels(const YAML::Node& probe, const YamlReader& r, ProbeConfig* c) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (auto st = r.StringMap(probe, "labels", &pairs); !st.ok()) return st;
  if (pairs.empty()) return absl::OkStatus();
  YAML::Node node = probe["labels"];
  std::vector<Label> items;
  std::set<std::string> seen;
  for (auto& [name, value] : pairs) {
    YAML::Node at = node;
    for (const auto& kv : node) {
      if (kv.first.Scalar() == name) at = kv.first;
    }
    if (!IsValidLabelName(name) || name.starts_with("__")) {
      return r.Error(at, StrCat(QuoteString(Truncated(name)), " is not a valid label name"));
    }
    if (name == "probe" || name == "instance" || name == "check") {
      return r.Error(at, StrCat("label ", QuoteString(name), " is set by the probe itself"));
    }
    if (!IsValidUtf8(value)) {
      return r.Error(at, StrCat("invalid UTF-8 in the value of label ", QuoteString(name)));
    }
    if (!seen.insert(name).second) {
      return r.Error(at, StrCat("duplicate label name ", QuoteString(name)));
    }
    if (!value.empty()) items.push_back({std::move(name), std::move(value)});
  }
  c->labels = Labels::FromUnsorted(std::move(items));
  return absl::OkStatus();
}

absl::Status ReadProbe(const YAML::Node& probe, const YamlReader& r, ProbeConfig* c) {
  if (!probe.IsMap()) return r.Error(probe, "each entry of probes must be a mapping");
  if (auto st =
          r.CheckKeys(probe, "probe",
                      {"name", "url", "interval", "timeout", "method", "expect_status", "labels"});
      !st.ok()) {
    return st;
  }
  if (auto st = r.String(probe, "name", &c->name); !st.ok()) return st;
  if (c->name.empty()) return r.Error(probe, "probe name is empty");
  if (!IsValidUtf8(c->name)) return r.Error(probe["name"], "probe name is not valid UTF-8");
  if (auto st = r.String(probe, "url", &c->url); !st.ok()) return st;
  if (c->url.empty()) {
    return r.Error(probe, StrCat("probe ", QuoteString(c->name), " has no url"));
  }
  if (c->url.starts_with("https://")) {
    return r.Error(probe["url"], StrCat("probe ", QuoteString(c->name),
                                        ": https is not supported, probes use plain http"));
  }
  if (auto u = ParseHttpUrl(c->url); !u.ok()) {
    return r.Error(probe["url"],
                   StrCat("probe ", QuoteString(c->name), ": invalid url ",
                          QuoteString(Truncated(c->url)), ": ", ToStd(u.status().message())));
  }
  int64_t interval = 0, timeout = 0;
  if (auto st = r.DurationMs(probe, "interval", &interval); !st.ok()) return st;
  if (auto st = r.DurationMs(probe, "timeout", &timeout); !st.ok()) return st;
  if (interval > 0) c->interval_ms = interval;
  if (timeout > 0) {
    c->timeout_ms = timeout;
  } else {
    c->timeout_ms = std::min(c->timeout_ms, c->interval_ms);
  }
  if (c->timeout_ms > c->interval_ms) {
    return r.Error(probe["timeout"],
                   StrCat("timeout greater than interval for probe ", QuoteString(c->name)));
  }
  if (auto st = r.String(probe, "method", &c->method); !st.ok()) return st;
  if (c->method != "GET" && c->method != "HEAD" && c->method != "POST") {
    return r.Error(probe["method"], StrCat("method must be GET, HEAD or POST, got ",
                                           QuoteString(Truncated(c->method))));
  }
  if (auto st = ReadExpectStatus(probe, r, c); !st.ok()) return st;
  return ReadLabels(probe, r, c);
}

}  // namespace

bool ProbeConfig::StatusAccepted(int status) const {
  for (const StatusRange& r : expect_status) {
    if (status >= r.min && status <= r.max) return true;
  }
  return false;
}

absl::StatusOr<std::vector<ProbeConfig>> ParseProbes(const YAML::Node& root,
                                                     const YamlReader& reader) {
  std::vector<ProbeConfig> out;
  if (!root || root.IsNull()) return out;
  if (!root.IsMap()) return reader.Error(root, "the configuration must be a mapping");
  YAML::Node probes = root["probes"];
  if (!probes || probes.IsNull()) return out;
  if (!probes.IsSequence()) return reader.Error(probes, "probes must be a list");
  std::set<std::string> names;
  for (const auto& probe : probes) {
    ProbeConfig c;
    if (auto st = ReadProbe(probe, reader, &c); !st.ok()) return st;
    if (!names.insert(c.name).second) {
      return reader.Error(probe["name"],
                          StrCat("found multiple probes named ", QuoteString(c.name)));
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace vigil
