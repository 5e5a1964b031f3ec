#include "query/logql/engine/stage_builder.h"

#include "common/strings.h"

namespace vigil::logql {
namespace {

namespace pl = pipeline;

pl::CompareOp ToCompare(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return pl::CompareOp::kEq;
    case CompareOp::kNeq: return pl::CompareOp::kNe;
    case CompareOp::kGt: return pl::CompareOp::kGt;
    case CompareOp::kGte: return pl::CompareOp::kGe;
    case CompareOp::kLt: return pl::CompareOp::kLt;
    case CompareOp::kLte: return pl::CompareOp::kLe;
  }
  return pl::CompareOp::kEq;
}

absl::StatusOr<pl::LabelFilter> BuildLabelFilter(const LabelFilter& f) {
  if (f.kind == LabelFilter::Kind::kLeaf) {
    const LabelFilterLeaf& l = f.leaf;
    switch (l.kind) {
      case LabelValueKind::kString:
        return pl::LabelFilter::String(l.matcher.type(), l.name, l.matcher.value());
      case LabelValueKind::kNumber:
        return pl::LabelFilter::Numeric(l.name, ToCompare(l.op), l.number);
      case LabelValueKind::kDuration:
        return pl::LabelFilter::Duration(l.name, ToCompare(l.op), l.duration_ns);
      case LabelValueKind::kBytes:
        return pl::LabelFilter::Bytes(l.name, ToCompare(l.op), l.bytes);
      case LabelValueKind::kIp:
        return absl::InvalidArgumentError("ip() label filters are not supported");
    }
  }
  if (f.children.empty()) return absl::InvalidArgumentError("empty label filter");
  auto acc = BuildLabelFilter(f.children[0]);
  if (!acc.ok()) return acc.status();
  for (size_t i = 1; i < f.children.size(); ++i) {
    auto next = BuildLabelFilter(f.children[i]);
    if (!next.ok()) return next.status();
    *acc = f.kind == LabelFilter::Kind::kAnd ? pl::LabelFilter::And(*acc, *next)
                                             : pl::LabelFilter::Or(*acc, *next);
  }
  return acc;
}

absl::StatusOr<pl::LineFilterOp> ToLineOp(LineFilterOp op) {
  switch (op) {
    case LineFilterOp::kContains: return pl::LineFilterOp::kContains;
    case LineFilterOp::kNotContains: return pl::LineFilterOp::kNotContains;
    case LineFilterOp::kMatch: return pl::LineFilterOp::kRegex;
    case LineFilterOp::kNotMatch: return pl::LineFilterOp::kNotRegex;
    case LineFilterOp::kPattern: return pl::LineFilterOp::kPattern;
    case LineFilterOp::kNotPattern: return pl::LineFilterOp::kNotPattern;
  }
  return absl::InvalidArgumentError("unknown line filter");
}

absl::StatusOr<pl::Stage> BuildStage(const Stage& stage) {
  if (const auto* f = std::get_if<LineFilter>(&stage)) {
    if (f->HasIp()) return absl::InvalidArgumentError("ip() line filters are not supported");
    auto op = ToLineOp(f->op);
    if (!op.ok()) return op.status();
    std::vector<std::string> values;
    for (const LineFilterValue& v : f->values) values.push_back(v.value);
    auto lf = pl::LineFilter::Make(*op, std::move(values));
    if (!lf.ok()) return lf.status();
    return pl::Stage(std::move(*lf));
  }
  if (const auto* j = std::get_if<JsonParser>(&stage)) {
    if (j->extractions.empty()) return pl::Stage(pl::JsonParser());
    std::vector<pl::JsonExtraction> list;
    for (const JsonExtraction& e : j->extractions) list.push_back({e.label, e.path});
    auto p = pl::JsonParser::WithExtractions(list);
    if (!p.ok()) return p.status();
    return pl::Stage(std::move(*p));
  }
  if (const auto* l = std::get_if<LogfmtParser>(&stage)) {
    pl::LogfmtParser::Options o;
    o.strict = l->strict;
    o.keep_empty = l->keep_empty;
    std::vector<pl::LogfmtExtraction> list;
    for (const LogfmtExtraction& e : l->extractions) list.push_back({e.label, e.key});
    auto p = pl::LogfmtParser::Make(o, std::move(list));
    if (!p.ok()) return p.status();
    return pl::Stage(std::move(*p));
  }
  if (const auto* r = std::get_if<RegexpParser>(&stage)) {
    auto p = pl::RegexpParser::Make(r->regex);
    if (!p.ok()) return p.status();
    return pl::Stage(std::move(*p));
  }
  if (const auto* p = std::get_if<PatternParser>(&stage)) {
    auto pp = pl::PatternParser::Make(p->pattern);
    if (!pp.ok()) return pp.status();
    return pl::Stage(std::move(*pp));
  }
  if (std::holds_alternative<Unpack>(stage)) return pl::Stage(pl::UnpackParser());
  if (std::holds_alternative<Decolorize>(stage)) return pl::Stage(pl::Decolorize());
  if (const auto* f = std::get_if<LabelFilter>(&stage)) {
    auto lf = BuildLabelFilter(*f);
    if (!lf.ok()) return lf.status();
    return pl::Stage(std::move(*lf));
  }
  if (const auto* f = std::get_if<LineFormat>(&stage)) {
    auto lf = pl::LineFormat::Make(f->tmpl);
    if (!lf.ok()) return lf.status();
    return pl::Stage(std::move(*lf));
  }
  if (const auto* f = std::get_if<LabelFormat>(&stage)) {
    std::vector<pl::LabelFormatSpec> specs;
    for (const LabelFormatItem& i : f->items) specs.push_back({i.dst, i.value, !i.is_template});
    auto lf = pl::LabelFormat::Make(std::move(specs));
    if (!lf.ok()) return lf.status();
    return pl::Stage(std::move(*lf));
  }
  auto selectors = [](const std::vector<LabelRef>& refs) -> absl::StatusOr<std::vector<pl::LabelSelector>> {
    std::vector<pl::LabelSelector> out;
    for (const LabelRef& r : refs) {
      if (!r.matcher) {
        out.push_back(pl::LabelSelector::Named(r.name));
        continue;
      }
      auto s = pl::LabelSelector::Matching(r.matcher->type(), r.name, r.matcher->value());
      if (!s.ok()) return s.status();
      out.push_back(std::move(*s));
    }
    return out;
  };
  if (const auto* d = std::get_if<DropLabels>(&stage)) {
    auto s = selectors(d->labels);
    if (!s.ok()) return s.status();
    return pl::Stage(pl::DropLabels(std::move(*s)));
  }
  if (const auto* k = std::get_if<KeepLabels>(&stage)) {
    auto s = selectors(k->labels);
    if (!s.ok()) return s.status();
    return pl::Stage(pl::KeepLabels(std::move(*s)));
  }
  return absl::InvalidArgumentError("unsupported pipeline stage");
}

}  // namespace

absl::StatusOr<pipeline::Pipeline> BuildPipeline(const LogSelectorExpr& selector) {
  pl::Pipeline p;
  for (const Stage& s : selector.pipeline) {
    auto stage = BuildStage(s);
    if (!stage.ok()) return stage.status();
    p.Add(std::move(*stage));
  }
  if (selector.unwrap) {
    const Unwrap& u = *selector.unwrap;
    pl::UnwrapConversion conv = pl::UnwrapConversion::kFloat;
    if (u.conversion == UnwrapConversion::kBytes) conv = pl::UnwrapConversion::kBytes;
    if (u.conversion == UnwrapConversion::kDuration || u.conversion == UnwrapConversion::kDurationSeconds) {
      conv = pl::UnwrapConversion::kDuration;
    }
    auto uw = pl::Unwrap::Make(u.label, conv);
    if (!uw.ok()) return uw.status();
    std::vector<pl::Stage> post;
    for (const LabelFilter& f : u.post_filters) {
      auto lf = BuildLabelFilter(f);
      if (!lf.ok()) return lf.status();
      post.push_back(std::move(*lf));
    }
    p.SetUnwrap(std::move(*uw), std::move(post));
  }
  return p;
}

}  // namespace vigil::logql
