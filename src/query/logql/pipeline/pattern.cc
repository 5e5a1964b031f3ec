#include "query/logql/pipeline/pattern.h"

#include <algorithm>

#include "common/strings.h"

namespace vigil::logql::pipeline {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

absl::StatusOr<Pattern> Pattern::Parse(std::string_view text, bool require_capture) {
  Pattern p;
  auto add_literal = [&](std::string_view lit) {
    if (!p.nodes_.empty() && !p.nodes_.back().capture) {
      p.nodes_.back().text.append(lit);
    } else {
      p.nodes_.push_back(Node{false, false, std::string(lit)});
    }
  };
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '<' && i + 1 < text.size() && IsIdentStart(text[i + 1])) {
      size_t j = i + 2;
      while (j < text.size() && IsIdentChar(text[j])) ++j;
      if (j < text.size() && text[j] == '>') {
        const std::string_view name = text.substr(i + 1, j - i - 1);
        if (!p.nodes_.empty() && p.nodes_.back().capture) {
          return absl::InvalidArgumentError(StrCat("invalid pattern ", QuoteString(text),
                                                   ": found consecutive capture at position ",
                                                   static_cast<uint64_t>(i)));
        }
        const bool named = name != "_";
        if (named) {
          if (std::find(p.names_.begin(), p.names_.end(), name) != p.names_.end()) {
            return absl::InvalidArgumentError(StrCat("invalid pattern ", QuoteString(text),
                                                     ": duplicate capture name (", name, ")"));
          }
          p.names_.emplace_back(name);
        }
        p.nodes_.push_back(Node{true, named, std::string(name)});
        i = j + 1;
        continue;
      }
    }
    add_literal(text.substr(i, 1));
    ++i;
  }
  if (require_capture && p.names_.empty()) {
    return absl::InvalidArgumentError(
        StrCat("invalid pattern ", QuoteString(text), ": at least one capture is required"));
  }
  return p;
}

void Pattern::Match(std::string_view in, std::vector<std::string_view>* captures) const {
  captures->clear();
  if (in.empty() || nodes_.empty()) return;
  size_t k = 0;
  if (!nodes_[0].capture) {
    if (!in.starts_with(nodes_[0].text)) return;
    in.remove_prefix(nodes_[0].text.size());
    k = 1;
  }
  // From here nodes alternate capture, literal, capture, ... (ending on either).
  while (k < nodes_.size()) {
    const Node& cap = nodes_[k];
    if (k + 1 == nodes_.size()) {
      if (cap.named) captures->push_back(in);
      return;
    }
    const Node& lit = nodes_[k + 1];
    k += 2;
    const size_t at = in.find(lit.text);
    if (at == std::string_view::npos) {
      if (cap.named) captures->push_back(in);
      return;
    }
    if (cap.named) captures->push_back(in.substr(0, at));
    in.remove_prefix(at + lit.text.size());
  }
}

bool Pattern::Test(std::string_view in) const {
  if (in.empty() || nodes_.empty()) return in.empty() && nodes_.empty();
  size_t off = 0;
  for (size_t k = 0; k < nodes_.size(); ++k) {
    if (nodes_[k].capture) continue;
    const size_t at = in.find(nodes_[k].text, off);
    if (at == std::string_view::npos) return false;
    if (k == 0 && at != 0) return false;    // a leading literal anchors the line's start
    if (k != 0 && at == off) return false;  // the capture before this literal is empty
    off = at + nodes_[k].text.size();
  }
  const bool ends_on_capture = nodes_.back().capture;
  return ends_on_capture == (off != in.size());
}

absl::StatusOr<PatternParser> PatternParser::Make(std::string_view pattern) {
  absl::StatusOr<Pattern> p = Pattern::Parse(pattern, true);
  if (!p.ok()) return p.status();
  PatternParser parser;
  parser.pattern_ = std::move(*p);
  return parser;
}

bool PatternParser::Process(LineState& state) const {
  std::vector<std::string_view>& captures = state.view_scratch();
  pattern_.Match(state.line(), &captures);
  const auto& names = pattern_.names();
  for (size_t i = 0; i < captures.size(); ++i) {
    state.Set(state.ExtractedLabelNameFor(names[i]), captures[i]);
  }
  return true;
}

}  // namespace vigil::logql::pipeline
