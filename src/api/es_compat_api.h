// The few Elasticsearch endpoints log shippers probe before they send _bulk requests
// (Filebeat, Logstash, Fluentd, Vector, winston-elasticsearch), answered so that they go on:
//   GET|HEAD /                      cluster info (version 8.11.0) for clients that ask for JSON
//   GET      /_cluster/health       green
//   GET      /_license, /_xpack     a basic license
//   PUT|POST|GET|HEAD /_index_template/<name>, /_template/<name>, /_component_template/<name>,
//            /_ilm/policy/<name>, /_ingest/pipeline/<name>: accepted and ignored
//   PUT|HEAD /<index>               index creation / existence: acknowledged
// Every answer carries `X-Elastic-Product: Elasticsearch`, which the official clients check.
// Templates, mappings and policies have no effect: documents keep their fields as sent.
//
// Thread-safety: handlers are stateless.
#pragma once

#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

namespace vigil {

void RegisterEsCompatApi(Router& router);

// Elasticsearch's `GET /` answer (the root handler serves it to non-browser clients).
void WriteEsRootInfo(HttpResponse& resp);
// True when `GET /` looks like an Elasticsearch client's probe: it accepts JSON (as the
// official clients and Beats say) or sends no Accept header at all; browsers and curl send
// one without JSON in it and get the landing page.
bool IsEsClient(const HttpRequest& req);

}  // namespace vigil
