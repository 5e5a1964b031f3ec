// Pipeline stages introduced by `|`: parsers, formatters, drop/keep and label filters.
#include <algorithm>

#include "common/strings.h"
#include "query/logql/syntax/parser_internal.h"
#include "common/go_text.h"

namespace vigil::logql::internal {

bool Parser::ParseStage(LogSelectorExpr* sel) {
  Take();  // |
  const Token& t = Peek();
  if (failed()) return false;
  switch (t.kind) {
    case Tok::kJson: {
      Take();
      JsonParser p;
      if (Peek().kind == Tok::kIdentifier) {
        std::vector<std::pair<std::string, std::string>> list;
        if (!ParseExtractions(&list)) return false;
        for (auto& [label, path] : list) {
          JsonExtraction x{label, path, {}};
          if (absl::Status s = ParseJsonPath(path, &x.parts); !s.ok()) {
            Defer(StrCat("invalid JSON path ", gotext::Quote(path), " for label ", label,
                         ": ", s.message()));
          }
          p.extractions.push_back(std::move(x));
        }
      }
      sel->pipeline.emplace_back(std::move(p));
      return !failed();
    }
    case Tok::kLogfmt: {
      Take();
      LogfmtParser p;
      while (Peek().kind == Tok::kParserFlag) {
        Token flag = Take();
        if (flag.str == "--strict") p.strict = true;
        if (flag.str == "--keep-empty") p.keep_empty = true;
      }
      if (Peek().kind == Tok::kIdentifier) {
        std::vector<std::pair<std::string, std::string>> list;
        if (!ParseExtractions(&list)) return false;
        for (auto& [label, key] : list) p.extractions.push_back(LogfmtExtraction{label, key});
      }
      sel->pipeline.emplace_back(std::move(p));
      return !failed();
    }
    case Tok::kRegexp: {
      Take();
      Token s;
      if (!Expect(Tok::kString, &s)) return false;
      auto re = CompileRegexpParser(s.str);
      if (!re.ok()) {
        FailSemantic(std::string(re.status().message()));
        return false;
      }
      sel->pipeline.emplace_back(RegexpParser{std::move(s.str), *re});
      return true;
    }
    case Tok::kPattern: {
      Take();
      Token s;
      if (!Expect(Tok::kString, &s)) return false;
      PatternParser p;
      if (absl::Status st = SplitPattern(s.str, &p.parts); !st.ok()) {
        FailSemantic(std::string(st.message()));
        return false;
      }
      p.pattern = std::move(s.str);
      sel->pipeline.emplace_back(std::move(p));
      return true;
    }
    case Tok::kUnpack:
      Take();
      sel->pipeline.emplace_back(Unpack{});
      return true;
    case Tok::kDecolorize:
      Take();
      sel->pipeline.emplace_back(Decolorize{});
      return true;
    case Tok::kLineFmt: {
      Take();
      Token s;
      if (!Expect(Tok::kString, &s)) return false;
      sel->pipeline.emplace_back(LineFormat{std::move(s.str)});
      return true;
    }
    case Tok::kLabelFmt: {
      Take();
      LabelFormat f;
      if (!ParseLabelFormat(&f)) return false;
      sel->pipeline.emplace_back(std::move(f));
      return true;
    }
    case Tok::kDrop:
    case Tok::kKeep: {
      bool drop = Take().kind == Tok::kDrop;
      std::vector<LabelRef> refs;
      if (!ParseLabelRefs(&refs)) return false;
      if (drop) {
        sel->pipeline.emplace_back(DropLabels{std::move(refs)});
      } else {
        sel->pipeline.emplace_back(KeepLabels{std::move(refs)});
      }
      return true;
    }
    case Tok::kIdentifier:
    case Tok::kOpenParen: {
      LabelFilter f;
      if (!ParseLabelFilter(&f)) return false;
      sel->pipeline.emplace_back(std::move(f));
      return true;
    }
    default:
      Unexpected(t);
      return false;
  }
}

// `a="path", b` (a label alone extracts the path of the same name).
bool Parser::ParseExtractions(std::vector<std::pair<std::string, std::string>>* out) {
  while (true) {
    Token name;
    if (!Expect(Tok::kIdentifier, &name)) return false;
    std::string path(name.text);
    if (Peek().kind == Tok::kEq) {
      Take();
      Token s;
      if (!Expect(Tok::kString, &s)) return false;
      path = std::move(s.str);
    }
    out->emplace_back(std::string(name.text), std::move(path));
    if (Peek().kind != Tok::kComma) return !failed();
    Take();
  }
}

bool Parser::ParseLabelFormat(LabelFormat* out) {
  while (true) {
    Token dst;
    if (!Expect(Tok::kIdentifier, &dst) || !Expect(Tok::kEq)) return false;
    const Token& v = Peek();
    if (failed()) return false;
    LabelFormatItem item;
    item.dst = std::string(dst.text);
    if (v.kind == Tok::kIdentifier) {
      item.value = std::string(Take().text);
    } else if (v.kind == Tok::kString) {
      item.value = Take().str;
      item.is_template = true;
    } else {
      Unexpected(v, {Tok::kIdentifier, Tok::kString});
      return false;
    }
    out->items.push_back(std::move(item));
    if (Peek().kind != Tok::kComma) break;
    Take();
  }
  if (failed()) return false;
  // Loki's rules for the stage: one format per label, and __error__ stays as it is.
  for (size_t i = 0; i < out->items.size(); ++i) {
    const std::string& dst = out->items[i].dst;
    if (dst == "__error__") {
      Defer("__error__ cannot be formatted");
      break;
    }
    bool dup = std::any_of(out->items.begin(), out->items.begin() + static_cast<long>(i),
                           [&](const LabelFormatItem& x) { return x.dst == dst; });
    if (dup) {
      Defer(StrCat("multiple label name '", dst, "' appears in formatting"));
      break;
    }
  }
  return true;
}

bool Parser::ParseLabelRefs(std::vector<LabelRef>* out) {
  while (true) {
    Token name;
    if (!Expect(Tok::kIdentifier, &name)) return false;
    LabelRef ref;
    ref.name = std::string(name.text);
    Tok k = Peek().kind;
    if (k == Tok::kEq || k == Tok::kNeq || k == Tok::kRe || k == Tok::kNre) {
      Take();
      Token s;
      if (!Expect(Tok::kString, &s)) return false;
      MatchType type = k == Tok::kEq    ? MatchType::kEqual
                       : k == Tok::kNeq ? MatchType::kNotEqual
                       : k == Tok::kRe  ? MatchType::kRegexMatch
                                        : MatchType::kRegexNoMatch;
      auto m = MakeMatcher(type, ref.name, s.str);
      if (!m.ok()) {
        FailSemantic(std::string(m.status().message()));
        return false;
      }
      ref.matcher = std::move(*m);
    }
    out->push_back(std::move(ref));
    if (Peek().kind != Tok::kComma) return !failed();
    Take();
  }
}

}  // namespace vigil::logql::internal
