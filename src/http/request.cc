#include "http/request.h"

namespace vigil {

std::vector<std::string> HttpRequest::Params(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : params_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

std::optional<std::string> HttpRequest::Param(std::string_view name) const {
  for (const auto& [n, v] : params_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::string_view HttpRequest::PathParam(std::string_view name) const {
  for (const auto& [n, v] : path_params_) {
    if (n == name) return v;
  }
  return {};
}

}  // namespace vigil
