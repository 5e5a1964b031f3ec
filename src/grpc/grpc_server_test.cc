#include "grpc/grpc_server.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "grpc/grpc_status.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

constexpr char kEcho[] = "/test.Echo/Echo";
constexpr char kFail[] = "/test.Echo/Fail";

struct Result {
  grpc::Status status;
  std::string body;
  bool message = false;  // a response message arrived (unary calls must carry one)
};

std::string ToString(const grpc::ByteBuffer& buf) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buf.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

class Client {
 public:
  explicit Client(int port) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    channel_ = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                         grpc::InsecureChannelCredentials(), args);
    stub_ = std::make_unique<grpc::GenericStub>(channel_);
  }

  // `setup` may add metadata, a deadline or compression to the context.
  Result Call(const std::string& method, const std::string& request,
              const std::function<void(grpc::ClientContext*)>& setup = nullptr) {
    grpc::ClientContext ctx;
    if (setup) setup(&ctx);
    grpc::Slice slice(request);
    grpc::ByteBuffer req(&slice, 1);
    grpc::ByteBuffer resp;
    std::promise<grpc::Status> done;
    stub_->UnaryCall(&ctx, method, grpc::StubOptions(), &req, &resp,
                     [&done](grpc::Status st) { done.set_value(std::move(st)); });
    Result r;
    r.status = done.get_future().get();
    r.message = resp.Valid();
    r.body = ToString(resp);
    return r;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::GenericStub> stub_;
};

// Forwards one TCP connection to `target_port` and counts the bytes the client sent, so a
// test can see what went over the wire.
class CountingProxy {
 public:
  explicit CountingProxy(int target_port) : target_port_(target_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listen_fd_, 4);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~CountingProxy() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }
  int port() const { return port_; }
  size_t upstream_bytes() const { return upstream_; }

 private:
  void Run() {
    pollfd lp{listen_fd_, POLLIN, 0};
    while (!stop_ && poll(&lp, 1, 20) <= 0) {
    }
    if (stop_) return;
    int client = accept(listen_fd_, nullptr, nullptr);
    int server = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(target_port_);
    if (connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) stop_ = true;
    char buf[65536];
    while (!stop_) {
      pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (poll(fds, 2, 20) <= 0) continue;
      bool eof = false;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].revents == 0) continue;
        ssize_t n = read(fds[i].fd, buf, sizeof(buf));
        if (n <= 0) {
          eof = true;
          break;
        }
        if (i == 0) upstream_ += n;
        for (ssize_t off = 0; off < n;) {
          ssize_t w = write(fds[1 - i].fd, buf + off, n - off);
          if (w <= 0) break;
          off += w;
        }
      }
      if (eof) break;
    }
    close(client);
    close(server);
  }

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> upstream_{0};
  std::thread thread_;
};

GrpcServer::Options LocalOptions() {
  GrpcServer::Options o;
  o.listen = "127.0.0.1:0";
  return o;
}

GrpcReply Echo(std::string_view request, const GrpcCallInfo&) {
  return {absl::OkStatus(), std::string(request)};
}

class GrpcServerTest : public ::testing::Test {
 protected:
  void StartEcho(GrpcServer::Options o = LocalOptions()) {
    server_.Register(kEcho, Echo);
    server_.Register(kFail, [](std::string_view, const GrpcCallInfo&) {
      return GrpcReply{absl::InvalidArgumentError("bad span: trace_id has 3 bytes"), "ignored"};
    });
    ASSERT_TRUE(server_.Start(o).ok());
    ASSERT_GT(server_.port(), 0);
    client_ = std::make_unique<Client>(server_.port());
  }

  GrpcServer server_;
  std::unique_ptr<Client> client_;
};

TEST_F(GrpcServerTest, EchoesBinaryBytes) {
  StartEcho();
  std::string bin("\0\x01\xff\0abc\0", 8);
  Result r = client_->Call(kEcho, bin);
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.body, bin);

  Result empty = client_->Call(kEcho, "");
  ASSERT_TRUE(empty.status.ok()) << empty.status.error_message();
  EXPECT_TRUE(empty.message);  // an empty message, not none
  EXPECT_EQ(empty.body, "");
}

