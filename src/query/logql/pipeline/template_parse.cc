// Compiles Go template text into a tmpl::Program (template_ast.h).
#include <algorithm>

#include "common/go_float.h"
#include "common/strings.h"
#include "query/logql/pipeline/template_ast.h"
#include "query/logql/pipeline/template_funcs.h"

namespace vigil::logql::pipeline::tmpl {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct Item {
  bool action = false;
  std::string_view text;
  int line = 1;
};

struct Token {
  enum Kind {
    kEnd,
    kField,
    kDot,
    kRoot,
    kVar,
    kIdent,
    kString,
    kRawString,
    kChar,
    kNumber,
    kLParen,
    kRParen,
    kPipe,
    kDeclare,
    kAssign,
    kComma,
  };
  Kind kind = kEnd;
  std::string_view text;
  bool space_before = false;
};

class Parser {
 public:
  Parser(std::string_view src, Program* program) : src_(src), program_(program) {}

  absl::Status Run() {
    if (absl::Status s = Split(); !s.ok()) return s;
    Stop stop;
    if (absl::Status s = ParseList(&program_->nodes, &stop); !s.ok()) return s;
    if (stop.kind != Stop::kEof) {
      return Error(stop.line,
                   StrCat("unexpected {{", stop.kind == Stop::kEnd ? "end" : "else", "}}"));
    }
    const auto& nodes = program_->nodes;
    if (nodes.size() == 1 && nodes[0].type == Node::Type::kAction &&
        nodes[0].pipe.cmds.size() == 1 && nodes[0].pipe.cmds[0].args.size() == 1) {
      const Operand& op = nodes[0].pipe.cmds[0].args[0];
      if (op.type == Operand::Type::kField && op.fields.size() == 1) {
        program_->simple_field = op.fields[0];
      }
    }
    return absl::OkStatus();
  }

 private:
  struct Stop {
    enum Kind { kEof, kElse, kEnd } kind = kEof;
    std::vector<Token> rest;  // tokens after `else`
    int line = 1;
  };

  absl::Status Error(int line, std::string_view msg) const {
    return absl::InvalidArgumentError(StrCat("template: ", program_->name, ":", line, ": ", msg));
  }

  int LineAt(size_t pos) const {
    return 1 + static_cast<int>(std::count(src_.begin(), src_.begin() + pos, '\n'));
  }

  // Splits the text into text and action items, applying trim markers, dropping comments.
  absl::Status Split() {
    size_t pos = 0;
    const size_t n = src_.size();
    while (pos < n) {
      const size_t open = src_.find("{{", pos);
      if (open == std::string_view::npos) {
        items_.push_back(Item{false, src_.substr(pos), LineAt(pos)});
        break;
      }
      std::string_view text = src_.substr(pos, open - pos);
      size_t j = open + 2;
      if (j + 1 < n && src_[j] == '-' && IsSpace(src_[j + 1])) {
        while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
        ++j;
      }
      if (!text.empty()) items_.push_back(Item{false, text, LineAt(pos)});
      size_t k = j;
      while (k < n && IsSpace(src_[k])) ++k;
      size_t close = 0;
      bool comment = false;
      if (src_.substr(k, 2) == "/*") {
        const size_t end = src_.find("*/", k + 2);
        if (end == std::string_view::npos) return Error(LineAt(open), "unclosed comment");
        close = end + 2;
        while (close < n && IsSpace(src_[close])) ++close;
        if (close < n && src_[close] == '-') ++close;
        if (src_.substr(close, 2) != "}}")
          return Error(LineAt(open), "comment ends before closing delimiter");
        comment = true;
      } else {
        char quote = 0;
        for (k = j; k < n; ++k) {
          const char c = src_[k];
          if (quote != 0) {
            if (c == '\\' && quote != '`') {
              ++k;
            } else if (c == quote) {
              quote = 0;
            }
            continue;
          }
          if (c == '"' || c == '`' || c == '\'') {
            quote = c;
          } else if (c == '}' && k + 1 < n && src_[k + 1] == '}') {
            break;
          }
        }
        if (k >= n) return Error(LineAt(open), "unclosed action");
        close = k;
      }
      std::string_view action = src_.substr(j, close - j);
      bool trim_right = false;
      if (comment) {
        trim_right = close > 0 && src_[close - 1] == '-' && close >= 2 && IsSpace(src_[close - 2]);
      } else if (action.size() >= 2 && action.back() == '-' && IsSpace(action[action.size() - 2])) {
        trim_right = true;
        action.remove_suffix(1);
      }
      pos = close + 2;
      if (trim_right) {
        while (pos < n && IsSpace(src_[pos])) ++pos;
      }
      if (!comment) items_.push_back(Item{true, action, LineAt(open)});
    }
    return absl::OkStatus();
  }

