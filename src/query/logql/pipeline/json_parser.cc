#include "query/logql/pipeline/json_parser.h"

#include "common/strings.h"
#include "query/logql/pipeline/json_scratch.h"

namespace vigil::logql::pipeline {
namespace {

namespace od = simdjson::ondemand;

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The text Loki gives a scalar JSON value: unescaped string (U+FFFD turned into a space),
// number as written, "true"/"false", "" for null. Objects and arrays are handled by callers.
simdjson::error_code ScalarText(od::value& v, od::json_type type, JsonScratch& js,
                                std::string_view* out) {
  switch (type) {
    case od::json_type::string: {
      std::string_view s;
      if (auto err = v.get_string().get(s)) return err;
      *out = JsonScratch::ReplaceRuneErrors(s, &js.value);
      return simdjson::SUCCESS;
    }
    case od::json_type::number: {
      *out = TrimRight(v.raw_json_token());
      return simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (auto err = v.get_bool().get(b)) return err;
      *out = b ? "true" : "false";
      return simdjson::SUCCESS;
    }
    default:
      *out = {};
      return simdjson::SUCCESS;
  }
}

// Appends the sanitized `part` to the flattened key in js.key, joined with `_`.
void AppendKeyPart(std::string_view part, std::string* key) {
  const size_t mark = key->size();
  if (!key->empty()) key->push_back('_');
  const size_t before = key->size();
  AppendSanitizedLabelName(part, key);
  if (key->size() == before) key->resize(mark);  // a blank part adds nothing, not a `_`
}

simdjson::error_code Flatten(od::object obj, LineState& state, JsonScratch& js, int depth) {
  if (depth > kMaxJsonDepth) return simdjson::DEPTH_ERROR;
  for (auto field_result : obj) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) return err;
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return err;
    od::value v = field.value();
    od::json_type type;
    if (auto err = v.type().get(type)) return err;
    if (type == od::json_type::array || type == od::json_type::null) continue;  // skipped
    const size_t mark = js.key.size();
    AppendKeyPart(key, &js.key);
    if (type == od::json_type::object) {
      od::object child;
      simdjson::error_code err = v.get_object().get(child);
      if (!err) err = Flatten(child, state, js, depth + 1);
      js.key.resize(mark);
      if (err) return err;
      continue;
    }
    std::string_view text;
    if (auto err = ScalarText(v, type, js, &text)) {
      js.key.resize(mark);
      return err;
    }
    if (js.key.size() > mark || mark == 0) {
      state.Set(state.ExtractedLabelNameFor(js.key), text);
    }
    js.key.resize(mark);
  }
  return simdjson::SUCCESS;
}

// Follows `path` from the document's root. Walks objects and arrays by iterating them (the
// first matching key wins, as in Loki), which stays safe on truncated documents.
simdjson::error_code Navigate(od::document& doc, const std::vector<JsonPathStep>& path,
                              od::value* out) {
  od::value cur;
  if (auto err = doc.get_value().get(cur)) return err;
  for (const JsonPathStep& step : path) {
    bool found = false;
    if (step.index < 0) {
      od::object obj;
      if (auto err = cur.get_object().get(obj)) return err;
      for (auto field_result : obj) {
        od::field field;
        if (auto err = std::move(field_result).get(field)) return err;
        std::string_view key;
        if (auto err = field.unescaped_key().get(key)) return err;
        if (key == step.key) {
          cur = field.value();
          found = true;
          break;
        }
      }
      if (!found) return simdjson::NO_SUCH_FIELD;
    } else {
      od::array arr;
      if (auto err = cur.get_array().get(arr)) return err;
      int64_t i = 0;
      for (auto element : arr) {
        od::value v;
        if (auto err = std::move(element).get(v)) return err;
        if (i++ == step.index) {
          cur = v;
          found = true;
          break;
        }
      }
      if (!found) return simdjson::INDEX_OUT_OF_BOUNDS;
    }
  }
  *out = cur;
  return simdjson::SUCCESS;
}

}  // namespace

