// GenerateSeries: the label sets and value models of a made-up Kubernetes fleet. Each node
// contributes its node-exporter target and kPodsPerNode service pods; each pod is a Go service
// target plus the kube-state-metrics series that describe it. The fleet repeats until the
// requested number of series is reached (the last target may be cut short).
#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bench/metrics/random.h"
#include "bench/metrics/workload.h"
#include "common/strings.h"

namespace vigil::bench {
namespace {

constexpr int kPodsPerNode = 6;
constexpr int kCpusPerNode = 4;
constexpr int64_t kIntervalMs = 15000;  // phases are drawn inside a 15 s interval

ValueModel Counter(double start, double step, double quantum) {
  return {ValueModel::Kind::kCounter, start, step, quantum, 0, 0};
}
ValueModel Gauge(double start, double step, double quantum, double min, double max) {
  return {ValueModel::Kind::kGauge, start, step, quantum, min, max};
}
ValueModel Constant(double v) { return {ValueModel::Kind::kGauge, v, 0, 0, v, v}; }

// Collects the series of one scrape target: its target labels plus each series' own labels.
class Target {
 public:
  Target(std::vector<Label> target_labels, int64_t phase_ms, int64_t limit,
         std::vector<SeriesSpec>* out)
      : target_labels_(std::move(target_labels)), phase_ms_(phase_ms), limit_(limit), out_(out) {}

  void Add(std::string_view name, std::vector<Label> labels, const ValueModel& model) {
    if (static_cast<int64_t>(out_->size()) >= limit_) return;
    labels.insert(labels.end(), target_labels_.begin(), target_labels_.end());
    labels.push_back({std::string(kMetricName), std::string(name)});
    out_->push_back({Labels::FromUnsorted(std::move(labels)), model, phase_ms_});
  }

  // The series Prometheus itself adds to every scrape.
  void AddScrapeSeries(Rng& rng, double samples) {
    Add("up", {}, Constant(1));
    Add("scrape_duration_seconds", {}, Gauge(0.004 + 0.02 * rng.Uniform(), 0.002, 0, 0.001, 0.2));
    Add("scrape_samples_scraped", {}, Constant(samples));
    Add("scrape_samples_post_metric_relabeling", {}, Constant(samples));
    Add("scrape_series_added", {}, Constant(0));
  }