  absl::Status Lex(const Item& item, std::vector<Token>* tokens) const {
    std::string_view s = item.text;
    size_t i = 0;
    while (true) {
      bool space = false;
      while (i < s.size() && IsSpace(s[i])) {
        ++i;
        space = true;
      }
      Token t;
      t.space_before = space;
      if (i >= s.size()) {
        tokens->push_back(t);
        return absl::OkStatus();
      }
      const size_t start = i;
      const char c = s[i];
      const char next = i + 1 < s.size() ? s[i + 1] : '\0';
      if (c == '.' && IsIdentStart(next)) {
        ++i;
        while (i < s.size() && IsIdentChar(s[i])) ++i;
        t.kind = Token::kField;
      } else if (IsDigit(c) ||
                 ((c == '.' || c == '+' || c == '-') && (IsDigit(next) || next == '.'))) {
        ++i;
        while (i < s.size()) {
          const char d = s[i];
          const char prev = s[i - 1];
          if (IsIdentChar(d) || d == '.' ||
              ((d == '+' || d == '-') &&
               (prev == 'e' || prev == 'E' || prev == 'p' || prev == 'P'))) {
            ++i;
          } else {
            break;
          }
        }
        t.kind = Token::kNumber;
      } else if (c == '.') {
        ++i;
        t.kind = Token::kDot;
      } else if (c == '$') {
        ++i;
        if (i < s.size() && IsIdentChar(s[i])) {
          while (i < s.size() && IsIdentChar(s[i])) ++i;
          t.kind = Token::kVar;
        } else {
          t.kind = Token::kRoot;
        }
      } else if (IsIdentStart(c)) {
        while (i < s.size() && IsIdentChar(s[i])) ++i;
        t.kind = Token::kIdent;
      } else if (c == '"' || c == '\'' || c == '`') {
        ++i;
        while (i < s.size() && s[i] != c) {
          if (s[i] == '\\' && c != '`') ++i;
          ++i;
        }
        if (i >= s.size()) return Error(item.line, "unterminated quoted string");
        ++i;
        t.kind = c == '"' ? Token::kString : c == '`' ? Token::kRawString : Token::kChar;
      } else if (c == ':' && next == '=') {
        i += 2;
        t.kind = Token::kDeclare;
      } else {
        ++i;
        switch (c) {
          case '(':
            t.kind = Token::kLParen;
            break;
          case ')':
            t.kind = Token::kRParen;
            break;
          case '|':
            t.kind = Token::kPipe;
            break;
          case '=':
            t.kind = Token::kAssign;
            break;
          case ',':
            t.kind = Token::kComma;
            break;
          default:
            return Error(item.line,
                         StrCat("unexpected ", QuoteString(s.substr(start, 1)), " in command"));
        }
      }
      t.text = s.substr(start, i - start);
      tokens->push_back(t);
    }
  }

