#include "grpc/grpc_server.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "common/logging.h"
#include "common/strings.h"
#include "grpc/grpc_status.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/grpcpp.h"

namespace vigil {
namespace {

constexpr std::string_view kComponent = "grpc";

// One accepted call. Exactly one gRPC operation is outstanding per call at any time, and the
// call itself is the completion-queue tag, so `step` says which operation just completed.
struct Call {
  enum class Step { kRequest, kRead, kFinish };
  Step step = Step::kRequest;
  grpc::GenericServerContext ctx;
  grpc::GenericServerAsyncReaderWriter stream{&ctx};
  grpc::ByteBuffer request;
  const GrpcHandler* handler = nullptr;
};

// Ends the life of a call whose tag will not come back from the completion queue.
void Drop(Call* call) { std::unique_ptr<Call> owned(call); }

// Wraps `body` in a ByteBuffer without copying: the slice owns the string.
grpc::ByteBuffer ToByteBuffer(std::string body) {
  if (body.empty()) {
    // A unary reply must carry one message even when it is empty (an empty protobuf is a
    // valid Export…Response): a buffer with no slices would send none, which clients report
    // as "No message received".
    grpc::Slice empty;
    return grpc::ByteBuffer(&empty, 1);
  }
  auto owned = std::make_unique<std::string>(std::move(body));
  std::string* raw = owned.get();
  grpc::Slice slice(
      raw->data(), raw->size(),
      [](void* p) { std::unique_ptr<std::string> owned(static_cast<std::string*>(p)); }, raw);
  owned.release();  // now owned by the slice
  return grpc::ByteBuffer(&slice, 1);
}

// The request bytes: a view of the single slice when gRPC delivered one (the usual case after
// decompression), otherwise one copy of all slices into `storage`.
std::string_view RequestBytes(const grpc::ByteBuffer& buf, grpc::Slice* single,
                              std::string* storage) {
  if (buf.TrySingleSlice(single).ok()) {
    return {reinterpret_cast<const char*>(single->begin()), single->size()};
  }
  std::vector<grpc::Slice> slices;
  if (!buf.Dump(&slices).ok()) return {};
  storage->reserve(buf.Length());
  for (const grpc::Slice& s : slices) {
    storage->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return *storage;
}

GrpcCallInfo MakeCallInfo(const grpc::GenericServerContext& ctx) {
  GrpcCallInfo info;
  info.method = ctx.method();
  info.peer = ctx.peer();
  auto deadline = ctx.deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    info.deadline = absl::FromChrono(deadline);
  }
  const auto& md = ctx.client_metadata();
  info.metadata.reserve(md.size());
  for (const auto& [k, v] : md) {
    info.metadata.emplace_back(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  return info;
}

// gRPC reports a failed bind only as a null server (and a line on its own log), so a plain
// socket bind to the same address recovers the reason for the error message.
absl::Status ExplainBindFailure(const std::string& listen) {
  std::string host;
  std::string port;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        StrCat("gRPC listen address \"", listen, "\": expected host:port"));
  }
  host = listen.substr(0, colon);
  port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    return absl::InvalidArgumentError(
        StrCat("gRPC listen on ", listen, ": cannot resolve: ", gai_strerror(rc)));
  }
  int err = 0;
  for (addrinfo* ai = res; ai != nullptr && err == 0; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) err = errno;
    close(fd);
  }
  freeaddrinfo(res);
  if (err == 0) {
    return absl::InternalError(
        StrCat("gRPC listen on ", listen, ": the server could not bind (see gRPC's log)"));
  }
  std::string msg = StrCat("gRPC listen on ", listen, ": ", std::strerror(err));
  if (err == EADDRINUSE) return absl::UnavailableError(msg);
  if (err == EACCES) return absl::PermissionDeniedError(msg);
  return absl::InternalError(msg);
}

}  // namespace

