#include "query/logsearch/field_filter.h"

#include "common/strings.h"
#include "query/logsearch/record_fields.h"
#include "query/promql/syntax/parser.h"

namespace vigil::logsearch {

absl::StatusOr<FieldFilter> FieldFilter::Parse(std::string_view text) {
  FieldFilter f;
  size_t i = 0;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_' ||
                             text[i] == '.' || text[i] == '-')) {
    ++i;
  }
  f.name_ = std::string(text.substr(0, i));
  if (f.name_.empty()) {
    return absl::InvalidArgumentError(StrCat("invalid filter ", QuoteString(text),
                                             ": expected a field name, then =, !=, =~, !~, >, >=, < or <="));
  }
  std::string_view rest = text.substr(i);
  struct OpText {
    std::string_view text;
    Op op;
  };
  // Longest first, so ">=" is not read as ">".
  static constexpr OpText kOps[] = {{"!=", Op::kNe}, {"=~", Op::kRe}, {"!~", Op::kNotRe},
                                    {">=", Op::kGe}, {"<=", Op::kLe}, {"=", Op::kEq},
                                    {">", Op::kGt},  {"<", Op::kLt}};
  bool found = false;
  for (const OpText& o : kOps) {
    if (rest.starts_with(o.text)) {
      f.op_ = o.op;
      rest.remove_prefix(o.text.size());
      found = true;
      break;
    }
  }
  if (!found) {
    return absl::InvalidArgumentError(StrCat("invalid filter ", QuoteString(text), ": expected an operator after ",
                                             QuoteString(f.name_), " (=, !=, =~, !~, >, >=, <, <=)"));
  }
  if (!rest.empty() && (rest.front() == '"' || rest.front() == '`')) {
    auto v = promql::UnquotePromString(rest);
    if (!v.ok()) {
      return absl::InvalidArgumentError(StrCat("invalid filter ", QuoteString(text), ": bad quoted value"));
    }
    f.value_ = *v;
  } else {
    f.value_ = std::string(rest);
  }
  switch (f.op_) {
    case Op::kRe:
    case Op::kNotRe: {
      auto re = std::make_shared<RE2>(StrCat("^(?:", f.value_, ")$"), RE2::Quiet);
      if (!re->ok()) {
        return absl::InvalidArgumentError(StrCat("invalid filter ", QuoteString(text),
                                                 ": bad regular expression: ", re->error()));
      }
      f.re_ = std::move(re);
      break;
    }
    case Op::kGt:
    case Op::kGe:
    case Op::kLt:
    case Op::kLe:
      if (!ParseDouble(f.value_, &f.number_)) {
        return absl::InvalidArgumentError(
            StrCat("invalid filter ", QuoteString(text), ": ", QuoteString(f.value_), " is not a number"));
      }
      break;
    default:
      break;
  }
  return f;
}

bool FieldFilter::Matches(const Labels& stream, const LogRecordView& r, std::string* scratch) const {
  std::string_view v = FieldValue(stream, r, name_, scratch);
  switch (op_) {
    case Op::kEq: return v == value_;
    case Op::kNe: return v != value_;
    case Op::kRe: return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
    case Op::kNotRe: return !RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
    default: break;
  }
  double x;
  if (v.empty() || !ParseDouble(v, &x)) return false;
  switch (op_) {
    case Op::kGt: return x > number_;
    case Op::kGe: return x >= number_;
    case Op::kLt: return x < number_;
    case Op::kLe: return x <= number_;
    default: return false;
  }
}

}  // namespace vigil::logsearch
