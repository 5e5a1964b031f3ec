#include "ingest/exposition/parser.h"

#include <algorithm>

#include "common/strings.h"
#include "ingest/exposition/numbers.h"

namespace vigil {
namespace {

// OpenMetrics caps an exemplar's label names and values at 128 characters together.
constexpr size_t kMaxExemplarRunes = 128;
// Longest piece of input quoted back in an error message.
constexpr size_t kMaxQuoted = 64;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLabelNameStart(char c) { return IsAlpha(c) || c == '_'; }
bool IsLabelNameChar(char c) { return IsLabelNameStart(c) || IsDigit(c); }
bool IsMetricNameStart(char c) { return IsLabelNameStart(c) || c == ':'; }
bool IsMetricNameChar(char c) { return IsLabelNameChar(c) || c == ':'; }

void SkipBlanks(std::string_view s, size_t* pos) {
  while (*pos < s.size() && IsBlank(s[*pos])) ++*pos;
}

// The run of non-blank bytes at `pos`, for numbers and words.
std::string_view Word(std::string_view s, size_t* pos) {
  size_t start = *pos;
  while (*pos < s.size() && !IsBlank(s[*pos])) ++*pos;
  return s.substr(start, *pos - start);
}

// Quotes input for an error message: truncated, control bytes escaped, and bytes of invalid
// UTF-8 escaped too, so messages stay printable and valid UTF-8 themselves.
std::string QuoteInput(std::string_view s) {
  s = Truncated(s, kMaxQuoted);
  if (IsValidUtf8(s)) return QuoteString(s);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x80) {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      std::string one = QuoteString(std::string_view(reinterpret_cast<const char*>(&c), 1));
      out.append(one, 1, one.size() - 2);
    }
  }
  out.push_back('"');
  return out;
}

// What was found at `pos`, for "expected X, got Y".
std::string Got(std::string_view line, size_t pos) {
  if (pos >= line.size()) return "end of line";
  return QuoteInput(line.substr(pos, 1));
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool ByName(const LabelView& a, const LabelView& b) { return a.name < b.name; }

}  // namespace

std::string ExpositionErrors::Summary() const {
  std::string out;
  for (const auto& e : items) {
    if (!out.empty()) out.append("; ");
    out.append(e.message);
  }
  if (total > items.size()) StrAppend(&out, " (and ", total - items.size(), " more errors)");
  return out;
}

Exemplar ToExemplar(const ExemplarView& view) {
  Exemplar e;
  e.labels = Labels::FromViews(view.labels);
  e.value = view.value;
  e.t = view.timestamp_ms;
  e.has_t = view.has_timestamp;
  return e;
}

ExpositionParser::ExpositionParser(std::string_view body, const ExpositionParseOptions& options)
    : body_(body),
      format_(options.format == ExpositionFormat::kAuto ? DetectFormat(options.content_type, body)
                                                        : options.format),
      max_errors_(options.max_errors),
      default_timestamp_ms_(options.default_timestamp_ms) {}

ExpositionParser::Entry ExpositionParser::Next() {
  while (!done_) {
    if (pos_ >= body_.size()) {
      EndOfBody();
      break;
    }
    size_t nl = body_.find('\n', pos_);
    size_t end = nl == std::string_view::npos ? body_.size() : nl;
    std::string_view line = body_.substr(pos_, end - pos_);
    pos_ = nl == std::string_view::npos ? body_.size() : nl + 1;
    ++line_no_;
    Entry entry;
    if (ParseLine(line, &entry)) return entry;
  }
  return Entry::kEnd;
}

void ExpositionParser::EndOfBody() {
  done_ = true;
  if (format_ == ExpositionFormat::kOpenMetrics && !eof_seen_) {
    ++line_no_;
    Fail("missing \"# EOF\" at the end of an OpenMetrics exposition");
  }
}

bool ExpositionParser::Fail(std::string_view message) {
  ++errors_.total;
  if (errors_.items.size() < max_errors_) {
    errors_.items.push_back({line_no_, StrCat("line ", line_no_, ": ", message)});
  }
  return false;
}

char* ExpositionParser::ScratchAlloc(size_t n) {
  // The buffer was sized to the line, and unescaping never lengthens text.
  char* p = scratch_.data() + scratch_used_;
  scratch_used_ += n;
  return p;
}