std::optional<std::string_view> GrpcCallInfo::FindMetadata(std::string_view key) const {
  for (const auto& [k, v] : metadata) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

class GrpcServer::Impl {
 public:
  ~Impl() { Shutdown(); }

  void Register(std::string method, GrpcHandler h) {
    if (started_) {
      LogError(kComponent, "method registered after Start; ignored", {{"method", method}});
      return;
    }
    handlers_[std::move(method)] = std::move(h);
  }

  absl::Status Start(const Options& options);
  void Shutdown();
  int port() const { return port_; }

 private:
  void PollLoop();
  void WorkerLoop();
  void OnEvent(Call* call, bool ok);
  void RequestCall();
  void Dispatch(Call* call);
  void Handle(Call* call);
  // Every gRPC operation goes through these, so none can start after the queue shut down.
  bool StartRead(Call* call);
  bool StartFinish(Call* call, const grpc::Status& status, std::string* body);

  Options options_;
  absl::flat_hash_map<std::string, GrpcHandler> handlers_;
  bool started_ = false;
  bool stopped_ = false;
  int port_ = 0;
  std::atomic<bool> shutting_down_{false};

  grpc::AsyncGenericService service_;
  std::unique_ptr<grpc::ServerCompletionQueue> cq_;
  std::unique_ptr<grpc::Server> server_;
  std::mutex cq_mu_;     // orders operation starts against cq_->Shutdown()
  bool cq_open_ = true;  // guarded by cq_mu_
  std::thread poller_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Call*> queue_;        // guarded by queue_mu_
  bool workers_stopping_ = false;  // guarded by queue_mu_
  std::vector<std::thread> workers_;
};

absl::Status GrpcServer::Impl::Start(const Options& options) {
  if (started_) return absl::FailedPreconditionError("gRPC server already started");
  started_ = true;
  options_ = options;
  options_.threads = std::max(1, options_.threads);
  options_.max_concurrent_calls = std::max(1, options_.max_concurrent_calls);
  int max_message = static_cast<int>(std::min<size_t>(options_.max_message_bytes, INT_MAX));

  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default, which would let a second server share a taken port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(max_message);
  builder.SetMaxSendMessageSize(-1);
  builder.AddListeningPort(options_.listen, grpc::InsecureServerCredentials(), &port_);
  builder.RegisterAsyncGenericService(&service_);
  cq_ = builder.AddCompletionQueue();
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    // Nothing was ever queued on cq_. Destroying it shuts it down; an explicit Shutdown()
    // here would only make gRPC log that the (never started) server still refers to it.
    server_.reset();
    cq_.reset();
    port_ = 0;
    stopped_ = true;
    return ExplainBindFailure(options_.listen);
  }
  for (int i = 0; i < options_.max_concurrent_calls; ++i) RequestCall();
  poller_ = std::thread([this] { PollLoop(); });
  for (int i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  LogInfo(kComponent, "listening", {{"address", options_.listen}, {"port", std::to_string(port_)}});
  return absl::OkStatus();
}

void GrpcServer::Impl::Shutdown() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  shutting_down_ = true;
  // Stops accepting; returns once every call is done, cancelling stragglers at the deadline.
  // The poller and workers keep running meanwhile so in-flight calls can complete.
  server_->Shutdown(std::chrono::system_clock::now() + options_.shutdown_grace);
  {
    std::lock_guard lock(queue_mu_);
    workers_stopping_ = true;
  }
  queue_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  {
    std::lock_guard lock(cq_mu_);
    cq_open_ = false;
    cq_->Shutdown();
  }
  poller_.join();  // drains the queue, deleting every call still referenced by it
  server_.reset();
  cq_.reset();
}

void GrpcServer::Impl::RequestCall() {
  auto call = std::make_unique<Call>();
  std::lock_guard lock(cq_mu_);
  if (!cq_open_) return;
  Call* raw = call.release();  // owned by the completion queue until its tag comes back
  service_.RequestCall(&raw->ctx, &raw->stream, cq_.get(), cq_.get(), raw);
}

bool GrpcServer::Impl::StartRead(Call* call) {
  std::lock_guard lock(cq_mu_);
  if (!cq_open_) return false;
  call->step = Call::Step::kRead;
  call->stream.Read(&call->request, call);
  return true;
}

