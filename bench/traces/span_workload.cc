#include "bench/traces/span_workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/traces/span_builder.h"
#include "common/strings.h"

namespace vigil::bench {
namespace {

struct ServiceInfo {
  std::string_view name;
  std::string_view language;  // telemetry.sdk.language
  std::string_view version;   // service.version
  int instances;
};

constexpr ServiceInfo kServices[kServiceCount] = {
    {"gateway", "go", "2.14.1", 4},   {"auth", "java", "5.2.0", 3},
    {"catalog", "java", "3.8.4", 3},  {"search", "python", "1.19.2", 2},
    {"cart", "go", "4.1.7", 2},       {"checkout", "java", "7.0.3", 2},
    {"payments", "go", "2.3.9", 2},   {"inventory", "java", "6.11.0", 2},
    {"orders", "python", "3.4.1", 2}, {"notifications", "python", "1.2.5", 1},
};

constexpr std::string_view kSdkVersion[] = {"1.24.0", "1.32.1", "1.21.0"};  // go, java, python

// The users' regions (the `region` attribute), most traffic from Europe and the US east.
constexpr std::string_view kRegions[] = {"eu-west-1", "eu-central-1",   "us-east-1",
                                         "us-west-2", "ap-southeast-1", "sa-east-1"};
constexpr double kRegionWeights[] = {0.30, 0.18, 0.27, 0.12, 0.09, 0.04};

std::string_view ScopeFor(std::string_view language) {
  if (language == "go") return "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp";
  if (language == "java") return "io.opentelemetry.tomcat-10.0";
  return "opentelemetry.instrumentation.flask";
}

GenAttribute StringAttr(std::string_view key, std::string value) {
  GenAttribute a;
  a.key = key;
  a.value.s = std::move(value);
  return a;
}

}  // namespace

std::string GenValue::Text() const {
  switch (type) {
    case kString:
      return s;
    case kInt:
      return StrCat(i);
    case kBool:
      return i != 0 ? "true" : "false";
    case kDouble: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.6g", d);
      return buf;
    }
  }
  return s;
}

std::string HexBytes(const uint8_t* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::string GenSpanIdHex(uint64_t id) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(id >> (56 - 8 * i));
  return HexBytes(b, 8);
}

std::string GenTraceIdHex(const std::array<uint8_t, 16>& id) { return HexBytes(id.data(), 16); }

// ---- the generator --------------------------------------------------------------------------

