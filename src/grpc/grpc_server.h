// vigil's gRPC server: unary methods over raw bytes, for OTLP/gRPC (:4317).
//
// The OTLP decoders read protobuf wire format themselves, so this layer hands each handler the
// request message exactly as received (after gRPC's own gzip/deflate decompression) and sends
// the handler's bytes back as the response message; no generated protobuf classes are involved.
// Underneath is gRPC's async generic service: one completion-queue thread does gRPC's I/O and
// never runs user code, and `threads` worker threads run the handlers, which may block (a WAL
// fsync) without stalling the connection I/O of other calls.
//
// Flow control: at most `max_concurrent_calls` calls are accepted at a time; further calls wait
// inside gRPC with their request bytes still under HTTP/2 flow control, so a burst of clients
// costs bounded memory instead of a pile of buffered requests.
//
// Errors the server produces itself: an unregistered method answers UNIMPLEMENTED, a request
// over `max_message_bytes` (as received, or after decompression) RESOURCE_EXHAUSTED (gRPC's own
// check), a call whose deadline passed while it waited for a worker DEADLINE_EXCEEDED, and a
// handler that throws INTERNAL.
//
// Lifecycle: Register() every method, Start(), ..., Shutdown() (also run by the destructor).
// Register/Start/Shutdown must not be called concurrently with each other; handlers run
// concurrently on the worker threads and must be thread-safe. No globals: several servers can
// run in one process.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace vigil {

// What a handler may want to know about the call besides its request bytes.
struct GrpcCallInfo {
  std::string method;  // "/package.Service/Method"
  std::string peer;    // gRPC's peer URI, e.g. "ipv4:127.0.0.1:53412"
  absl::Time deadline = absl::InfiniteFuture();
  // Request metadata in arrival order; keys are lowercase (HTTP/2 header names), "-bin" values
  // already base64-decoded.
  std::vector<std::pair<std::string, std::string>> metadata;

  // First value of metadata `key` (lowercase, e.g. "authorization"), if present.
  std::optional<std::string_view> FindMetadata(std::string_view key) const;
};

// A handler's answer. `body` is the serialized response message, sent only when status is OK
// (an empty body is a valid empty message). A non-OK status goes out with its canonical code
// and message (see grpc_status.h).
struct GrpcReply {
  absl::Status status;
  std::string body;
};

// `request` stays valid only for the duration of the call.
using GrpcHandler = std::function<GrpcReply(std::string_view request, const GrpcCallInfo& info)>;

class GrpcServer {
 public:
  struct Options {
    std::string listen;  // "host:port", e.g. "0.0.0.0:4317" or "[::1]:0"; port 0 picks a free one
    int threads = 2;     // handler worker threads
    size_t max_message_bytes = 64 << 20;  // request size limit, compressed and decompressed
    int max_concurrent_calls = 32;        // calls being read, queued or handled at once
    // Shutdown() lets in-flight calls finish for this long, then cancels what remains.
    std::chrono::milliseconds shutdown_grace{std::chrono::seconds(10)};
  };

  GrpcServer();
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // Routes `method` ("/opentelemetry.proto.collector.trace.v1.TraceService/Export") to `h`,
  // replacing an earlier registration. Only before Start(); later calls are ignored (logged).
  void Register(std::string method, GrpcHandler h);

  // Binds `options.listen` with insecure credentials and starts serving. A taken port, an
  // unresolvable host or a missing permission comes back as an error naming the address
  // (Unavailable, InvalidArgument, PermissionDenied). Call at most once.
  absl::Status Start(const Options& options);

  // The bound port (the real one when the requested port was 0); 0 before Start.
  int port() const;

  // Graceful stop: refuses new calls, lets in-flight ones finish for up to
  // options.shutdown_grace, cancels the rest (their clients see UNAVAILABLE "Cancelling all
  // calls", which OTLP exporters retry), waits for running handlers to return (their answers
  // are dropped) and joins all threads. Idempotent; a no-op when never started.
  void Shutdown();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
