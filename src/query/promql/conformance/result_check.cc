#include "query/promql/conformance/result_check.h"

#include <bit>
#include <cmath>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "common/string_view_hash.h"
#include "common/strings.h"

namespace vigil::promql::conformance {
namespace {

constexpr double kEpsilon = 0.000001;
// The smallest positive normal double (0x0010000000000000).
constexpr double kMinNormal = 2.2250738585072014e-308;

absl::Status Mismatch(std::string msg) { return absl::FailedPreconditionError(std::move(msg)); }

absl::Status CheckScalar(const EvalCmd& cmd, double got) {
  if (!cmd.scalar) {
    return Mismatch(StrCat("got scalar ", FormatValue(got), " but expected a vector"));
  }
  if (!AlmostEqual(*cmd.scalar, got)) {
    return Mismatch(
        StrCat("expected scalar ", FormatValue(*cmd.scalar), " but got ", FormatValue(got)));
  }
  return absl::OkStatus();
}

absl::Status CheckVector(const EvalCmd& cmd, const Vector& got, bool ordered) {
  StringViewMap<const ExpectedSample*> expected;
  for (const ExpectedSample& e : cmd.samples) expected[e.labels.packed()] = &e;
  StringViewMap<bool> seen;
  for (size_t pos = 0; pos < got.size(); ++pos) {
    const VectorSample& s = got[pos];
    auto it = expected.find(s.labels.packed());
    if (it == expected.end()) {
      return Mismatch(StrCat("unexpected metric ", s.labels.ToString(), " in result"));
    }
    const ExpectedSample& e = *it->second;
    if (ordered && e.pos != static_cast<int>(pos + 1)) {
      return Mismatch(StrCat("expected metric ", s.labels.ToString(), " with ",
                             FormatValue(e.value), " at position ", e.pos, " but was at ",
                             pos + 1));
    }
    if (!AlmostEqual(e.value, s.v)) {
      return Mismatch(StrCat("expected ", FormatValue(e.value), " for ", s.labels.ToString(),
                             " but got ", FormatValue(s.v)));
    }
    seen[e.labels.packed()] = true;
  }
  for (const ExpectedSample& e : cmd.samples) {
    if (!seen.contains(e.labels.packed())) {
      return Mismatch(StrCat("expected metric ", e.labels.ToString(), " with ",
                             FormatValue(e.value), " not found"));
    }
  }
  if (cmd.scalar) {
    return Mismatch(StrCat("expected scalar ", FormatValue(*cmd.scalar), " but got a vector"));
  }
  return absl::OkStatus();
}

}  // namespace

bool AlmostEqual(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || diff < kMinNormal) return diff < kEpsilon * kMinNormal;
  return diff / (std::fabs(a) + std::fabs(b)) < kEpsilon;
}

absl::Status CheckInstantResult(const EvalCmd& cmd, const QueryResult& result) {
  switch (result.type) {
    case ValueType::kMatrix:
      return Mismatch("received range result on instant evaluation");
    case ValueType::kVector:
      return CheckVector(cmd, result.vector, cmd.kind == EvalKind::kOrdered);
    case ValueType::kScalar:
      return CheckScalar(cmd, result.scalar);
    default:
      return Mismatch(StrCat("unexpected result type ", ValueTypeApiName(result.type)));
  }
}

absl::Status CheckRangeResult(const EvalCmd& cmd, ValueType instant_type, const QueryResult& range,
                              int64_t t_ms) {
  if (range.type != ValueType::kMatrix) {
    return Mismatch(StrCat("range query returned a ", ValueTypeApiName(range.type), ", not a matrix"));
  }
  Vector at;
  for (const Series& s : range.matrix) {
    for (const Sample& p : s.points) {
      if (p.t == t_ms) {
        at.push_back({s.labels, p.v, p.t});
        break;
      }
    }
  }
  if (instant_type == ValueType::kScalar) {
    if (at.empty()) return Mismatch(StrCat("range query has no point at ", t_ms, " ms"));
    return CheckScalar(cmd, at[0].v);
  }
  return CheckVector(cmd, at, /*ordered=*/false);
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return IsStaleNaN(v) ? "stale" : "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return StrCat(v);
}

std::string FormatResult(const QueryResult& r) {
  std::string out;
  switch (r.type) {
    case ValueType::kScalar:
      return StrCat("scalar ", FormatValue(r.scalar));
    case ValueType::kString:
      return StrCat("string ", QuoteString(r.string));
    case ValueType::kVector:
      if (r.vector.empty()) return "empty vector";
      for (const VectorSample& s : r.vector) {
        StrAppend(&out, out.empty() ? "" : "\n", s.labels.ToString(), " ", FormatValue(s.v));
      }
      return out;
    case ValueType::kMatrix:
      if (r.matrix.empty()) return "empty matrix";
      for (const Series& s : r.matrix) {
        StrAppend(&out, out.empty() ? "" : "\n", s.labels.ToString(), " ");
        for (const Sample& p : s.points) StrAppend(&out, " ", FormatValue(p.v), "@", p.t);
      }
      return out;
    case ValueType::kNone:
      break;
  }
  return "no result";
}

std::string FormatExpected(const EvalCmd& cmd) {
  if (cmd.kind == EvalKind::kFail) return "an error";
  std::string out;
  for (const ExpectedSample& e : cmd.samples) {
    StrAppend(&out, out.empty() ? "" : "\n", e.labels.ToString(), " ", FormatValue(e.value));
  }
  if (cmd.scalar) StrAppend(&out, out.empty() ? "" : "\n", "scalar ", FormatValue(*cmd.scalar));
  return out.empty() ? "empty result" : out;
}

}  // namespace vigil::promql::conformance