 private:
  std::vector<Label> target_labels_;
  int64_t phase_ms_;
  int64_t limit_;
  std::vector<SeriesSpec>* out_;
};

std::string IpAddress(Rng& rng, int first_octet) {
  return StrCat(first_octet, ".", rng.Below(256), ".", rng.Below(256), ".", 1 + rng.Below(254));
}

// Kubernetes' pod name suffixes use consonants and digits that cannot spell words.
std::string PodSuffix(Rng& rng, int n) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(kAlphabet[rng.Below(kAlphabet.size())]);
  return s;
}

void AddNode(Rng& rng, const std::string& host, int64_t limit, std::vector<SeriesSpec>* out) {
  Target t({{"job", "node"}, {"instance", StrCat(host, ":9100")}},
           static_cast<int64_t>(rng.Below(kIntervalMs)), limit, out);
  static constexpr std::array<std::string_view, 8> kModes = {"idle",    "iowait", "irq",    "nice",
                                                             "softirq", "steal",  "system", "user"};
  static constexpr std::array<double, 8> kModeShare = {0.7,  0.02, 0.001, 0.0,
                                                       0.01, 0.0,  0.08,  0.19};
  for (int cpu = 0; cpu < kCpusPerNode; ++cpu) {
    for (size_t m = 0; m < kModes.size(); ++m) {
      t.Add("node_cpu_seconds_total", {{"cpu", StrCat(cpu)}, {"mode", std::string(kModes[m])}},
            Counter(1e5 * kModeShare[m] * rng.Uniform(), 15 * kModeShare[m], 0.01));
    }
  }
  const double mem_total = 4096.0 * (1 << 20) * (1 + rng.Below(4)) * 4;  // 16-64 GiB in pages
  t.Add("node_memory_MemTotal_bytes", {}, Constant(mem_total));
  t.Add("node_memory_SwapTotal_bytes", {}, Constant(0));
  t.Add("node_memory_SwapFree_bytes", {}, Constant(0));
  for (std::string_view name :
       {"node_memory_MemFree_bytes", "node_memory_MemAvailable_bytes", "node_memory_Buffers_bytes",
        "node_memory_Cached_bytes", "node_memory_Active_bytes", "node_memory_Inactive_bytes",
        "node_memory_Dirty_bytes"}) {
    const double v = std::floor(mem_total * (0.05 + 0.4 * rng.Uniform()) / 4096) * 4096;
    t.Add(name, {}, Gauge(v, mem_total * 0.002, 4096, 0, mem_total));
  }
  struct Mount {
    const char* device;
    const char* fstype;
    const char* mountpoint;
    double size;
  };
  static constexpr std::array<Mount, 3> kMounts = {
      {{"/dev/nvme0n1p1", "ext4", "/", 100e9},
       {"/dev/nvme1n1", "xfs", "/var/lib/kubelet", 500e9},
       {"tmpfs", "tmpfs", "/run", 3.2e9}}};
  for (const Mount& m : kMounts) {
    std::vector<Label> fs = {
        {"device", m.device}, {"fstype", m.fstype}, {"mountpoint", m.mountpoint}};
    const double avail = std::floor(m.size * (0.2 + 0.6 * rng.Uniform()) / 4096) * 4096;
    t.Add("node_filesystem_size_bytes", fs, Constant(m.size));
    t.Add("node_filesystem_avail_bytes", fs, Gauge(avail, 4096 * 64, 4096, 0, m.size));
    t.Add("node_filesystem_free_bytes", fs, Gauge(avail + 4096 * 1024, 4096 * 64, 4096, 0, m.size));
    t.Add("node_filesystem_files", fs, Constant(6553600));
    t.Add("node_filesystem_files_free", fs, Gauge(6000000 - rng.Below(100000), 20, 1, 0, 6553600));
  }
  for (std::string_view dev : {"eth0", "lo"}) {
    const double scale = dev == "eth0" ? 1.0 : 0.1;
    std::vector<Label> d = {{"device", std::string(dev)}};
    t.Add("node_network_receive_bytes_total", d, Counter(1e10 * rng.Uniform(), 2e7 * scale, 1));
    t.Add("node_network_transmit_bytes_total", d, Counter(1e10 * rng.Uniform(), 1.5e7 * scale, 1));
    t.Add("node_network_receive_packets_total", d, Counter(1e8 * rng.Uniform(), 2e4 * scale, 1));
    t.Add("node_network_transmit_packets_total", d, Counter(1e8 * rng.Uniform(), 1.8e4 * scale, 1));
    t.Add("node_network_receive_errs_total", d, Constant(0));
    t.Add("node_network_transmit_errs_total", d, Constant(0));
    t.Add("node_network_receive_drop_total", d, Counter(100 * rng.Uniform(), 0.05 * scale, 1));
    t.Add("node_network_transmit_drop_total", d, Constant(0));
  }
  for (std::string_view dev : {"nvme0n1", "nvme1n1"}) {
    std::vector<Label> d = {{"device", std::string(dev)}};
    t.Add("node_disk_reads_completed_total", d, Counter(1e7 * rng.Uniform(), 300, 1));
    t.Add("node_disk_writes_completed_total", d, Counter(1e7 * rng.Uniform(), 900, 1));
    t.Add("node_disk_read_bytes_total", d, Counter(1e11 * rng.Uniform(), 300 * 16384, 512));
    t.Add("node_disk_written_bytes_total", d, Counter(1e11 * rng.Uniform(), 900 * 32768, 512));
    t.Add("node_disk_io_time_seconds_total", d, Counter(1e5 * rng.Uniform(), 0.8, 0.001));
  }
  t.Add("node_load1", {}, Gauge(1 + 2 * rng.Uniform(), 0.15, 0.01, 0, 16));
  t.Add("node_load5", {}, Gauge(1 + 2 * rng.Uniform(), 0.05, 0.01, 0, 16));
  t.Add("node_load15", {}, Gauge(1 + 2 * rng.Uniform(), 0.02, 0.01, 0, 16));
  t.Add("node_context_switches_total", {}, Counter(1e9 * rng.Uniform(), 6e4, 1));
  t.Add("node_intr_total", {}, Counter(1e9 * rng.Uniform(), 3e4, 1));
  t.Add("node_forks_total", {}, Counter(1e6 * rng.Uniform(), 40, 1));
  t.Add("node_procs_running", {}, Gauge(3, 1.5, 1, 1, 32));
  t.Add("node_procs_blocked", {}, Gauge(0, 0.3, 1, 0, 8));
  t.Add("node_filefd_allocated", {}, Gauge(5000 + rng.Below(5000), 20, 1, 1000, 1e6));
  t.Add("node_filefd_maximum", {}, Constant(9223372036854775807.0));
  t.Add("node_sockstat_TCP_inuse", {}, Gauge(100 + rng.Below(400), 5, 1, 0, 1e5));
  t.Add("node_netstat_Tcp_ActiveOpens", {}, Counter(1e6 * rng.Uniform(), 120, 1));
  t.Add("node_netstat_Tcp_PassiveOpens", {}, Counter(1e6 * rng.Uniform(), 200, 1));
  t.Add("node_vmstat_pgfault", {}, Counter(1e9 * rng.Uniform(), 5e4, 1));
  t.Add("node_vmstat_pgmajfault", {}, Counter(1e4 * rng.Uniform(), 0.3, 1));
  t.Add("node_boot_time_seconds", {}, Constant(1.7e9 - rng.Below(1000000)));
  t.Add("node_uname_info",
        {{"machine", "x86_64"},
         {"nodename", host},
         {"release", "6.1.0-18-cloud-amd64"},
         {"sysname", "Linux"}},
        Constant(1));
  t.AddScrapeSeries(rng, 105);
}

struct Service {
  const char* name;
  const char* ns;
  std::array<const char*, 6> routes;
  std::array<const char*, 4> grpc_methods;
  const char* grpc_service;
};

constexpr std::array<Service, 6> kServices = {{
    {"checkout",
     "shop",
     {"/api/v1/checkout", "/api/v1/cart", "/api/v1/cart/items", "/api/v1/orders/{id}", "/healthz",
      "/metrics"},
     {"PlaceOrder", "GetOrder", "ListOrders", "CancelOrder"},
     "shop.v1.CheckoutService"},
    {"catalog",
     "shop",
     {"/api/v1/products", "/api/v1/products/{id}", "/api/v1/categories", "/api/v1/search",
      "/healthz", "/metrics"},
     {"GetProduct", "ListProducts", "BatchGetProducts", "UpdateStock"},
     "shop.v1.CatalogService"},
    {"payments",
     "payments",
     {"/v2/charges", "/v2/charges/{id}", "/v2/refunds", "/v2/webhooks/provider", "/healthz",
      "/metrics"},
     {"Authorize", "Capture", "Refund", "GetCharge"},
     "payments.v2.PaymentService"},
    {"auth",
     "identity",
     {"/oauth/token", "/oauth/authorize", "/userinfo", "/.well-known/jwks.json", "/healthz",
      "/metrics"},
     {"VerifyToken", "IssueToken", "RevokeToken", "GetUser"},
     "identity.v1.AuthService"},
    {"search",
     "search",
     {"/query", "/suggest", "/index", "/admin/reindex", "/healthz", "/metrics"},
     {"Search", "Suggest", "IndexDocument", "DeleteDocument"},
     "search.v1.SearchService"},
    {"notifications",
     "platform",
     {"/v1/send", "/v1/templates", "/v1/templates/{id}", "/v1/preferences", "/healthz", "/metrics"},
     {"Send", "SendBatch", "GetStatus", "ListTemplates"},
     "platform.v1.NotificationService"},
}};

constexpr std::array<double, 12> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                             0.5,   1,    2.5,   5,    10,  INFINITY};

