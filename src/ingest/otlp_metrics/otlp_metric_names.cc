#include "ingest/otlp_metrics/otlp_metric_names.h"

#include <utility>

namespace vigil {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// UCUM units (as OpenTelemetry semantic conventions use them) and their Prometheus words.
constexpr std::pair<std::string_view, std::string_view> kUnits[] = {
    // time
    {"d", "days"},
    {"h", "hours"},
    {"min", "minutes"},
    {"s", "seconds"},
    {"ms", "milliseconds"},
    {"us", "microseconds"},
    {"ns", "nanoseconds"},
    // information
    {"By", "bytes"},
    {"KiBy", "kibibytes"},
    {"MiBy", "mebibytes"},
    {"GiBy", "gibibytes"},
    {"TiBy", "tebibytes"},
    {"KBy", "kilobytes"},
    {"MBy", "megabytes"},
    {"GBy", "gigabytes"},
    {"TBy", "terabytes"},
    // SI
    {"m", "meters"},
    {"V", "volts"},
    {"A", "amperes"},
    {"J", "joules"},
    {"W", "watts"},
    {"g", "grams"},
    // misc
    {"Cel", "celsius"},
    {"Hz", "hertz"},
    {"%", "percent"},
};

// The denominator of `a/b`, in the singular.
constexpr std::pair<std::string_view, std::string_view> kPerUnits[] = {
    {"s", "second"}, {"m", "minute"}, {"h", "hour"}, {"d", "day"},
    {"w", "week"},   {"mo", "month"}, {"y", "year"},
};

template <size_t N>
std::string_view Lookup(const std::pair<std::string_view, std::string_view> (&table)[N],
                        std::string_view key) {
  for (const auto& [k, v] : table) {
    if (k == key) return v;
  }
  return {};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An unknown unit as a name part: other characters become `_`, runs collapse, and the
// underscores that would end up at either end are dropped.
std::string SanitizeUnitWord(std::string_view u) {
  std::string out;
  for (char c : u) {
    if (IsAlnum(c)) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// Replaces every '_' run of `s` by one '_' in place.
void CollapseUnderscores(std::string* s, size_t from) {
  size_t w = from;
  for (size_t r = from; r < s->size(); ++r) {
    char c = (*s)[r];
    if (c == '_' && w > from && (*s)[w - 1] == '_') continue;
    (*s)[w++] = c;
  }
  s->resize(w);
}

bool EndsWithSuffix(std::string_view name, std::string_view word) {
  return name.size() > word.size() && name.ends_with(word) &&
         name[name.size() - word.size() - 1] == '_';
}

}  // namespace

std::string PrometheusUnit(std::string_view otlp_unit, PromFamilyKind kind) {
  // Drop `{...}` annotations wherever they are; an unclosed one runs to the end.
  std::string unit;
  int depth = 0;
  for (char c : otlp_unit) {
    if (c == '{') {
      ++depth;
    } else if (c == '}' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      unit.push_back(c);
    }
  }
  std::string_view u = Trim(unit);
  std::string_view main = u, per;
  if (size_t slash = u.find('/'); slash != std::string_view::npos) {
    main = Trim(u.substr(0, slash));
    per = Trim(u.substr(slash + 1));
  }
  std::string main_word;
  if (main == "1") {
    if (kind == PromFamilyKind::kGauge && per.empty()) main_word = "ratio";
  } else if (std::string_view w = Lookup(kUnits, main); !w.empty()) {
    main_word = w;
  } else {
    main_word = SanitizeUnitWord(main);
  }
  std::string per_word;
  if (std::string_view w = Lookup(kPerUnits, per); !w.empty()) {
    per_word = w;
  } else {
    per_word = SanitizeUnitWord(per);
  }
  if (per_word.empty()) return main_word;
  if (main_word.empty()) return "per_" + per_word;
  return main_word + "_per_" + per_word;
}

std::string PrometheusMetricName(std::string_view otlp_name, std::string_view otlp_unit,
                                 PromFamilyKind kind) {
  std::string name;
  name.reserve(otlp_name.size() + 16);
  if (!otlp_name.empty() && IsDigit(otlp_name.front())) name.push_back('_');
  for (char c : otlp_name) name.push_back(IsAlnum(c) || c == '_' || c == ':' ? c : '_');
  CollapseUnderscores(&name, 0);

  const bool counter = kind == PromFamilyKind::kCounter;
  if (counter && EndsWithSuffix(name, "total")) name.resize(name.size() - 6);
  std::string unit = PrometheusUnit(otlp_unit, kind);
  if (!unit.empty() && name != unit && !EndsWithSuffix(name, unit)) {
    name.push_back('_');
    name.append(unit);
  }
  if (counter) name.append("_total");
  CollapseUnderscores(&name, 0);
  return name;
}

bool IsPrometheusLabelNameAsIs(std::string_view key) {
  if (key.empty() || IsDigit(key[0])) return false;
  size_t i = 0;
  if (key[0] == '_') {
    // A single leading '_' gets a prefix; a leading "__" is kept, but not a longer run.
    if (!key.starts_with("__") || (key.size() > 2 && key[2] == '_')) return false;
    i = 2;
  }
  for (; i < key.size(); ++i) {
    char c = key[i];
    if (c == '_' ? key[i - 1] == '_' : !IsAlnum(c)) return false;
  }
  return true;
}

void AppendPrometheusLabelName(std::string_view key, std::string* out) {
  if (key.empty()) return;
  size_t i = 0;
  bool underscore = false;  // the last character written is a '_' (runs collapse)
  if (key.starts_with("__")) {
    out->append("__");
    underscore = true;
    i = 2;
  } else if (IsDigit(key[0])) {
    out->append("key_");
  } else if (!IsAlnum(key[0])) {
    // '_' or a character that becomes '_': "_x" and ".x" both read "key_x".
    out->append("key_");
    underscore = true;
    i = 1;
  }
  for (; i < key.size(); ++i) {
    char c = key[i];
    if (IsAlnum(c)) {
      out->push_back(c);
      underscore = false;
    } else if (!underscore) {
      out->push_back('_');
      underscore = true;
    }
  }
}

}  // namespace vigil
