#include "tests/test_client.h"

#include <simdjson.h>

#include "common/strings.h"
#include "http/url.h"

namespace vigil::testing {

std::map<std::string, std::vector<std::pair<int64_t, double>>> ExportAll(const VigilProcess& v,
                                                                       const std::string& match) {
  std::map<std::string, std::vector<std::pair<int64_t, double>>> out;
  auto resp = v.Get(StrCat("/api/v1/export?match[]=", UrlEncode(match)));
  if (!resp.ok() || resp->status != 200) return out;
  simdjson::dom::parser parser;
  size_t pos = 0;
  const std::string& body = resp->body;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string::npos) nl = body.size();
    simdjson::dom::element doc;
    if (parser.parse(body.data() + pos, nl - pos).get(doc) != simdjson::SUCCESS) break;
    std::vector<Label> labels;
    for (auto field : doc["metric"].get_object()) {
      labels.push_back({std::string(field.key), std::string(field.value.get_string().value())});
    }
    std::string key = Labels::FromUnsorted(labels).ToString();
    auto values = doc["values"].get_array().value();
    auto ts = doc["timestamps"].get_array().value();
    auto vi = values.begin();
    for (auto t : ts) {
      double val = 0;
      if ((*vi).is_double()) {
        val = (*vi).get_double().value();
      } else if ((*vi).is_int64()) {
        val = static_cast<double>((*vi).get_int64().value());
      } else if ((*vi).is_uint64()) {
        val = static_cast<double>((*vi).get_uint64().value());
      }
      out[key].push_back({t.get_int64().value(), val});
      ++vi;
    }
    pos = nl + 1;
  }
  return out;
}

}  // namespace vigil::testing
