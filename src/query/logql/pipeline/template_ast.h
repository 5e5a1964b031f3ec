// Internal to the template engine: the compiled form of a Go text/template (see
// go_template.h) and the function table's shape.
//
// Thread-safety: a Program is immutable once compiled and shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "query/logql/pipeline/template_value.h"
#include "re2/re2.h"

namespace vigil::logql::pipeline {
class LineState;
class TemplateScratch;
}  // namespace vigil::logql::pipeline

namespace vigil::logql::pipeline::tmpl {

// What a function parameter accepts, checked as Go's reflection-based call checks it.
enum class ParamType : uint8_t { kAny, kString, kInt, kFloat, kTime };

struct Command;

// What a function body sees.
struct CallContext {
  LineState* state = nullptr;
  TemplateScratch* scratch = nullptr;
  const Command* command = nullptr;  // for arguments precompiled at compile time
  // A cleared string from the evaluation's pool, alive until the execution ends.
  std::string& NewString();
};

using FuncImpl = absl::Status (*)(CallContext& ctx, std::span<const Value> args, Value* out);

struct FuncDef {
  std::string_view name;
  int min_args = 0;
  int max_args = 0;  // -1: variadic
  ParamType params[4] = {};
  ParamType rest = ParamType::kAny;  // type of arguments past `params`
  FuncImpl impl = nullptr;
  int regex_arg = -1;  // an argument that is a regular expression, precompiled when literal
  bool lazy = false;   // `and` / `or`: arguments evaluated by the executor, left to right

  // Fixed parameters are `params[0..max_args)`, or `params[0..min_args)` for a variadic
  // function whose further arguments all have type `rest`.
  ParamType TypeOf(size_t i) const {
    const size_t fixed = static_cast<size_t>(max_args >= 0 ? max_args : min_args);
    return i < fixed && i < 4 ? params[i] : rest;
  }
};

// The function of this name, or null.
const FuncDef* LookupFunc(std::string_view name);

struct Pipeline;

struct Operand {
  enum class Type : uint8_t { kField, kDot, kRoot, kString, kNumber, kBool, kNil, kFunc, kPipe };
  Type type = Type::kNil;
  std::vector<std::string> fields;  // field chain applied after the term (`.a.b`, `$.a`, `(x).a`)
  std::string text;                 // string value, or number text
  bool is_int = false;              // number literal representable as an int
  bool is_float = false;            // number literal written as a float (has . e E p P)
  int64_t int_value = 0;
  double float_value = 0;
  bool bool_value = false;
  const FuncDef* func = nullptr;   // kFunc: a niladic call
  std::unique_ptr<Pipeline> pipe;  // kPipe: a parenthesized pipeline
};

struct Command {
  std::vector<Operand> args;  // args[0] is the function when func != null
  const FuncDef* func = nullptr;
  std::shared_ptr<const RE2> regex;  // func->regex_arg given as a literal, compiled once
};

struct Pipeline {
  std::vector<Command> cmds;
  std::string source;  // the action's text, for error messages
};

struct Node {
  enum class Type : uint8_t { kText, kAction, kIf, kWith };
  Type type = Type::kText;
  std::string text;
  Pipeline pipe;
  std::vector<Node> list;
  std::vector<Node> else_list;
};

struct Program {
  std::string name;
  std::vector<Node> nodes;
  std::string simple_field;  // set when the template is exactly `{{.field}}`
};

// Compiles Go template text; errors read like Go's ("template: line:1: ...").
absl::Status ParseProgram(std::string_view text, Program* program);

}  // namespace vigil::logql::pipeline::tmpl