TEST_F(GrpcServerTest, EchoesTenMegabytes) {
  StartEcho();
  std::string big(10 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 3);
  Result r = client_->Call(kEcho, big);
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_TRUE(r.body == big);
}

TEST_F(GrpcServerTest, HandlerErrorKeepsCodeAndMessage) {
  StartEcho();
  Result r = client_->Call(kFail, "x");
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(r.status.error_message(), "bad span: trace_id has 3 bytes");
  EXPECT_EQ(r.body, "");
}

TEST_F(GrpcServerTest, UnknownMethodIsUnimplemented) {
  StartEcho();
  Result r = client_->Call("/test.Echo/Nope", "x");
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(r.status.error_message(), HasSubstr("/test.Echo/Nope"));
  // The server still works afterwards.
  EXPECT_TRUE(client_->Call(kEcho, "y").status.ok());
}

TEST_F(GrpcServerTest, HandlerSeesMetadataPeerAndDeadline) {
  GrpcCallInfo seen;
  server_.Register(kEcho, [&seen](std::string_view req, const GrpcCallInfo& info) {
    seen = info;
    return GrpcReply{absl::OkStatus(), ""};
  });
  ASSERT_TRUE(server_.Start(LocalOptions()).ok());
  Client client(server_.port());
  absl::Time before = absl::Now();
  Result r = client.Call(kEcho, "x", [](grpc::ClientContext* ctx) {
    ctx->AddMetadata("authorization", "Bearer s3cret");
    ctx->AddMetadata("x-scope-orgid", "tenant-a");
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  });
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(seen.method, kEcho);
  EXPECT_THAT(seen.peer, HasSubstr("127.0.0.1"));
  EXPECT_EQ(seen.FindMetadata("authorization"), "Bearer s3cret");
  EXPECT_EQ(seen.FindMetadata("x-scope-orgid"), "tenant-a");
  EXPECT_EQ(seen.FindMetadata("missing"), std::nullopt);
  EXPECT_GT(seen.deadline, before + absl::Seconds(25));
  EXPECT_LT(seen.deadline, before + absl::Seconds(35));

  client.Call(kEcho, "x");
  EXPECT_EQ(seen.deadline, absl::InfiniteFuture());
}

TEST_F(GrpcServerTest, GzipRequestArrivesDecompressed) {
  std::string seen;
  server_.Register(kEcho, [&](std::string_view req, const GrpcCallInfo&) {
    seen = std::string(req);
    return GrpcReply{absl::OkStatus(), "ok"};
  });
  ASSERT_TRUE(server_.Start(LocalOptions()).ok());
  // The proxy proves the request really crossed the wire compressed.
  CountingProxy proxy(server_.port());
  std::string payload;
  for (int i = 0; i < 200000; ++i) payload += "span-" + std::to_string(i % 100) + ";";
  {
    Client client(proxy.port());
    Result r = client.Call(kEcho, payload, [](grpc::ClientContext* ctx) {
      ctx->set_compression_algorithm(GRPC_COMPRESS_GZIP);
    });
    ASSERT_TRUE(r.status.ok()) << r.status.error_message();
    EXPECT_EQ(r.body, "ok");
  }
  EXPECT_TRUE(seen == payload);
  EXPECT_LT(proxy.upstream_bytes(), payload.size() / 20);
}