  absl::Status ParseNumber(const Token& t, int line, Operand* op) const {
    op->type = Operand::Type::kNumber;
    op->text = std::string(t.text);
    std::string_view s = t.text;
    if (t.kind == Token::kChar) {
      std::string v;
      if (!UnquoteGo(s, &v) || v.empty()) return Error(line, StrCat("bad character constant ", s));
      // A one-rune string: its code point.
      uint32_t r = static_cast<unsigned char>(v[0]);
      if (r >= 0x80 && v.size() > 1) {
        const int extra = r >= 0xF0 ? 3 : r >= 0xE0 ? 2 : 1;
        r &= (0x3F >> extra);
        for (int k = 1; k <= extra && static_cast<size_t>(k) < v.size(); ++k) {
          r = (r << 6) | (static_cast<unsigned char>(v[static_cast<size_t>(k)]) & 0x3F);
        }
      }
      op->is_int = true;
      op->int_value = r;
      op->float_value = r;
      return absl::OkStatus();
    }
    std::string_view body = s;
    bool neg = false;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
      neg = body[0] == '-';
      body.remove_prefix(1);
    }
    if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') &&
        body.find_first_of(".pP") == std::string_view::npos) {
      uint64_t v = 0;
      for (char c : body.substr(2)) {
        if (c == '_') continue;
        const int h = HexDigit(c);
        if (h < 0 || v > (uint64_t{1} << 59)) return Error(line, StrCat("bad number syntax: ", s));
        v = v * 16 + static_cast<uint64_t>(h);
      }
      op->is_int = v <= static_cast<uint64_t>(INT64_MAX);
      op->int_value = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
      op->float_value = neg ? -static_cast<double>(v) : static_cast<double>(v);
      return absl::OkStatus();
    }
    const bool looks_float = body.find_first_of(".eEpP") != std::string_view::npos;
    int64_t iv = 0;
    if (!looks_float && ParseInt64(s, &iv)) {
      op->is_int = true;
      op->int_value = iv;
      op->float_value = static_cast<double>(iv);
      return absl::OkStatus();
    }
    double fv = 0;
    if (!ParseGoFloat(s, &fv)) return Error(line, StrCat("bad number syntax: ", s));
    op->is_float = true;
    op->float_value = fv;
    if (fv == static_cast<double>(static_cast<int64_t>(fv)) && fv > -9.2e18 && fv < 9.2e18) {
      op->is_int = true;
      op->int_value = static_cast<int64_t>(fv);
    }
    return absl::OkStatus();
  }

  // operand := term field*
  absl::Status ParseOperand(const std::vector<Token>& toks, size_t* i, int line, Operand* op) {
    const Token& t = toks[*i];
    switch (t.kind) {
      case Token::kField:
        op->type = Operand::Type::kField;
        op->fields.emplace_back(t.text.substr(1));
        break;
      case Token::kDot:
        op->type = Operand::Type::kDot;
        break;
      case Token::kRoot:
        op->type = Operand::Type::kRoot;
        break;
      case Token::kVar:
        return Error(line, StrCat("variables are not supported: ", t.text));
      case Token::kIdent:
        if (t.text == "true" || t.text == "false") {
          op->type = Operand::Type::kBool;
          op->bool_value = t.text == "true";
        } else if (t.text == "nil") {
          op->type = Operand::Type::kNil;
        } else {
          op->func = LookupFunc(t.text);
          if (op->func == nullptr)
            return Error(line, StrCat("function \"", t.text, "\" not defined"));
          op->type = Operand::Type::kFunc;
        }
        break;
      case Token::kString:
        op->type = Operand::Type::kString;
        if (!UnquoteGo(t.text, &op->text))
          return Error(line, StrCat("bad string literal ", t.text));
        break;
      case Token::kRawString:
        op->type = Operand::Type::kString;
        op->text = std::string(t.text.substr(1, t.text.size() - 2));
        break;
      case Token::kChar:
      case Token::kNumber:
        if (absl::Status s = ParseNumber(t, line, op); !s.ok()) return s;
        break;
      case Token::kLParen: {
        ++*i;
        op->type = Operand::Type::kPipe;
        op->pipe = std::make_unique<Pipeline>();
        if (absl::Status s = ParsePipeline(toks, i, line, true, op->pipe.get()); !s.ok()) return s;
        if (toks[*i].kind != Token::kRParen) return Error(line, "unclosed left paren");
        break;
      }
      default:
        return Error(line, StrCat("unexpected ", t.kind == Token::kEnd ? "end of action" : t.text,
                                  " in operand"));
    }
    ++*i;
    while (toks[*i].kind == Token::kField && !toks[*i].space_before) {
      if (op->type != Operand::Type::kField && op->type != Operand::Type::kRoot &&
          op->type != Operand::Type::kPipe && op->type != Operand::Type::kDot) {
        return Error(line, StrCat("unexpected ", toks[*i].text, " in operand"));
      }
      op->fields.emplace_back(toks[*i].text.substr(1));
      ++*i;
    }
    return absl::OkStatus();
  }

  absl::Status ParsePipeline(const std::vector<Token>& toks, size_t* i, int line, bool in_paren,
                             Pipeline* pipe) {
    const size_t first = *i;
    while (true) {
      Command cmd;
      while (toks[*i].kind != Token::kEnd && toks[*i].kind != Token::kPipe &&
             toks[*i].kind != Token::kRParen) {
        if (toks[*i].kind == Token::kDeclare || toks[*i].kind == Token::kAssign ||
            toks[*i].kind == Token::kComma) {
          return Error(line, "variables are not supported");
        }
        Operand op;
        if (absl::Status s = ParseOperand(toks, i, line, &op); !s.ok()) return s;
        cmd.args.push_back(std::move(op));
      }
      if (cmd.args.empty()) return Error(line, "missing value for command");
      if (absl::Status s = CheckCommand(&cmd, !pipe->cmds.empty(), pipe->cmds.size() + 1, line);
          !s.ok()) {
        return s;
      }
      pipe->cmds.push_back(std::move(cmd));
      if (toks[*i].kind != Token::kPipe) break;
      ++*i;
    }
    if (toks[*i].kind == Token::kRParen && !in_paren) return Error(line, "unexpected right paren");
    if (toks[*i].kind == Token::kEnd && in_paren) return Error(line, "unclosed left paren");
    std::string& source = pipe->source;
    for (size_t k = first; k < *i; ++k) {
      if (toks[k].space_before && !source.empty()) source.push_back(' ');
      source.append(toks[k].text);
    }
    return absl::OkStatus();
  }

  absl::Status CheckArity(const FuncDef* f, size_t got, int line) const {
    if (static_cast<int>(got) < f->min_args ||
        (f->max_args >= 0 && static_cast<int>(got) > f->max_args)) {
      std::string want = f->max_args < 0
                             ? StrCat("at least ", f->min_args)
                             : StrCat(f->min_args == f->max_args ? "" : "up to ", f->max_args);
      return Error(line, StrCat("wrong number of args for ", f->name, ": want ", want, " got ",
                                static_cast<uint64_t>(got)));
    }
    return absl::OkStatus();
  }

  absl::Status CheckCommand(Command* cmd, bool piped, size_t stage, int line) const {
    for (size_t k = 1; k < cmd->args.size(); ++k) {
      const Operand& op = cmd->args[k];
      if (op.type == Operand::Type::kFunc) {
        if (absl::Status s = CheckArity(op.func, 0, line); !s.ok()) return s;
      }
    }
    const Operand& head = cmd->args[0];
    if (head.type != Operand::Type::kFunc) {
      if (cmd->args.size() > 1) {
        return Error(line, "can't give argument to non-function");
      }
      if (piped) {
        return Error(line, StrCat("non executable command in pipeline stage ",
                                  static_cast<uint64_t>(stage)));
      }
      return absl::OkStatus();
    }
    if (!head.fields.empty()) return Error(line, "can't evaluate a field of a function result");
    cmd->func = head.func;
    const size_t got = cmd->args.size() - 1 + (piped ? 1 : 0);
    if (absl::Status s = CheckArity(cmd->func, got, line); !s.ok()) return s;
    const int ra = cmd->func->regex_arg;
    if (ra >= 0 && static_cast<size_t>(ra) + 1 < cmd->args.size() &&
        cmd->args[static_cast<size_t>(ra) + 1].type == Operand::Type::kString) {
      RE2::Options opts;
      opts.set_log_errors(false);
      auto re = std::make_shared<RE2>(cmd->args[static_cast<size_t>(ra) + 1].text, opts);
      if (!re->ok()) return Error(line, StrCat("error parsing regexp: ", re->error()));
      cmd->regex = std::move(re);
    }
    return absl::OkStatus();
  }

  absl::Status ParseBranch(Node* node, const std::vector<Token>& toks, size_t start, int line) {
    size_t i = start;
    if (toks[i].kind == Token::kEnd) {
      return Error(line,
                   StrCat("missing value for ", node->type == Node::Type::kIf ? "if" : "with"));
    }
    if (absl::Status s = ParsePipeline(toks, &i, line, false, &node->pipe); !s.ok()) return s;
    Stop stop;
    if (absl::Status s = ParseList(&node->list, &stop); !s.ok()) return s;
    if (stop.kind == Stop::kEof) return Error(line, "unexpected EOF");
    if (stop.kind == Stop::kEnd) return absl::OkStatus();
    // {{else}}, {{else if ...}} or {{else with ...}}.
    if (stop.rest.front().kind == Token::kIdent &&
        (stop.rest.front().text == "if" || stop.rest.front().text == "with")) {
      Node nested;
      nested.type = stop.rest.front().text == "if" ? Node::Type::kIf : Node::Type::kWith;
      if (absl::Status s = ParseBranch(&nested, stop.rest, 1, stop.line); !s.ok()) return s;
      node->else_list.push_back(std::move(nested));
      return absl::OkStatus();
    }
    if (stop.rest.front().kind != Token::kEnd)
      return Error(stop.line, "unexpected tokens after else");
    Stop end;
    if (absl::Status s = ParseList(&node->else_list, &end); !s.ok()) return s;
    if (end.kind != Stop::kEnd) {
      return Error(end.line,
                   end.kind == Stop::kEof ? "unexpected EOF" : "expected end; found {{else}}");
    }
    return absl::OkStatus();
  }

  absl::Status ParseList(std::vector<Node>* out, Stop* stop) {
    while (next_ < items_.size()) {
      const Item& item = items_[next_++];
      if (!item.action) {
        Node text;
        text.type = Node::Type::kText;
        text.text = std::string(item.text);
        out->push_back(std::move(text));
        continue;
      }
      std::vector<Token> toks;
      if (absl::Status s = Lex(item, &toks); !s.ok()) return s;
      const Token& head = toks[0];
      if (head.kind == Token::kEnd) return Error(item.line, "missing value for command");
      if (head.kind == Token::kIdent) {
        if (head.text == "end") {
          if (toks[1].kind != Token::kEnd) return Error(item.line, "unexpected tokens after end");
          stop->kind = Stop::kEnd;
          stop->line = item.line;
          return absl::OkStatus();
        }
        if (head.text == "else") {
          stop->kind = Stop::kElse;
          stop->line = item.line;
          stop->rest.assign(toks.begin() + 1, toks.end());
          return absl::OkStatus();
        }
        if (head.text == "if" || head.text == "with") {
          Node node;
          node.type = head.text == "if" ? Node::Type::kIf : Node::Type::kWith;
          if (absl::Status s = ParseBranch(&node, toks, 1, item.line); !s.ok()) return s;
          out->push_back(std::move(node));
          continue;
        }
        if (head.text == "range" || head.text == "define" || head.text == "template" ||
            head.text == "block" || head.text == "break" || head.text == "continue") {
          return Error(item.line, StrCat("{{", head.text, "}} is not supported"));
        }
      }
      Node action;
      action.type = Node::Type::kAction;
      size_t i = 0;
      if (absl::Status s = ParsePipeline(toks, &i, item.line, false, &action.pipe); !s.ok()) {
        return s;
      }
      out->push_back(std::move(action));
    }
    stop->kind = Stop::kEof;
    return absl::OkStatus();
  }

  std::string_view src_;
  Program* program_;
  std::vector<Item> items_;
  size_t next_ = 0;
};

}  // namespace

absl::Status ParseProgram(std::string_view text, Program* program) {
  Parser parser(text, program);
  return parser.Run();
}

}  // namespace vigil::logql::pipeline::tmpl