bool GrpcServer::Impl::StartFinish(Call* call, const grpc::Status& status, std::string* body) {
  std::lock_guard lock(cq_mu_);
  if (!cq_open_) return false;
  call->step = Call::Step::kFinish;
  if (body != nullptr) {
    call->stream.WriteAndFinish(ToByteBuffer(std::move(*body)), grpc::WriteOptions(), status, call);
  } else {
    call->stream.Finish(status, call);
  }
  return true;
}

void GrpcServer::Impl::PollLoop() {
  void* tag;
  bool ok;
  while (cq_->Next(&tag, &ok)) OnEvent(static_cast<Call*>(tag), ok);
}

void GrpcServer::Impl::OnEvent(Call* call, bool ok) {
  std::unique_ptr<Call> owned(call);
  switch (call->step) {
    case Call::Step::kRequest: {
      if (!ok) return;  // the server is shutting down
      auto it = handlers_.find(call->ctx.method());
      if (it == handlers_.end()) {
        grpc::Status st(grpc::StatusCode::UNIMPLEMENTED,
                        StrCat("unknown method ", call->ctx.method()));
        if (StartFinish(call, st, nullptr)) owned.release();
        return;
      }
      call->handler = &it->second;
      if (StartRead(call)) owned.release();
      return;
    }
    case Call::Step::kRead: {
      if (!ok) {
        // No message: the client half-closed early, or gRPC failed the read (size limit,
        // cancellation) and already chose the status the client sees.
        grpc::Status st(grpc::StatusCode::INVALID_ARGUMENT, "request message missing");
        if (StartFinish(call, st, nullptr)) owned.release();
        return;
      }
      Dispatch(owned.release());
      return;
    }
    case Call::Step::kFinish:
      owned.reset();
      // Keep the number of open call slots constant; this is what bounds concurrency.
      if (!shutting_down_) RequestCall();
      return;
  }
}

void GrpcServer::Impl::Dispatch(Call* call) {
  {
    std::lock_guard lock(queue_mu_);
    if (!workers_stopping_) {
      queue_.push_back(call);
      queue_cv_.notify_one();
      return;
    }
  }
  grpc::Status st(grpc::StatusCode::UNAVAILABLE, "server shutting down");
  if (!StartFinish(call, st, nullptr)) Drop(call);
}

void GrpcServer::Impl::WorkerLoop() {
  while (true) {
    Call* call;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return workers_stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to answer
      call = queue_.front();
      queue_.pop_front();
    }
    Handle(call);
  }
}

void GrpcServer::Impl::Handle(Call* call) {
  if (std::chrono::system_clock::now() >= call->ctx.deadline()) {
    grpc::Status st(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed before handling");
    if (!StartFinish(call, st, nullptr)) Drop(call);
    return;
  }
  GrpcReply reply;
  {
    grpc::Slice single;
    std::string storage;
    std::string_view request = RequestBytes(call->request, &single, &storage);
    GrpcCallInfo info = MakeCallInfo(call->ctx);
    try {
      reply = (*call->handler)(request, info);
    } catch (const std::exception& e) {
      LogError(kComponent, "handler threw", {{"method", info.method}, {"error", e.what()}});
      reply.status = absl::InternalError(StrCat("handler failed: ", e.what()));
    } catch (...) {
      LogError(kComponent, "handler threw", {{"method", info.method}});
      reply.status = absl::InternalError("handler failed");
    }
  }
  call->request.Clear();  // the request can be large; free it before the response goes out
  bool started = reply.status.ok() ? StartFinish(call, grpc::Status::OK, &reply.body)
                                   : StartFinish(call, ToGrpcStatus(reply.status), nullptr);
  if (!started) Drop(call);
}

GrpcServer::GrpcServer() : impl_(std::make_unique<Impl>()) {}
GrpcServer::~GrpcServer() = default;

void GrpcServer::Register(std::string method, GrpcHandler h) {
  impl_->Register(std::move(method), std::move(h));
}
absl::Status GrpcServer::Start(const Options& options) { return impl_->Start(options); }
int GrpcServer::port() const { return impl_->port(); }
void GrpcServer::Shutdown() { impl_->Shutdown(); }

}  // namespace vigil
