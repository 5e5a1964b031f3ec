// Internal to the template engine: the function table, split by family across
// template_funcs_*.cc, and helpers shared by the functions.
//
// Thread-safety: the table is built once and read-only afterwards.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "query/logql/pipeline/template_ast.h"

namespace vigil::logql::pipeline::tmpl {

// Strings, regexes, URL and base64 (template_funcs_string.cc).
void AddStringFuncs(std::vector<FuncDef>* table);
// Builtins, comparisons, arithmetic, conversions, printing, time (template_funcs_value.cc).
void AddValueFuncs(std::vector<FuncDef>* table);

// Sprig's toInt64 / toFloat64 (via spf13/cast): numbers convert, strings are parsed (Go's
// ParseInt base 0 after dropping a ".000" tail / ParseFloat), bools are 0 or 1, and anything
// unconvertible is 0.
int64_t ToInt64(const Value& v);
double ToFloat64(const Value& v);

// Go's fmt.Sprintf / Sprint / Sprintln over template values.
void GoSprintf(std::string_view format, std::span<const Value> args, std::string* out);
void GoSprint(std::span<const Value> args, bool println, std::string* out);

// Error for a string a function would build past kMaxTemplateOutput.
absl::Status TooLarge(std::string_view func);

// Decodes one UTF-8 sequence at s[i]; an invalid byte decodes as U+FFFD of length 1.
uint32_t DecodeRune(std::string_view s, size_t i, size_t* len);
void AppendRune(uint32_t r, std::string* out);

// Go's strconv.Unquote for a double- or single-quoted literal, quotes included.
bool UnquoteGo(std::string_view literal, std::string* out);

}  // namespace vigil::logql::pipeline::tmpl
