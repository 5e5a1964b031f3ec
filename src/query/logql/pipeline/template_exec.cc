// Compiling and executing GoTemplate (go_template.h).
#include <algorithm>

#include "common/strings.h"
#include "query/logql/pipeline/go_template.h"
#include "query/logql/pipeline/line_state.h"
#include "query/logql/pipeline/template_ast.h"
#include "query/logql/pipeline/template_funcs.h"

namespace vigil::logql::pipeline {

std::string& TemplateScratch::NewString() {
  if (used_ == pool_.size()) pool_.emplace_back();
  std::string& s = pool_[used_++];
  s.clear();
  return s;
}

std::string& tmpl::CallContext::NewString() { return scratch->NewString(); }

namespace {

using tmpl::Command;
using tmpl::FuncDef;
using tmpl::Kind;
using tmpl::Node;
using tmpl::Operand;
using tmpl::ParamType;
using tmpl::Pipeline;
using tmpl::Value;

std::string_view TypeName(ParamType t) {
  switch (t) {
    case ParamType::kAny:
      return "interface {}";
    case ParamType::kString:
      return "string";
    case ParamType::kInt:
      return "int";
    case ParamType::kFloat:
      return "float64";
    case ParamType::kTime:
      return "time.Time";
  }
  return "?";
}

class Executor {
 public:
  Executor(LineState& state, TemplateScratch& scratch, const tmpl::Program& program)
      : state_(state), scratch_(scratch), program_(program) {}