void AddPod(Rng& rng, const Service& svc, const std::string& node, const std::string& replicaset,
            const std::string& pod, int64_t limit, std::vector<SeriesSpec>* out) {
  const std::string pod_ip = IpAddress(rng, 10);
  Target t({{"job", svc.name},
            {"instance", StrCat(pod_ip, ":8080")},
            {"namespace", svc.ns},
            {"pod", pod},
            {"container", svc.name}},
           static_cast<int64_t>(rng.Below(kIntervalMs)), limit, out);
  // Request rates per scrape fall off with the route's rank.
  const double base = 50 + 400 * rng.Uniform();
  for (size_t r = 0; r < svc.routes.size(); ++r) {
    const double rate = base / (1 << r);
    const std::string route = svc.routes[r];
    auto add = [&](const char* method, const char* code, double share) {
      t.Add("http_requests_total", {{"method", method}, {"route", route}, {"status_code", code}},
            Counter(std::floor(rate * 4000 * share * rng.Uniform()), rate * share, 1));
    };
    add("GET", "200", 0.97);
    add("GET", "500", 0.002);
    if (r < 3) {
      add("POST", "200", 0.5);
      add("POST", "400", 0.01);
      add("GET", "404", 0.02);
    }
  }
  for (size_t r = 0; r < svc.routes.size(); ++r) {
    const double rate = base / (1 << r);
    const double latency = 0.01 + 0.1 * rng.Uniform();  // mean of an exponential
    const double start = std::floor(rate * 4000 * rng.Uniform());
    std::vector<Label> rl = {{"method", "GET"}, {"route", svc.routes[r]}};
    for (double le : kBuckets) {
      const double cdf = std::isinf(le) ? 1.0 : 1 - std::exp(-le / latency);
      std::vector<Label> bl = rl;
      bl.push_back({"le", std::isinf(le) ? "+Inf" : StrCat(le)});
      t.Add("http_request_duration_seconds_bucket", bl,
            Counter(std::floor(start * cdf), rate * cdf, 1));
    }
    t.Add("http_request_duration_seconds_sum", rl, Counter(start * latency, rate * latency, 0));
    t.Add("http_request_duration_seconds_count", rl, Counter(start, rate, 1));
  }
  t.Add("http_requests_in_flight", {}, Gauge(2, 1.5, 1, 0, 64));
  for (size_t m = 0; m < svc.grpc_methods.size(); ++m) {
    std::vector<Label> gl = {{"grpc_method", svc.grpc_methods[m]},
                             {"grpc_service", svc.grpc_service},
                             {"grpc_type", "unary"}};
    const double rate = 20 + 100 * rng.Uniform();
    t.Add("grpc_server_started_total", gl, Counter(std::floor(rate * 2000), rate, 1));
    std::vector<Label> ok = gl, unavailable = gl;
    ok.push_back({"grpc_code", "OK"});
    unavailable.push_back({"grpc_code", "Unavailable"});
    t.Add("grpc_server_handled_total", ok, Counter(std::floor(rate * 1990), rate * 0.999, 1));
    t.Add("grpc_server_handled_total", unavailable, Counter(std::floor(rate * 2), rate * 0.001, 1));
  }
  const double rss = std::floor((40 + 200 * rng.Uniform()) * (1 << 20) / 4096) * 4096;
  t.Add("process_cpu_seconds_total", {}, Counter(3600 * rng.Uniform(), 0.6, 0.01));
  t.Add("process_resident_memory_bytes", {}, Gauge(rss, 1 << 20, 4096, 8 << 20, 4e9));
  t.Add("process_virtual_memory_bytes", {}, Gauge(rss * 8, 4 << 20, 4096, 64 << 20, 64e9));
  t.Add("process_open_fds", {}, Gauge(40 + rng.Below(60), 2, 1, 8, 1 << 20));
  t.Add("process_max_fds", {}, Constant(1048576));
  t.Add("process_start_time_seconds", {}, Constant(1.7e9 + rng.Below(86400) + 0.37));
  t.Add("process_network_receive_bytes_total", {}, Counter(1e9 * rng.Uniform(), 2e6, 1));
  t.Add("process_network_transmit_bytes_total", {}, Counter(1e9 * rng.Uniform(), 3e6, 1));
  t.Add("go_goroutines", {}, Gauge(80 + rng.Below(200), 6, 1, 10, 1e5));
  t.Add("go_threads", {}, Gauge(12 + rng.Below(8), 0.2, 1, 4, 256));
  t.Add("go_info", {{"version", "go1.19.8"}}, Constant(1));
  const double heap = rss * 0.6;
  t.Add("go_memstats_alloc_bytes", {}, Gauge(heap, heap * 0.05, 8, 1 << 20, 4e9));
  t.Add("go_memstats_heap_alloc_bytes", {}, Gauge(heap, heap * 0.05, 8, 1 << 20, 4e9));
  t.Add("go_memstats_heap_inuse_bytes", {}, Gauge(heap * 1.1, heap * 0.03, 8192, 1 << 20, 4e9));
  t.Add("go_memstats_heap_objects", {}, Gauge(heap / 64, heap / 4000, 1, 1000, 1e9));
  t.Add("go_memstats_next_gc_bytes", {}, Gauge(heap * 1.5, heap * 0.02, 8, 4 << 20, 8e9));
  t.Add("go_memstats_gc_sys_bytes", {}, Gauge(9.4e6, 1e4, 8, 1e6, 1e9));
  t.Add("go_memstats_alloc_bytes_total", {}, Counter(1e12 * rng.Uniform(), 2e8, 8));
  t.Add("go_memstats_mallocs_total", {}, Counter(1e10 * rng.Uniform(), 2e6, 1));
  t.Add("go_memstats_frees_total", {}, Counter(1e10 * rng.Uniform(), 2e6, 1));
  t.Add("go_memstats_last_gc_time_seconds", {},
        Gauge(1.7e9 + rng.Below(86400), 0, 0, 0, 2e9));  // a float near "now"
  for (std::string_view q : {"0", "0.25", "0.5", "0.75", "1"}) {
    t.Add("go_gc_duration_seconds", {{"quantile", std::string(q)}},
          Gauge(2e-5 + 1e-4 * rng.Uniform(), 1e-5, 0, 1e-6, 0.05));
  }
  t.Add("go_gc_duration_seconds_sum", {}, Counter(100 * rng.Uniform(), 0.004, 0));
  t.Add("go_gc_duration_seconds_count", {}, Counter(1e5 * rng.Uniform(), 8, 1));
  for (std::string_view state : {"idle", "in_use", "max"}) {
    t.Add("db_client_connections", {{"pool", "primary"}, {"state", std::string(state)}},
          state == "max" ? Constant(50) : Gauge(10, 2, 1, 0, 50));
  }
  t.Add("cache_requests_total", {{"cache", "redis"}, {"result", "hit"}},
        Counter(1e7 * rng.Uniform(), base * 3, 1));
  t.Add("cache_requests_total", {{"cache", "redis"}, {"result", "miss"}},
        Counter(1e6 * rng.Uniform(), base * 0.4, 1));
  for (std::string_view queue : {"default", "priority"}) {
    std::vector<Label> ql = {{"queue", std::string(queue)}};
    t.Add("queue_messages", ql, Gauge(rng.Below(50), 4, 1, 0, 1e6));
    std::vector<Label> ok = ql, failed = ql;
    ok.push_back({"status", "success"});
    failed.push_back({"status", "failure"});
    t.Add("jobs_processed_total", ok, Counter(1e6 * rng.Uniform(), 40, 1));
    t.Add("jobs_processed_total", failed, Counter(1e3 * rng.Uniform(), 0.05, 1));
  }
  t.AddScrapeSeries(rng, 162);

  // What kube-state-metrics reports about the pod (one target for the whole cluster).
  Target ksm({{"job", "kube-state-metrics"},
              {"instance", "kube-state-metrics.monitoring.svc:8080"},
              {"namespace", svc.ns},
              {"pod", pod}},
             4321, limit, out);
  for (std::string_view phase : {"Pending", "Running", "Succeeded", "Failed", "Unknown"}) {
    ksm.Add("kube_pod_status_phase", {{"phase", std::string(phase)}},
            Constant(phase == "Running" ? 1 : 0));
  }
  for (std::string_view cond : {"true", "false", "unknown"}) {
    ksm.Add("kube_pod_status_ready", {{"condition", std::string(cond)}},
            Constant(cond == "true" ? 1 : 0));
  }
  std::vector<Label> c = {{"container", svc.name}};
  ksm.Add("kube_pod_container_status_restarts_total", c, Counter(rng.Below(3), 0.0005, 1));
  ksm.Add("kube_pod_container_status_running", c, Constant(1));
  for (std::string_view which :
       {"kube_pod_container_resource_requests", "kube_pod_container_resource_limits"}) {
    const double f = which == "kube_pod_container_resource_limits" ? 2 : 1;
    std::vector<Label> cpu = c, mem = c;
    cpu.insert(cpu.end(), {{"resource", "cpu"}, {"unit", "core"}});
    mem.insert(mem.end(), {{"resource", "memory"}, {"unit", "byte"}});
    ksm.Add(which, cpu, Constant(0.25 * f));
    ksm.Add(which, mem, Constant(268435456 * f));
  }
  ksm.Add("kube_pod_info",
          {{"created_by_kind", "ReplicaSet"},
           {"created_by_name", StrCat(svc.name, "-", replicaset)},
           {"host_ip", IpAddress(rng, 172)},
           {"node", node},
           {"pod_ip", pod_ip}},
          Constant(1));
  ksm.Add("kube_pod_owner",
          {{"owner_is_controller", "true"},
           {"owner_kind", "ReplicaSet"},
           {"owner_name", StrCat(svc.name, "-", replicaset)}},
          Constant(1));
  ksm.Add("kube_pod_created", {}, Constant(1.7e9 + rng.Below(86400)));
  ksm.Add("kube_pod_start_time", {}, Constant(1.7e9 + rng.Below(86400)));
}

}  // namespace