TEST_F(GrpcServerTest, OversizedRequestIsResourceExhausted) {
  GrpcServer::Options o = LocalOptions();
  o.max_message_bytes = 1 << 20;
  StartEcho(o);
  Result plain = client_->Call(kEcho, std::string(2 << 20, 'a'));
  EXPECT_EQ(plain.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << plain.status.error_message();
  // A small gzip body that inflates past the limit is refused too.
  Result bomb = client_->Call(kEcho, std::string(16 << 20, '\0'), [](grpc::ClientContext* ctx) {
    ctx->set_compression_algorithm(GRPC_COMPRESS_GZIP);
  });
  EXPECT_EQ(bomb.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << bomb.status.error_message();
  std::string fits(1 << 19, 'b');
  Result ok = client_->Call(kEcho, fits);
  ASSERT_TRUE(ok.status.ok()) << ok.status.error_message();
  EXPECT_EQ(ok.body.size(), fits.size());
}

TEST_F(GrpcServerTest, ConcurrentCallersAllAnswered) {
  std::atomic<int> handled{0};
  server_.Register(kEcho, [&handled](std::string_view req, const GrpcCallInfo&) {
    ++handled;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    return GrpcReply{absl::OkStatus(), "re:" + std::string(req)};
  });
  GrpcServer::Options o = LocalOptions();
  o.max_concurrent_calls = 4;  // fewer slots than callers: the rest wait inside gRPC
  ASSERT_TRUE(server_.Start(o).ok());
  std::atomic<int> good{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&, t] {
      Client client(server_.port());
      for (int i = 0; i < 50; ++i) {
        std::string req = std::to_string(t) + "/" + std::to_string(i);
        Result r = client.Call(kEcho, req);
        if (r.status.ok() && r.body == "re:" + req) ++good;
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(good.load(), 400);
  EXPECT_EQ(handled.load(), 400);
}

TEST_F(GrpcServerTest, BlockedHandlerDoesNotStallOtherCalls) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  server_.Register("/test.Echo/Block", [&](std::string_view, const GrpcCallInfo&) {
    entered.set_value();
    released.wait();
    return GrpcReply{absl::OkStatus(), "unblocked"};
  });
  server_.Register(kEcho, Echo);
  ASSERT_TRUE(server_.Start(LocalOptions()).ok());  // two workers
  Client client(server_.port());
  auto blocked =
      std::async(std::launch::async, [&] { return client.Call("/test.Echo/Block", ""); });
  entered.get_future().wait();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.Call(kEcho, "free").body, "free");
  release.set_value();
  EXPECT_EQ(blocked.get().body, "unblocked");
}

TEST_F(GrpcServerTest, HandlerExceptionIsInternal) {
  server_.Register(kEcho, [](std::string_view, const GrpcCallInfo&) -> GrpcReply {
    throw std::runtime_error("boom");
  });
  ASSERT_TRUE(server_.Start(LocalOptions()).ok());
  Client client(server_.port());
  Result r = client.Call(kEcho, "x");
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(r.status.error_message(), HasSubstr("boom"));
}

TEST_F(GrpcServerTest, RegisterAfterStartIsIgnored) {
  StartEcho();
  server_.Register("/test.Echo/Late", Echo);
  EXPECT_EQ(client_->Call("/test.Echo/Late", "x").status.error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST(GrpcServerStartTest, PortTakenBySocketFails) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);

  GrpcServer server;
  GrpcServer::Options o;
  o.listen = "127.0.0.1:" + std::to_string(port);
  absl::Status st = server.Start(o);
  close(fd);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr(o.listen));
  EXPECT_THAT(std::string(st.message()), HasSubstr("Address already in use"));
  EXPECT_EQ(server.port(), 0);
  server.Shutdown();  // harmless after a failed Start
  EXPECT_EQ(server.Start(o).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(GrpcServerStartTest, PortTakenByAnotherGrpcServerFails) {
  GrpcServer first;
  ASSERT_TRUE(first.Start(LocalOptions()).ok());
  GrpcServer second;
  GrpcServer::Options o;
  o.listen = "127.0.0.1:" + std::to_string(first.port());
  absl::Status st = second.Start(o);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("Address already in use"));
}

TEST(GrpcServerStartTest, BadAddressFails) {
  GrpcServer server;
  GrpcServer::Options o;
  o.listen = "no-port-here";
  absl::Status st = server.Start(o);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("no-port-here"));
}

TEST(GrpcServerShutdownTest, IdleShutdownIsQuickAndIdempotent) {
  GrpcServer server;
  ASSERT_TRUE(server.Start(LocalOptions()).ok());
  auto t0 = std::chrono::steady_clock::now();
  server.Shutdown();
  server.Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  GrpcServer never_started;
  never_started.Shutdown();
}

TEST(GrpcServerShutdownTest, DestructorShutsDownWithOpenClient) {
  auto server = std::make_unique<GrpcServer>();
  server->Register(kEcho, Echo);
  ASSERT_TRUE(server->Start(LocalOptions()).ok());
  Client client(server->port());
  EXPECT_TRUE(client.Call(kEcho, "x").status.ok());
  server.reset();  // the client's connection is still open
  EXPECT_FALSE(client
                   .Call(kEcho, "x",
                         [](grpc::ClientContext* ctx) {
                           ctx->set_deadline(std::chrono::system_clock::now() +
                                             std::chrono::seconds(2));
                         })
                   .status.ok());
}

// A handler that sleeps `delay` after signalling that it started.
struct SlowHandler {
  std::chrono::milliseconds delay;
  std::promise<void> started;
  GrpcReply operator()(std::string_view, const GrpcCallInfo&) {
    started.set_value();
    std::this_thread::sleep_for(delay);
    return {absl::OkStatus(), "slow done"};
  }
};

TEST(GrpcServerShutdownTest, InFlightCallCompletesWithinGrace) {
  auto slow = std::make_shared<SlowHandler>();
  slow->delay = std::chrono::milliseconds(500);
  GrpcServer server;
  server.Register(kEcho,
                  [slow](std::string_view r, const GrpcCallInfo& i) { return (*slow)(r, i); });
  ASSERT_TRUE(server.Start(LocalOptions()).ok());
  Client client(server.port());
  auto call = std::async(std::launch::async, [&] { return client.Call(kEcho, "x"); });
  slow->started.get_future().wait();
  server.Shutdown();
  Result r = call.get();
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.body, "slow done");
}