SpanGenerator::SpanGenerator(const SpanWorkloadOptions& options)
    : options_(options), rng_(MixSeed(options.seed, 0x7472616365ULL)) {
  options_.duration_ns = std::max<int64_t>(options_.duration_ns, 1'000'000'000);
  BuildResources();
}

void SpanGenerator::BuildResources() {
  instances_.resize(kServiceCount);
  for (int s = 0; s < kServiceCount; ++s) {
    const ServiceInfo& info = kServices[s];
    const int lang = info.language == "go" ? 0 : info.language == "java" ? 1 : 2;
    for (int k = 0; k < info.instances; ++k) {
      GenResource r;
      r.service = info.name;
      r.scope_name = ScopeFor(info.language);
      r.scope_version = kSdkVersion[lang];
      const std::string pod = StrCat(info.name, "-", GenSpanIdHex(rng_.Next()).substr(0, 10), "-",
                                     GenSpanIdHex(rng_.Next()).substr(0, 5));
      const std::string uuid = StrCat(GenSpanIdHex(rng_.Next()), GenSpanIdHex(rng_.Next()));
      r.attributes.push_back(StringAttr("service.name", std::string(info.name)));
      r.attributes.push_back(StringAttr("service.namespace", "shop"));
      r.attributes.push_back(StringAttr("service.version", std::string(info.version)));
      r.attributes.push_back(
          StringAttr("service.instance.id",
                     StrCat(uuid.substr(0, 8), "-", uuid.substr(8, 4), "-", uuid.substr(12, 4), "-",
                            uuid.substr(16, 4), "-", uuid.substr(20, 12))));
      r.attributes.push_back(StringAttr("host.name", pod));
      r.attributes.push_back(StringAttr("k8s.namespace.name", "shop-prod"));
      r.attributes.push_back(StringAttr("k8s.pod.name", pod));
      r.attributes.push_back(StringAttr("deployment.environment", "prod"));
      r.attributes.push_back(StringAttr("cloud.region", k % 2 == 0 ? "eu-west-1" : "us-east-1"));
      r.attributes.push_back(StringAttr("telemetry.sdk.name", "opentelemetry"));
      r.attributes.push_back(StringAttr("telemetry.sdk.language", std::string(info.language)));
      r.attributes.push_back(StringAttr("telemetry.sdk.version", std::string(kSdkVersion[lang])));
      instances_[s].push_back(static_cast<int>(resources_.size()));
      resources_.push_back(std::move(r));
    }
  }
}

int SpanGenerator::Instance(int service) {
  const std::vector<int>& v = instances_[service];
  return v[rng_.Below(v.size())];
}

bool SpanGenerator::Next(std::vector<GenSpan>* trace) {
  trace->clear();
  if (produced_ >= options_.spans) return false;
  // Spread trace starts by spans produced so far, so the range is used whatever the mean
  // trace size; the jitter keeps neighbouring traces from starting in lockstep.
  const double fraction = static_cast<double>(produced_) / static_cast<double>(options_.spans);
  const int64_t start = options_.start_ns +
                        static_cast<int64_t>(fraction * static_cast<double>(options_.duration_ns)) +
                        static_cast<int64_t>(rng_.Below(20'000'000));
  Builder b(*this, trace, start);
  b.Run();
  produced_ += static_cast<int64_t>(trace->size());
  return true;
}

// ---- the builder's primitives ---------------------------------------------------------------

SpanGenerator::Builder::Builder(SpanGenerator& gen, std::vector<GenSpan>* spans, int64_t start_ns)
    : gen_(gen), spans_(spans), start_ns_(start_ns) {
  for (size_t i = 0; i < 16; i += 8) {
    uint64_t v = rng().Next();
    for (size_t k = 0; k < 8; ++k) trace_id_[i + k] = static_cast<uint8_t>(v >> (8 * k));
  }
  double u = Chance();
  size_t r = 0;
  while (r + 1 < std::size(kRegions) && u >= kRegionWeights[r]) u -= kRegionWeights[r++];
  region_ = kRegions[r];
}

int64_t SpanGenerator::Builder::Work(double median_ms, double sigma) {
  double ms = median_ms * std::exp(sigma * rng().Normal());
  if (Chance() < 0.01) ms *= 2 + 6 * Chance();  // GC pauses, cold caches, noisy neighbours
  return std::max<int64_t>(1000, static_cast<int64_t>(ms * 1e6));
}

size_t SpanGenerator::Builder::Open(size_t parent, int resource, GenSpanKind kind, std::string name,
                                    int64_t start_ns) {
  GenSpan s;
  s.trace_id = trace_id_;
  do {
    s.span_id = rng().Next();
  } while (s.span_id == 0);
  s.parent_span_id = spans_->empty() ? 0 : span(parent).span_id;
  s.resource = resource;
  s.name = std::move(name);
  s.kind = kind;
  s.start_ns = start_ns;
  s.end_ns = start_ns;
  spans_->push_back(std::move(s));
  return spans_->size() - 1;
}

void SpanGenerator::Builder::Attr(size_t i, std::string_view key, std::string value) {
  span(i).attributes.push_back(StringAttr(key, std::move(value)));
}

void SpanGenerator::Builder::Attr(size_t i, std::string_view key, int64_t value) {
  GenAttribute a;
  a.key = key;
  a.value.type = GenValue::kInt;
  a.value.i = value;
  span(i).attributes.push_back(std::move(a));
}

void SpanGenerator::Builder::AttrBool(size_t i, std::string_view key, bool value) {
  GenAttribute a;
  a.key = key;
  a.value.type = GenValue::kBool;
  a.value.i = value ? 1 : 0;
  span(i).attributes.push_back(std::move(a));
}

void SpanGenerator::Builder::AttrDouble(size_t i, std::string_view key, double value) {
  GenAttribute a;
  a.key = key;
  a.value.type = GenValue::kDouble;
  a.value.d = value;
  span(i).attributes.push_back(std::move(a));
}

void SpanGenerator::Builder::Baggage(size_t i) {
  if (!user_.empty()) Attr(i, "user.id", user_);
  Attr(i, "region", std::string(region_));
}

void SpanGenerator::Builder::Fail(size_t i, std::string_view type, std::string message) {
  GenSpan& s = span(i);
  s.error = true;
  s.status_message = message;
  GenEvent e;
  e.time_ns = s.end_ns;
  e.name = "exception";
  const std::string_view service = gen_.resources_[s.resource].service;
  e.attributes.push_back(StringAttr("exception.type", std::string(type)));
  e.attributes.push_back(StringAttr("exception.message", std::move(message)));
  e.attributes.push_back(
      StringAttr("exception.stacktrace",
                 StrCat(type, ": ", s.status_message, "\n\tat shop.", service,
                        ".client.Do(client.go:", 88 + rng().Below(200), ")\n\tat shop.", service,
                        ".handler.", s.name.substr(0, 12), "(handler.go:", 40 + rng().Below(300),
                        ")\n\tat shop.", service, ".server.Serve(server.go:211)")));
  s.events.push_back(std::move(e));
}

void SpanGenerator::Builder::MaybeEvent(size_t i) {
  if (Chance() >= 0.10) return;
  GenSpan& s = span(i);
  GenEvent e;
  e.time_ns =
      s.start_ns + static_cast<int64_t>(Chance() * static_cast<double>(s.end_ns - s.start_ns));
  GenAttribute a;
  switch (s.kind) {
    case GenSpanKind::kServer:
      e.name = "request.validated";
      a.key = "validation.rules";
      a.value.type = GenValue::kInt;
      a.value.i = 3 + static_cast<int64_t>(rng().Below(12));
      break;
    case GenSpanKind::kClient:
      e.name = "connection.acquired";
      a.key = "pool.wait_ms";
      a.value.type = GenValue::kDouble;
      a.value.d = std::round(Chance() * Chance() * 5000) / 1000;
      break;
    case GenSpanKind::kInternal:
      e.name = "cache.miss";
      a.key = "cache.key";
      a.value.s = StrCat(s.name.substr(0, s.name.find(' ')), ":", Hex(8));
      break;
  }
  e.attributes.push_back(std::move(a));
  s.events.push_back(std::move(e));
}

Outcome SpanGenerator::Builder::Db(size_t parent, int64_t at, DbCall call) {
  if (!Room(1)) return {at, 0, false};
  std::string name;
  if (!call.table.empty()) {
    name = StrCat(call.operation, " ", call.db_name, ".", call.table);
  } else if (call.system == "elasticsearch") {
    name = StrCat(call.operation, " ", call.db_name);
  } else {
    name = std::string(call.operation);
  }
  const size_t i = Open(parent, ResourceOf(parent), GenSpanKind::kClient, std::move(name), at);
  Outcome o;
  const double u = Chance();
  std::string_view error_type;
  std::string error;
  if (u < call.failure * 0.6) {
    o.end_ns = at + Work(0.4, 0.3);
    error_type = "ConnectionRefusedError";
    error = StrCat("dial tcp ", call.peer, ":", call.port, ": connect: connection refused");
  } else if (u < call.failure) {
    o.end_ns = at + 1'000'000'000 + Work(1, 0.3);
    error_type = "TimeoutError";
    error = StrCat(call.system, " query timed out after 1s");
  } else {
    o.end_ns = at + Work(call.median_ms, call.sigma);
  }
  GenSpan& s = span(i);
  s.end_ns = o.end_ns;
  Attr(i, "db.system", std::string(call.system));
  if (!call.db_name.empty()) Attr(i, "db.name", std::string(call.db_name));
  Attr(i, "db.operation", std::string(call.operation));
  Attr(i, "db.statement", std::move(call.statement));
  if (!call.table.empty()) Attr(i, "db.sql.table", std::string(call.table));
  if (call.system == "redis") Attr(i, "db.redis.database_index", int64_t{call.port % 4});
  Attr(i, "net.peer.name", std::string(call.peer));
  Attr(i, "net.peer.port", int64_t{call.port});
  Baggage(i);
  if (!error.empty()) {
    Fail(i, error_type, std::move(error));
    o.failed = true;
  }
  MaybeEvent(i);
  return o;
}

Outcome SpanGenerator::Builder::Internal(size_t parent, int64_t at, std::string name,
                                         std::string_view function, double median_ms,
                                         double sigma) {
  if (!Room(1)) return {at, 0, false};
  const size_t i = Open(parent, ResourceOf(parent), GenSpanKind::kInternal, std::move(name), at);
  span(i).end_ns = at + Work(median_ms, sigma);
  Attr(i, "code.namespace", StrCat("shop.", gen_.resources_[ResourceOf(parent)].service));
  Attr(i, "code.function", std::string(function));
  Baggage(i);
  MaybeEvent(i);
  return {span(i).end_ns, 0, false};
}

void SpanGenerator::Builder::HttpServerAttrs(size_t i, std::string_view method,
                                             std::string_view route, const std::string& target,
                                             int status) {
  Attr(i, "http.method", std::string(method));
  Attr(i, "http.route", std::string(route));
  Attr(i, "http.target", target);
  Attr(i, "http.flavor", "1.1");
  Attr(i, "http.status_code", int64_t{status});
  Attr(i, "net.host.name", std::string(gen_.resources_[ResourceOf(i)].service));
  Attr(i, "http.request_content_length",
       method == "GET" ? int64_t{0} : static_cast<int64_t>(80 + rng().Below(1800)));
  Baggage(i);
}

int64_t SpanGenerator::Builder::Product() {
  const double u = Chance();
  return 1 + static_cast<int64_t>(20000 * u * u * u);
}

std::string SpanGenerator::Builder::Hex(int digits) {
  return GenSpanIdHex(rng().Next()).substr(0, static_cast<size_t>(std::min(digits, 16)));
}

}  // namespace vigil::bench
