// Turns a parsed log selector's pipeline (syntax::Stage values) into the runtime pipeline
// (pipeline::Pipeline), including its unwrap and post-unwrap filters.
//
// Thread-safety: pure function.
#pragma once

#include "absl/status/statusor.h"
#include "query/logql/pipeline/pipeline.h"
#include "query/logql/syntax/ast.h"

namespace vigil::logql {

absl::StatusOr<pipeline::Pipeline> BuildPipeline(const LogSelectorExpr& selector);

}  // namespace vigil::logql