TEST(GrpcServerShutdownTest, CallPastGraceIsCancelled) {
  auto slow = std::make_shared<SlowHandler>();
  slow->delay = std::chrono::milliseconds(1500);
  GrpcServer server;
  server.Register(kEcho,
                  [slow](std::string_view r, const GrpcCallInfo& i) { return (*slow)(r, i); });
  GrpcServer::Options o = LocalOptions();
  o.shutdown_grace = std::chrono::milliseconds(100);
  ASSERT_TRUE(server.Start(o).ok());
  Client client(server.port());
  auto call = std::async(std::launch::async, [&] { return client.Call(kEcho, "x"); });
  slow->started.get_future().wait();
  auto t0 = std::chrono::steady_clock::now();
  server.Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  Result r = call.get();
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
}

TEST(GrpcServerShutdownTest, ShutdownUnderLoadReturns) {
  GrpcServer server;
  server.Register(kEcho, [](std::string_view req, const GrpcCallInfo&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return GrpcReply{absl::OkStatus(), std::string(req)};
  });
  GrpcServer::Options o = LocalOptions();
  o.shutdown_grace = std::chrono::milliseconds(200);
  ASSERT_TRUE(server.Start(o).ok());
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&] {
      Client client(server.port());
      for (int i = 0; i < 200 && failed == 0; ++i) {
        Result r = client.Call(kEcho, "x", [](grpc::ClientContext* ctx) {
          ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        });
        if (r.status.ok()) {
          ++ok;
        } else {
          ++failed;
        }
      }
    });
  }
  while (ok < 50) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto t0 = std::chrono::steady_clock::now();
  server.Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  for (std::thread& t : callers) t.join();
  EXPECT_GE(ok.load(), 50);
  EXPECT_GT(failed.load(), 0);  // calls after shutdown are refused, not hung
}

TEST(GrpcStatusTest, CodesMapOneToOne) {
  for (int c = 1; c <= 16; ++c) {
    absl::Status st(static_cast<absl::StatusCode>(c), "msg " + std::to_string(c));
    grpc::Status g = ToGrpcStatus(st);
    EXPECT_EQ(static_cast<int>(g.error_code()), c);
    EXPECT_EQ(g.error_message(), "msg " + std::to_string(c));
    EXPECT_EQ(FromGrpcStatus(g), st);
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
  EXPECT_EQ(ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(99), "odd")).error_code(),
            grpc::StatusCode::UNKNOWN);
}

}  // namespace
}  // namespace vigil