bool ExpositionParser::ParseLine(std::string_view line, Entry* entry) {
  // Windows line endings in hand-written 0.0.4 files; OpenMetrics forbids them.
  if (format_ == ExpositionFormat::kPrometheusText && !line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  size_t i = 0;
  SkipBlanks(line, &i);
  if (i == line.size()) return false;  // blank line
  line.remove_prefix(i);
  scratch_used_ = 0;
  if (scratch_.size() < line.size()) scratch_.resize(line.size());
  if (line[0] == '#') return ParseComment(line, entry);
  if (!ParseSample(line)) return false;
  *entry = Entry::kSample;
  return true;
}

bool ExpositionParser::ParseComment(std::string_view line, Entry* entry) {
  const bool om = format_ == ExpositionFormat::kOpenMetrics;
  size_t i = 1;
  SkipBlanks(line, &i);
  std::string_view keyword = Word(line, &i);
  if (om && keyword == "EOF") {
    SkipBlanks(line, &i);
    if (i != line.size()) {
      return Fail(StrCat("unexpected text after \"# EOF\": ", QuoteInput(line.substr(i))));
    }
    eof_seen_ = true;
    done_ = true;
    std::string_view rest = body_.substr(pos_);
    size_t first = rest.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos) {
      line_no_ += 1 + std::count(rest.begin(), rest.begin() + first, '\n');
      Fail("unexpected content after \"# EOF\"; the rest of the body is ignored");
    }
    return false;
  }
  MetadataView::Kind kind;
  if (keyword == "HELP") {
    kind = MetadataView::Kind::kHelp;
  } else if (keyword == "TYPE") {
    kind = MetadataView::Kind::kType;
  } else if (om && keyword == "UNIT") {
    kind = MetadataView::Kind::kUnit;
  } else if (om) {
    return Fail(StrCat("unexpected comment ", QuoteInput(keyword),
                       ": OpenMetrics allows only HELP, TYPE, UNIT and EOF after \"#\""));
  } else {
    return false;  // an ordinary comment
  }

  SkipBlanks(line, &i);
  std::string_view name = Word(line, &i);
  if (name.empty())
    return Fail(StrCat("expected metric name after ", keyword, ", got end of line"));
  if (!IsValidMetricName(name)) {
    return Fail(StrCat("invalid metric name ", QuoteInput(name), " in ", keyword, " line"));
  }
  SkipBlanks(line, &i);
  metadata_ = MetadataView{};
  metadata_.kind = kind;
  metadata_.family = name;
  metadata_.line = line_no_;

  switch (kind) {
    case MetadataView::Kind::kHelp: {
      std::string_view text = line.substr(i);
      if (text.find('\\') != std::string_view::npos) {
        char* out = ScratchAlloc(0);
        size_t n = 0;
        for (size_t k = 0; k < text.size(); ++k) {
          char c = text[k];
          if (c == '\\' && k + 1 < text.size()) {
            char e = text[k + 1];
            // 0.0.4 escapes only backslash and newline; OpenMetrics adds the double quote.
            if (e == '\\' || e == 'n' || (om && e == '"')) {
              out[n++] = e == 'n' ? '\n' : e;
              ++k;
              continue;
            }
          }
          out[n++] = c;
        }
        ScratchAlloc(n);
        text = std::string_view(out, n);
      }
      if (!IsValidUtf8(text))
        return Fail(StrCat("invalid UTF-8 in HELP text of ", QuoteInput(name)));
      metadata_.help = text;
      break;
    }
    case MetadataView::Kind::kType: {
      std::string_view word = Word(line, &i);
      if (word.empty()) {
        return Fail(StrCat("expected metric type after ", QuoteInput(name), ", got end of line"));
      }
      MetricType type;
      if (!ParseMetricType(word, &type)) {
        return Fail(StrCat("invalid metric type ", QuoteInput(word), " for ", QuoteInput(name)));
      }
      SkipBlanks(line, &i);
      if (i != line.size()) {
        return Fail(StrCat("unexpected text after metric type: ", QuoteInput(line.substr(i))));
      }
      metadata_.type = type;
      family_ = name;
      family_type_ = type;
      break;
    }
    case MetadataView::Kind::kUnit: {
      std::string_view unit = Word(line, &i);
      for (char c : unit) {
        if (!IsMetricNameChar(c)) return Fail(StrCat("invalid unit ", QuoteInput(unit)));
      }
      SkipBlanks(line, &i);
      if (i != line.size()) {
        return Fail(StrCat("unexpected text after unit: ", QuoteInput(line.substr(i))));
      }
      metadata_.unit = unit;
      break;
    }
  }
  *entry = Entry::kMetadata;
  return true;
}

