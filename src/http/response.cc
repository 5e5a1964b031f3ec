#include "http/response.h"

#include "common/json_writer.h"

namespace vigil {

void HttpResponse::SetJson(int status, std::string json) {
  status_ = status;
  body_ = std::move(json);
  set_content_type(kContentTypeJson);
}

void HttpResponse::SetText(int status, std::string text) {
  status_ = status;
  body_ = std::move(text);
  set_content_type(kContentTypeText);
}

void HttpResponse::SetError(int status, std::string_view error_type, std::string_view message) {
  SetJson(status, ErrorJson(error_type, message));
}

std::string ErrorJson(std::string_view error_type, std::string_view message) {
  std::string out;
  out.reserve(64 + message.size());
  JsonWriter w(&out);
  w.BeginObject().KV("status", "error").KV("errorType", error_type).KV("error", message);
  w.EndObject();
  return out;
}

}  // namespace vigil
