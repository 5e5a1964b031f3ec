#include "common/yaml_util.h"

#include <cctype>

#include "common/strings.h"
#include "common/time_util.h"

namespace vigil {

absl::Status YamlReader::Error(const YAML::Node& at, std::string_view what) const {
  int line = at.Mark().line + 1;
  if (at.Mark().line < 0) return absl::InvalidArgumentError(StrCat(file_, ": ", what));
  return absl::InvalidArgumentError(StrCat(file_, ":", line, ": ", what));
}

absl::Status YamlReader::CheckKeys(const YAML::Node& map, std::string_view section,
                                   std::initializer_list<std::string_view> known) const {
  if (!map || map.IsNull()) return absl::OkStatus();
  if (!map.IsMap()) return Error(map, StrCat(section, " must be a mapping"));
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    bool ok = false;
    for (std::string_view k : known) ok |= key == k;
    if (!ok) return Error(kv.first, StrCat("unknown key ", QuoteString(key), " in ", section));
  }
  return absl::OkStatus();
}

namespace {
bool Scalar(const YAML::Node& n) { return n.IsScalar(); }
}  // namespace

absl::Status YamlReader::String(const YAML::Node& map, std::string_view key, std::string* out) const {
  YAML::Node n = map[std::string(key)];
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!Scalar(n)) return Error(n, StrCat(key, " must be a string"));
  *out = n.Scalar();
  return absl::OkStatus();
}

absl::Status YamlReader::Bool(const YAML::Node& map, std::string_view key, bool* out) const {
  YAML::Node n = map[std::string(key)];
  if (!n || n.IsNull()) return absl::OkStatus();
  const std::string& s = Scalar(n) ? n.Scalar() : "";
  if (s == "true") {
    *out = true;
  } else if (s == "false") {
    *out = false;
  } else {
    return Error(n, StrCat(key, " must be true or false, got ", QuoteString(s)));
  }
  return absl::OkStatus();
}

absl::Status YamlReader::Uint(const YAML::Node& map, std::string_view key, uint64_t* out) const {
  YAML::Node n = map[std::string(key)];
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!Scalar(n) || !ParseUint64(n.Scalar(), out)) {
    return Error(n, StrCat(key, " must be a non-negative integer, got ",
                           QuoteString(Scalar(n) ? n.Scalar() : "")));
  }
  return absl::OkStatus();
}

absl::Status YamlReader::DurationMs(const YAML::Node& map, std::string_view key, int64_t* out) const {
  YAML::Node n = map[std::string(key)];
  if (!n || n.IsNull()) return absl::OkStatus();
  auto d = Scalar(n) ? ParseDurationMs(n.Scalar()) : absl::InvalidArgumentError("not a scalar");
  if (!d.ok()) {
    return Error(n, StrCat(key, " must be a duration like 30s, 5m, 2h or 15d, got ",
                           QuoteString(Scalar(n) ? n.Scalar() : "")));
  }
  *out = *d;
  return absl::OkStatus();
}

absl::Status YamlReader::PositiveDurationNs(const YAML::Node& map, std::string_view key,
                                            int64_t* out) const {
  constexpr int64_t kNsPerMs = 1'000'000;
  int64_t ms = *out / kNsPerMs;
  if (absl::Status st = DurationMs(map, key, &ms); !st.ok()) return st;
  if (map[std::string(key)] && ms <= 0) return Error(map[std::string(key)], StrCat(key, " must be positive"));
  *out = ms * kNsPerMs;
  return absl::OkStatus();
}

absl::Status YamlReader::Bytes(const YAML::Node& map, std::string_view key, uint64_t* out) const {
  YAML::Node n = map[std::string(key)];
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!Scalar(n) || !ParseByteSize(n.Scalar(), out)) {
    return Error(n, StrCat(key, " must be a size like 512MB or 10GiB, got ",
                           QuoteString(Scalar(n) ? n.Scalar() : "")));
  }
  return absl::OkStatus();
}

absl::Status YamlReader::StringList(const YAML::Node& map, std::string_view key,
                                    std::vector<std::string>* out) const {
  YAML::Node n = map[std::string(key)];
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!n.IsSequence()) return Error(n, StrCat(key, " must be a list"));
  out->clear();
  for (const auto& item : n) {
    if (!Scalar(item)) return Error(item, StrCat("items of ", key, " must be strings"));
    out->push_back(item.Scalar());
  }
  return absl::OkStatus();
}

absl::Status YamlReader::StringMap(const YAML::Node& map, std::string_view key,
                                   std::vector<std::pair<std::string, std::string>>* out) const {
  YAML::Node n = map[std::string(key)];
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!n.IsMap()) return Error(n, StrCat(key, " must be a mapping"));
  out->clear();
  for (const auto& kv : n) {
    if (!Scalar(kv.second)) return Error(kv.second, StrCat("values of ", key, " must be strings"));
    out->emplace_back(kv.first.Scalar(), kv.second.Scalar());
  }
  return absl::OkStatus();
}

bool ParseByteSize(std::string_view s, uint64_t* out) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  uint64_t n;
  if (i == 0 || !ParseUint64(s.substr(0, i), &n)) return false;
  std::string unit;
  for (char c : s.substr(i)) unit.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  struct U {
    const char* name;
    uint64_t mult;
  };
  static constexpr U kUnits[] = {{"", 1},         {"B", 1},          {"KB", 1000},
                                 {"MB", 1000000}, {"GB", 1000000000}, {"TB", 1000000000000},
                                 {"KIB", 1ull << 10}, {"MIB", 1ull << 20}, {"GIB", 1ull << 30},
                                 {"TIB", 1ull << 40}};
  for (const auto& u : kUnits) {
    if (unit == u.name) {
      if (n > UINT64_MAX / u.mult) return false;
      *out = n * u.mult;
      return true;
    }
  }
  return false;
}

}  // namespace vigil