  absl::Status Run(const std::vector<Node>& nodes, const Value& dot, std::string* out) {
    for (const Node& node : nodes) {
      switch (node.type) {
        case Node::Type::kText:
          out->append(node.text);
          break;
        case Node::Type::kAction: {
          Value v;
          if (absl::Status s = EvalPipeline(node.pipe, dot, &v); !s.ok()) return Wrap(node, s);
          if (v.kind == Kind::kMap) {
            AppendMap(out);
          } else {
            tmpl::AppendValue(v, out);
          }
          break;
        }
        case Node::Type::kIf:
        case Node::Type::kWith: {
          Value v;
          if (absl::Status s = EvalPipeline(node.pipe, dot, &v); !s.ok()) return Wrap(node, s);
          const bool truth = tmpl::Truth(v, v.kind == Kind::kMap ? MapSize() : 0);
          const Value& inner = node.type == Node::Type::kWith && truth ? v : dot;
          if (absl::Status s = Run(truth ? node.list : node.else_list, inner, out); !s.ok()) {
            return s;
          }
          break;
        }
      }
      if (out->size() > kMaxTemplateOutput) {
        return absl::ResourceExhaustedError(StrCat("template: ", program_.name, ": output exceeds ",
                                                   static_cast<uint64_t>(kMaxTemplateOutput),
                                                   " bytes"));
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Wrap(const Node& node, const absl::Status& s) const {
    return absl::Status(
        s.code(), StrCat("template: ", program_.name, ": executing \"", program_.name, "\" at <",
                         node.pipe.source, ">: ", ToStd(s.message())));
  }

  std::string_view LookupLabel(std::string_view name) {
    if (scratch_.use_snapshot) {
      for (size_t i = 0; i < scratch_.snapshot_size; ++i) {
        if (scratch_.snapshot[i].first == name) return scratch_.snapshot[i].second;
      }
      return {};
    }
    return state_.Get(name);
  }

  // The labels as `.` sees them, sorted (Go prints maps sorted by key).
  void SortedLabels() {
    scratch_.views.clear();
    if (scratch_.use_snapshot) {
      for (size_t i = 0; i < scratch_.snapshot_size; ++i) {
        scratch_.views.push_back(
            LabelView{scratch_.snapshot[i].first, scratch_.snapshot[i].second});
      }
      std::sort(scratch_.views.begin(), scratch_.views.end(),
                [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
    } else {
      state_.SortedLabelViews(&scratch_.views);
    }
  }

  size_t MapSize() {
    SortedLabels();
    return scratch_.views.size();
  }

  void AppendMap(std::string* out) {
    SortedLabels();
    out->append("map[");
    for (size_t i = 0; i < scratch_.views.size(); ++i) {
      if (i > 0) out->push_back(' ');
      StrAppend(out, scratch_.views[i].name, ":", scratch_.views[i].value);
    }
    out->push_back(']');
  }

  absl::Status Field(Value base, const std::vector<std::string>& fields, Value* out) {
    for (const std::string& f : fields) {
      if (base.kind != Kind::kMap) {
        return absl::InvalidArgumentError(
            StrCat("can't evaluate field ", f, " in type ", tmpl::KindName(base.kind)));
      }
      base = Value::Str(LookupLabel(f));  // missing keys read as "" (missingkey=zero)
    }
    *out = base;
    return absl::OkStatus();
  }

  absl::Status EvalPipeline(const Pipeline& p, const Value& dot, Value* out) {
    Value cur;
    for (size_t i = 0; i < p.cmds.size(); ++i) {
      Value next;
      if (absl::Status s = EvalCommand(p.cmds[i], dot, i > 0 ? &cur : nullptr, &next); !s.ok()) {
        return s;
      }
      cur = next;
    }
    *out = cur;
    return absl::OkStatus();
  }

  absl::Status EvalOperand(const Operand& op, const Value& dot, ParamType want, Value* out) {
    switch (op.type) {
      case Operand::Type::kField:
        return Field(dot, op.fields, out);
      case Operand::Type::kDot:
        *out = dot;
        return absl::OkStatus();
      case Operand::Type::kRoot: {
        Value root;
        root.kind = Kind::kMap;
        return Field(root, op.fields, out);
      }
      case Operand::Type::kString:
        *out = Value::Str(op.text);
        return absl::OkStatus();
      case Operand::Type::kNumber:
        if (want == ParamType::kInt) {
          if (!op.is_int) {
            return absl::InvalidArgumentError(StrCat("expected integer; found ", op.text));
          }
          *out = Value::Int(op.int_value);
        } else if (want == ParamType::kFloat) {
          *out = Value::Float(op.float_value);
        } else {
          *out =
              op.is_float || !op.is_int ? Value::Float(op.float_value) : Value::Int(op.int_value);
        }
        return absl::OkStatus();
      case Operand::Type::kBool:
        *out = Value::Bool(op.bool_value);
        return absl::OkStatus();
      case Operand::Type::kNil:
        *out = Value();
        return absl::OkStatus();
      case Operand::Type::kFunc:
        return Call(*op.func, nullptr, {}, out);
      case Operand::Type::kPipe: {
        Value v;
        if (absl::Status s = EvalPipeline(*op.pipe, dot, &v); !s.ok()) return s;
        return Field(v, op.fields, out);
      }
    }
    return absl::InternalError("unknown operand");
  }

  static absl::Status CheckType(const Value& v, ParamType t) {
    bool ok = true;
    switch (t) {
      case ParamType::kAny:
        break;
      case ParamType::kString:
        ok = v.kind == Kind::kString;
        break;
      case ParamType::kInt:
        ok = v.kind == Kind::kInt;
        break;
      case ParamType::kFloat:
        ok = v.kind == Kind::kFloat;
        break;
      case ParamType::kTime:
        ok = v.kind == Kind::kTime;
        break;
    }
    if (ok) return absl::OkStatus();
    return absl::InvalidArgumentError(
        StrCat("wrong type for value; expected ", TypeName(t), "; got ", tmpl::KindName(v.kind)));
  }

  absl::Status Call(const FuncDef& f, const Command* cmd, std::span<const Value> args, Value* out) {
    tmpl::CallContext ctx;
    ctx.state = &state_;
    ctx.scratch = &scratch_;
    ctx.command = cmd;
    absl::Status s = f.impl(ctx, args, out);
    if (!s.ok()) {
      return absl::Status(s.code(), StrCat("error calling ", f.name, ": ", ToStd(s.message())));
    }
    return absl::OkStatus();
  }

  absl::Status EvalCommand(const Command& c, const Value& dot, const Value* piped, Value* out) {
    if (c.func == nullptr) return EvalOperand(c.args[0], dot, ParamType::kAny, out);
    const FuncDef& f = *c.func;
    const size_t explicit_args = c.args.size() - 1;
    const size_t n = explicit_args + (piped != nullptr ? 1 : 0);
    if (f.lazy) {  // `and` / `or`: stop at the first argument that decides
      const bool is_and = f.name == "and";
      Value last;
      for (size_t k = 0; k < n; ++k) {
        if (k < explicit_args) {
          if (absl::Status s = EvalOperand(c.args[k + 1], dot, ParamType::kAny, &last); !s.ok()) {
            return s;
          }
        } else {
          last = *piped;
        }
        const bool truth = tmpl::Truth(last, last.kind == Kind::kMap ? MapSize() : 0);
        if (truth != is_and) break;
      }
      *out = last;
      return absl::OkStatus();
    }
    const bool prints = f.name == "print" || f.name == "printf" || f.name == "println";
    const size_t base = scratch_.stack.size();
    for (size_t k = 0; k < n; ++k) {
      Value v;
      if (k < explicit_args) {
        if (absl::Status s = EvalOperand(c.args[k + 1], dot, f.TypeOf(k), &v); !s.ok()) {
          scratch_.stack.resize(base);
          return s;
        }
      } else {
        v = *piped;
      }
      if (v.kind == Kind::kMap && prints) {
        std::string& rendered = scratch_.NewString();
        AppendMap(&rendered);
        v = Value::Str(rendered);
      }
      if (absl::Status s = CheckType(v, f.TypeOf(k)); !s.ok()) {
        scratch_.stack.resize(base);
        return absl::InvalidArgumentError(
            StrCat("error calling ", f.name, ": ", ToStd(s.message())));
      }
      scratch_.stack.push_back(v);
    }
    absl::Status s = Call(f, &c, std::span<const Value>(scratch_.stack.data() + base, n), out);
    scratch_.stack.resize(base);
    return s;
  }

  LineState& state_;
  TemplateScratch& scratch_;
  const tmpl::Program& program_;
};

}  // namespace

absl::StatusOr<GoTemplate> GoTemplate::Compile(std::string_view text, std::string_view name) {
  auto program = std::make_shared<tmpl::Program>();
  program->name = std::string(name);
  if (absl::Status s = tmpl::ParseProgram(text, program.get()); !s.ok()) return s;
  GoTemplate t;
  t.program_ = std::move(program);
  return t;
}

absl::Status GoTemplate::Execute(LineState& state, std::string* out) const {
  if (program_ == nullptr) return absl::OkStatus();
  TemplateScratch& scratch = state.template_scratch();
  scratch.Reset();
  scratch.stack.clear();
  Executor exec(state, scratch, *program_);
  Value root;
  root.kind = Kind::kMap;
  return exec.Run(program_->nodes, root, out);
}

std::string_view GoTemplate::simple_field() const {
  return program_ != nullptr ? std::string_view(program_->simple_field) : std::string_view();
}

}  // namespace vigil::logql::pipeline