std::vector<SeriesSpec> GenerateSeries(int64_t n, uint64_t seed) {
  std::vector<SeriesSpec> out;
  if (n <= 0) return out;
  out.reserve(static_cast<size_t>(n));
  Rng rng(seed);
  // One ReplicaSet per service per rollout generation; a new one every 20 nodes.
  std::vector<std::string> replicasets;
  // Names are drawn at random, so repeats are redrawn: two targets with one name would make
  // duplicate series.
  std::set<std::string> hosts, pods;
  for (int node = 0; static_cast<int64_t>(out.size()) < n; ++node) {
    if (node % 20 == 0) {
      replicasets.clear();
      for (size_t s = 0; s < kServices.size(); ++s) replicasets.push_back(PodSuffix(rng, 10));
    }
    std::string host;
    do {
      host = StrCat("ip-172-", rng.Below(32), "-", rng.Below(256), "-", 1 + rng.Below(254),
                    ".eu-west-1.compute.internal");
    } while (!hosts.insert(host).second);
    AddNode(rng, host, n, &out);
    for (int p = 0; p < kPodsPerNode; ++p) {
      const size_t s = (node * kPodsPerNode + p) % kServices.size();
      std::string pod;
      do {
        pod = StrCat(kServices[s].name, "-", replicasets[s], "-", PodSuffix(rng, 5));
      } while (!pods.insert(pod).second);
      AddPod(rng, kServices[s], host, replicasets[s], pod, n, &out);
    }
  }
  return out;
}

}  // namespace vigil::bench
