#include "common/self_metrics.h"

#include <algorithm>
#include <cassert>

#include "common/strings.h"
#include "common/json_writer.h"

namespace vigil {

void Gauge::Add(double d) {
  double cur = v_.load(std::memory_order_relaxed);
  while (!v_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

void Histogram::Snapshot(std::vector<uint64_t>* cumulative, double* sum, uint64_t* count) const {
  cumulative->clear();
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    acc += buckets_[i].load(std::memory_order_relaxed);
    cumulative->push_back(acc);
  }
  *sum = sum_.load(std::memory_order_relaxed);
  *count = acc;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> b;
  for (int i = 0; i < count; ++i, start *= factor) b.push_back(start);
  return b;
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(std::string_view name, std::string_view help,
                                                    Type type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}, {}, {}, {}}).first;
  }
  assert(it->second.type == type);
  return it->second;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, Type::kCounter).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, Type::kGauge).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const std::vector<double>& bounds, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, Type::kHistogram).histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

void MetricsRegistry::AddGaugeFunc(std::string_view name, std::string_view help,
                                   const Labels& labels, std::function<double()> fn) {
  std::lock_guard lock(mu_);
  FamilyFor(name, help, Type::kGauge).funcs[labels] = std::move(fn);
}

namespace {

// `{a="b",le="0.5"}` with the optional extra label last, as the text format expects.
void AppendLabelSet(std::string* out, const Labels& labels, std::string_view extra_name = {},
                    std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return;
  out->push_back('{');
  bool first = true;
  auto add = [&](std::string_view n, std::string_view v) {
    if (!first) out->push_back(',');
    first = false;
    StrAppend(out, n, "=");
    AppendJsonString(out, v);  // JSON escaping is a superset of the text format's
  };
  for (const auto& l : labels) add(l.name, l.value);
  if (!extra_name.empty()) add(extra_name, extra_value);
  out->push_back('}');
}

}  // namespace

std::string MetricsRegistry::RenderText() const {
  std::lock_guard lock(mu_);
  std::string out;
  std::vector<uint64_t> cumulative;
  for (const auto& [name, f] : families_) {
    static constexpr std::string_view kTypes[] = {"counter", "gauge", "histogram"};
    StrAppend(&out, "# HELP ", name, " ", f.help, "\n# TYPE ", name, " ",
                    kTypes[static_cast<int>(f.type)], "\n");
    for (const auto& [labels, c] : f.counters) {
      out.append(name);
      AppendLabelSet(&out, labels);
      StrAppend(&out, " ", c->Value(), "\n");
    }
    for (const auto& [labels, g] : f.gauges) {
      out.append(name);
      AppendLabelSet(&out, labels);
      out.push_back(' ');
      AppendPromFloat(&out, g->Value());
      out.push_back('\n');
    }
    for (const auto& [labels, fn] : f.funcs) {
      out.append(name);
      AppendLabelSet(&out, labels);
      out.push_back(' ');
      AppendPromFloat(&out, fn());
      out.push_back('\n');
    }
    for (const auto& [labels, h] : f.histograms) {
      double sum;
      uint64_t count;
      h->Snapshot(&cumulative, &sum, &count);
      for (size_t i = 0; i < cumulative.size(); ++i) {
        StrAppend(&out, name, "_bucket");
        std::string le = i < h->bounds().size() ? FormatPromFloat(h->bounds()[i]) : "+Inf";
        AppendLabelSet(&out, labels, "le", le);
        StrAppend(&out, " ", cumulative[i], "\n");
      }
      StrAppend(&out, name, "_sum");
      AppendLabelSet(&out, labels);
      out.push_back(' ');
      AppendPromFloat(&out, sum);
      StrAppend(&out, "\n", name, "_count");
      AppendLabelSet(&out, labels);
      StrAppend(&out, " ", count, "\n");
    }
  }
  return out;
}

}  // namespace vigil
