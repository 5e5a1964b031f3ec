// Helpers shared by the integration tests: building remote_write bodies and reading back
// what vigil stored through /api/v1/export.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ingest/remote_write/write_request.h"
#include "tests/vigil_process.h"

namespace vigil::testing {

inline std::string RemoteWriteBody(const std::vector<WriteSeries>& series) {
  std::string pb;
  EncodeWriteRequest(series, &pb);
  return SnappyCompress(pb);
}

inline HttpHeaders RemoteWriteHeaders() {
  return {{"Content-Type", "application/x-protobuf"},
          {"Content-Encoding", "snappy"},
          {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
}

// Exported samples by series (as Prometheus prints labels) from one export call.
std::map<std::string, std::vector<std::pair<int64_t, double>>> ExportAll(const VigilProcess& v,
                                                                       const std::string& match);

}  // namespace vigil::testing