absl::StatusOr<std::vector<JsonPathStep>> ParseJsonPath(std::string_view expr) {
  std::vector<JsonPathStep> steps;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < expr.size() && (expr[i] == ' ' || expr[i] == '\t' || expr[i] == '\n')) ++i;
  };
  auto fail = [&](std::string_view what) {
    return absl::InvalidArgumentError(
        StrCat("cannot parse expression [", expr, "]: ", what, " at position ", i));
  };
  auto unexpected = [&]() {
    return fail(StrCat("unexpected char ", QuoteString(expr.substr(i, 1))));
  };
  auto read_ident = [&]() {
    const size_t start = i;
    while (i < expr.size() && IsIdentChar(expr[i])) ++i;
    steps.push_back(JsonPathStep{std::string(expr.substr(start, i - start)), -1});
  };
  auto read_bracket = [&]() -> absl::Status {
    ++i;  // '['
    skip_ws();
    if (i < expr.size() && expr[i] == '"') {
      const size_t start = ++i;
      while (i < expr.size() && expr[i] != '"') ++i;
      if (i >= expr.size()) return fail("unterminated key");
      steps.push_back(JsonPathStep{std::string(expr.substr(start, i - start)), -1});
      ++i;
    } else if (i < expr.size() && IsDigit(expr[i])) {
      const size_t start = i;
      while (i < expr.size() && IsDigit(expr[i])) ++i;
      if (i < expr.size() && expr[i] == '.') return fail("cannot use float as array index");
      int64_t index = 0;
      if (i - start > 9 || !ParseInt64(expr.substr(start, i - start), &index)) {
        return fail("array index too large");
      }
      steps.push_back(JsonPathStep{std::string(), index});
    } else {
      return i < expr.size() ? unexpected() : fail("unexpected end");
    }
    skip_ws();
    if (i >= expr.size() || expr[i] != ']') {
      return i < expr.size() ? unexpected() : fail("missing ]");
    }
    ++i;
    return absl::OkStatus();
  };

  skip_ws();
  if (i >= expr.size()) return fail("empty path");
  if (IsIdentStart(expr[i])) {
    read_ident();
  } else if (expr[i] == '[') {
    if (absl::Status s = read_bracket(); !s.ok()) return s;
  } else {
    return unexpected();
  }
  while (true) {
    skip_ws();
    if (i >= expr.size()) break;
    if (expr[i] == '.') {
      ++i;
      skip_ws();
      if (i >= expr.size() || !IsIdentStart(expr[i])) {
        return i < expr.size() ? unexpected() : fail("unexpected end");
      }
      read_ident();
    } else if (expr[i] == '[') {
      if (absl::Status s = read_bracket(); !s.ok()) return s;
    } else {
      return unexpected();
    }
  }
  return steps;
}

absl::StatusOr<JsonParser> JsonParser::WithExtractions(const std::vector<JsonExtraction>& list) {
  JsonParser p;
  for (const JsonExtraction& e : list) {
    if (!IsValidLabelName(e.label)) {
      return absl::InvalidArgumentError(
          StrCat("invalid extracted label name ", QuoteString(e.label)));
    }
    absl::StatusOr<std::vector<JsonPathStep>> steps = ParseJsonPath(e.path);
    if (!steps.ok()) return steps.status();
    p.extractions_.push_back(Extraction{e.label, std::move(*steps)});
  }
  return p;
}

bool JsonParser::Process(LineState& state) const {
  return extractions_.empty() ? ProcessAll(state) : ProcessExtractions(state);
}

bool JsonParser::ProcessAll(LineState& state) const {
  JsonScratch& js = state.json_scratch();
  od::document doc;
  simdjson::error_code err = js.Iterate(state.line(), &doc);
  od::object root;
  if (!err) err = doc.get_object().get(root);
  js.key.clear();
  if (!err) err = Flatten(root, state, js, 0);
  if (err) state.SetError(kJsonParserErr, JsonErrorDetails(err));
  return true;
}

bool JsonParser::ProcessExtractions(LineState& state) const {
  const std::string_view line = state.line();
  if (line.empty()) return true;
  // Loki only checks how the line starts; the rest is found out while extracting.
  if (line[0] != '{' && line[0] != '[' && line[0] != '"') {
    state.SetError(kJsonParserErr, "line is not a JSON value");
    for (const Extraction& x : extractions_) {
      std::string_view existing;
      if (!state.Lookup(x.label, &existing)) state.Set(x.label, "");
    }
    return true;
  }
  JsonScratch& js = state.json_scratch();
  od::document doc;
  simdjson::error_code iterate_err = js.Iterate(line, &doc);
  bool first = true;
  for (const Extraction& x : extractions_) {
    std::string_view text;
    bool found = false;
    if (!iterate_err && !first) iterate_err = js.Reiterate(&doc);
    first = false;
    if (!iterate_err) {
      od::value v;
      simdjson::error_code err = Navigate(doc, x.path, &v);
      od::json_type type;
      if (!err) err = v.type().get(type);
      if (!err) {
        if (type == od::json_type::object || type == od::json_type::array) {
          err = simdjson::to_json_string(v).get(text);
        } else {
          err = ScalarText(v, type, js, &text);
        }
        found = !err;
      }
      if (err && err != simdjson::NO_SUCH_FIELD && err != simdjson::INDEX_OUT_OF_BOUNDS &&
          err != simdjson::INCORRECT_TYPE && err != simdjson::INVALID_JSON_POINTER) {
        state.SetError(kJsonParserErr, JsonErrorDetails(err));
      }
    }
    if (found) {
      state.Set(state.ExtractedLabelNameFor(x.label), text);
    } else {
      std::string_view existing;
      if (!state.Lookup(x.label, &existing)) state.Set(x.label, "");
    }
  }
  if (iterate_err) state.SetError(kJsonParserErr, JsonErrorDetails(iterate_err));
  return true;
}

}  // namespace vigil::logql::pipeline