bool ExpositionParser::ParseSample(std::string_view line) {
  const bool om = format_ == ExpositionFormat::kOpenMetrics;
  size_t i = 0;
  if (IsMetricNameStart(line[0])) {
    while (i < line.size() && IsMetricNameChar(line[i])) ++i;
  }
  if (i == 0 || (i < line.size() && line[i] != '{' && !IsBlank(line[i]))) {
    size_t end = i;
    while (end < line.size() && line[end] != '{' && !IsBlank(line[end])) ++end;
    if (end == 0) return Fail(StrCat("expected metric name, got ", Got(line, 0)));
    return Fail(StrCat("invalid metric name ", QuoteInput(line.substr(0, end))));
  }
  std::string_view name = line.substr(0, i);

  labels_.clear();
  labels_.push_back({kMetricName, name});
  SkipBlanks(line, &i);
  if (i < line.size() && line[i] == '{') {
    if (!ParseLabels(line, &i, &labels_, "")) return false;
    if (!SortAndCheck(&labels_, "")) return false;
    if (i < line.size() && !IsBlank(line[i])) {
      return Fail(StrCat("expected space before value, got ", Got(line, i)));
    }
    SkipBlanks(line, &i);
  }
  std::string_view value_text = Word(line, &i);
  if (value_text.empty()) {
    return Fail(StrCat("expected value for ", QuoteInput(name), ", got end of line"));
  }
  double value;
  if (!ParseGoFloat(value_text, &value)) {
    return Fail(StrCat("invalid value ", QuoteInput(value_text), " for ", QuoteInput(name),
                       ": not a float"));
  }

  sample_.has_timestamp = false;
  sample_.timestamp_ms = default_timestamp_ms_;
  sample_.has_exemplar = false;
  SkipBlanks(line, &i);
  if (i < line.size() && line[i] != '#') {
    std::string_view ts_text = Word(line, &i);
    int64_t ts;
    if (om ? !ParseTimestampSeconds(ts_text, &ts) : !ParseTimestampMs(ts_text, &ts)) {
      return Fail(StrCat("invalid timestamp ", QuoteInput(ts_text),
                         om ? ": expected float seconds" : ": expected integer milliseconds"));
    }
    sample_.has_timestamp = true;
    sample_.timestamp_ms = ts;
    SkipBlanks(line, &i);
  }
  if (i < line.size()) {
    if (line[i] != '#') {
      return Fail(StrCat("unexpected text after timestamp: ", QuoteInput(line.substr(i))));
    }
    if (!ParseExemplar(line, i)) return false;
  }

  sample_.labels = labels_;
  sample_.metric_name = name;
  sample_.value = value;
  sample_.line = line_no_;
  AttributeFamily();
  return true;
}

bool ExpositionParser::ParseLabels(std::string_view line, size_t* pos, std::vector<LabelView>* out,
                                   std::string_view what) {
  // Text 0.0.4 allows a trailing comma; OpenMetrics does not.
  const bool trailing_comma_ok = format_ == ExpositionFormat::kPrometheusText;
  ++*pos;  // '{'
  bool after_comma = false;
  for (;;) {
    SkipBlanks(line, pos);
    if (*pos < line.size() && line[*pos] == '}' && (!after_comma || trailing_comma_ok)) {
      ++*pos;
      return true;
    }
    size_t start = *pos;
    if (*pos < line.size() && IsLabelNameStart(line[*pos])) {
      while (*pos < line.size() && IsLabelNameChar(line[*pos])) ++*pos;
    }
    if (start == *pos) return Fail(StrCat(what, "expected label name, got ", Got(line, *pos)));
    std::string_view name = line.substr(start, *pos - start);
    SkipBlanks(line, pos);
    if (*pos >= line.size() || line[*pos] != '=') {
      return Fail(
          StrCat(what, "expected \"=\" after label name \"", name, "\", got ", Got(line, *pos)));
    }
    ++*pos;
    SkipBlanks(line, pos);
    if (*pos >= line.size() || line[*pos] != '"') {
      return Fail(StrCat(what, "expected '\"' to open the value of label \"", name, "\", got ",
                         Got(line, *pos)));
    }
    std::string_view value;
    if (!ParseQuoted(line, pos, name, what, &value)) return false;
    out->push_back({name, value});
    SkipBlanks(line, pos);
    if (*pos < line.size() && line[*pos] == '}') {
      ++*pos;
      return true;
    }
    if (*pos < line.size() && line[*pos] == ',') {
      ++*pos;
      after_comma = true;
      continue;
    }
    return Fail(StrCat(what, "expected \",\" or \"}\" after the value of label \"", name,
                       "\", got ", Got(line, *pos)));
  }
}

