#include "server/traces_config.h"

#include "common/strings.h"

namespace vigil {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;

absl::Status PositiveDurationNs(const YamlReader& r, const YAML::Node& map, std::string_view key,
                                int64_t* out) {
  int64_t ms = *out / kNsPerMs;
  if (absl::Status st = r.DurationMs(map, key, &ms); !st.ok()) return st;
  if (map[std::string(key)] && ms <= 0) {
    return r.Error(map[std::string(key)], StrCat(key, " must be positive"));
  }
  *out = ms * kNsPerMs;
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseTracesSection(const YAML::Node& root, const YamlReader& r, TracesConfig* out) {
  YAML::Node t = root["traces"];
  if (!t) return absl::OkStatus();
  TracesDbOptions& o = out->db;
  if (absl::Status st = r.CheckKeys(
          t, "traces", {"retention", "max_future", "head_max_size", "head_max_age", "wal_sync"});
      !st.ok()) {
    return st;
  }
  for (auto [key, field] : {std::pair{"retention", &o.retention_ns},
                            std::pair{"max_future", &o.max_future_ns},
                            std::pair{"head_max_age", &o.head_max_age_ns}}) {
    if (absl::Status st = PositiveDurationNs(r, t, key, field); !st.ok()) return st;
  }
  uint64_t head = o.head_max_bytes;
  if (absl::Status st = r.Bytes(t, "head_max_size", &head); !st.ok()) return st;
  if (t["head_max_size"] && head < (1u << 20)) {
    return r.Error(t["head_max_size"], "head_max_size must be at least 1MiB");
  }
  o.head_max_bytes = head;
  return r.Bool(t, "wal_sync", &o.wal_sync);
}

}  // namespace vigil
