#include "api/es_compat_api.h"

#include "common/json_writer.h"

namespace vigil {
namespace {

void Json(HttpResponse& resp, int status, const std::string& body) {
  resp.headers().Set("X-Elastic-Product", "Elasticsearch");
  resp.set_status(status);
  resp.set_content_type("application/json; charset=UTF-8");
  resp.set_body(body);
}

void Acknowledged(const HttpRequest&, HttpResponse& resp) { Json(resp, 200, R"({"acknowledged":true})"); }

}  // namespace

bool IsEsClient(const HttpRequest& req) {
  std::optional<std::string_view> accept = req.Header("Accept");
  return !accept || accept->empty() || accept->find("json") != std::string_view::npos;
}

void WriteEsRootInfo(HttpResponse& resp) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.KV("name", "vigil").KV("cluster_name", "vigil").KV("cluster_uuid", "vigil-logs");
  w.Key("version").BeginObject();
  w.KV("number", "8.11.0").KV("build_flavor", "default").KV("build_type", "vigil");
  w.KV("lucene_version", "9.8.0").KV("minimum_wire_compatibility_version", "7.17.0");
  w.KV("minimum_index_compatibility_version", "7.0.0");
  w.EndObject();
  w.KV("tagline", "You Know, for Search");
  w.EndObject();
  Json(resp, 200, body);
}

void RegisterEsCompatApi(Router& router) {
  router.Handle("GET", "/_cluster/health",
                [](const HttpRequest&, HttpResponse& resp) {
                  Json(resp, 200,
                       R"({"cluster_name":"vigil","status":"green","timed_out":false,"number_of_nodes":1,)"
                       R"("number_of_data_nodes":1,"active_primary_shards":1,"active_shards":1,)"
                       R"("relocating_shards":0,"initializing_shards":0,"unassigned_shards":0})");
                },
                "es_health");
  for (const char* path : {"/_license", "/_xpack"}) {
    router.Handle("GET", path,
                  [](const HttpRequest&, HttpResponse& resp) {
                    Json(resp, 200,
                         R"({"license":{"status":"active","type":"basic","uid":"vigil"},)"
                         R"("features":{},"build":{"hash":"vigil"}})");
                  },
                  "es_license");
  }
  for (const char* path : {"/_index_template/:name", "/_template/:name", "/_component_template/:name",
                           "/_ilm/policy/:name", "/_ingest/pipeline/:name"}) {
    for (const char* method : {"PUT", "POST"}) router.Handle(method, path, Acknowledged, "es_template");
    // GET/HEAD: "not there", so a shipper that installs its template on absence does so once
    // per start (and gets an acknowledgement) instead of failing.
    router.Handle("GET", path,
                  [](const HttpRequest&, HttpResponse& resp) { Json(resp, 404, "{}"); },
                  "es_template");
  }
  router.Handle("PUT", "/:index",
                [](const HttpRequest& req, HttpResponse& resp) {
                  std::string body;
                  JsonWriter w(&body);
                  w.BeginObject().Key("acknowledged").Bool(true).Key("shards_acknowledged").Bool(true);
                  w.KV("index", req.PathParam("index")).EndObject();
                  Json(resp, 200, body);
                },
                "es_create_index");
  router.Handle("HEAD", "/:index",
                [](const HttpRequest&, HttpResponse& resp) { Json(resp, 200, ""); },
                "es_index_exists");
}

}  // namespace vigil