bool ExpositionParser::ParseQuoted(std::string_view line, size_t* pos, std::string_view label,
                                   std::string_view what, std::string_view* out) {
  size_t start = *pos + 1;
  size_t i = start;
  bool escaped = false;
  while (i < line.size() && line[i] != '"') {
    if (line[i] == '\\') {
      escaped = true;
      i += 2;
    } else {
      ++i;
    }
  }
  if (i >= line.size()) {
    return Fail(StrCat(what, "unterminated quoted string in the value of label \"", label, "\""));
  }
  std::string_view raw = line.substr(start, i - start);
  *pos = i + 1;
  if (escaped) {
    char* dst = ScratchAlloc(0);
    size_t n = 0;
    for (size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] != '\\') {
        dst[n++] = raw[k];
        continue;
      }
      char e = raw[++k];  // the scan above guarantees a byte after each backslash
      if (e == '\\' || e == '"') {
        dst[n++] = e;
      } else if (e == 'n') {
        dst[n++] = '\n';
      } else {
        return Fail(StrCat(what, "invalid escape sequence ",
                           QuoteInput(std::string_view(raw.data() + k - 1, 2)),
                           " in the value of label \"", label, "\""));
      }
    }
    ScratchAlloc(n);
    raw = std::string_view(dst, n);
  }
  if (!IsValidUtf8(raw)) {
    return Fail(StrCat(what, "invalid UTF-8 in the value of label \"", label, "\""));
  }
  *out = raw;
  return true;
}

bool ExpositionParser::ParseExemplar(std::string_view line, size_t pos) {
  ++pos;  // '#'
  SkipBlanks(line, &pos);
  if (pos >= line.size() || line[pos] != '{') {
    return Fail(StrCat("exemplar: expected \"{\" after \"#\", got ", Got(line, pos)));
  }
  exemplar_labels_.clear();
  if (!ParseLabels(line, &pos, &exemplar_labels_, "exemplar: ")) return false;
  if (pos < line.size() && !IsBlank(line[pos])) {
    return Fail(StrCat("exemplar: expected space before value, got ", Got(line, pos)));
  }
  SkipBlanks(line, &pos);
  std::string_view value_text = Word(line, &pos);
  if (value_text.empty()) return Fail("exemplar: expected value, got end of line");
  ExemplarView& ex = sample_.exemplar;
  if (!ParseGoFloat(value_text, &ex.value)) {
    return Fail(StrCat("exemplar: invalid value ", QuoteInput(value_text), ": not a float"));
  }
  ex.has_timestamp = false;
  ex.timestamp_ms = 0;
  SkipBlanks(line, &pos);
  if (pos < line.size()) {
    std::string_view ts_text = Word(line, &pos);
    if (!ParseTimestampSeconds(ts_text, &ex.timestamp_ms)) {
      return Fail(
          StrCat("exemplar: invalid timestamp ", QuoteInput(ts_text), ": expected float seconds"));
    }
    ex.has_timestamp = true;
    SkipBlanks(line, &pos);
    if (pos < line.size()) {
      return Fail(
          StrCat("exemplar: unexpected text after timestamp: ", QuoteInput(line.substr(pos))));
    }
  }
  if (!SortAndCheck(&exemplar_labels_, "exemplar: ")) return false;
  size_t runes = 0;
  for (const auto& l : exemplar_labels_) runes += RuneCount(l.name) + RuneCount(l.value);
  if (runes > kMaxExemplarRunes) {
    // The sample itself is fine: keep it, drop only the exemplar.
    Fail(StrCat("exemplar labels are ", runes, " characters long, more than the ",
                kMaxExemplarRunes, " allowed; exemplar dropped"));
    return true;
  }
  ex.labels = exemplar_labels_;
  sample_.has_exemplar = true;
  return true;
}

bool ExpositionParser::SortAndCheck(std::vector<LabelView>* labels, std::string_view what) {
  std::sort(labels->begin(), labels->end(), ByName);
  for (size_t k = 1; k < labels->size(); ++k) {
    if ((*labels)[k].name == (*labels)[k - 1].name) {
      return Fail(StrCat(what, "duplicate label name \"", (*labels)[k].name, "\""));
    }
  }
  std::erase_if(*labels, [](const LabelView& l) { return l.value.empty(); });
  return true;
}

void ExpositionParser::AttributeFamily() {
  if (BelongsToFamily(sample_.metric_name, family_, family_type_)) {
    sample_.family = family_;
    sample_.type = family_type_;
  } else {
    sample_.family = sample_.metric_name;
    sample_.type = MetricType::kUnknown;
  }
}

}  // namespace vigil
