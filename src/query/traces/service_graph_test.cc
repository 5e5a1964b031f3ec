#include "query/traces/service_graph.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

SpanRow Row(uint64_t trace, SpanId id, SpanId parent, std::string_view service, SpanKind kind,
            int64_t start, int64_t end, SpanStatus status = SpanStatus::kUnset) {
  SpanRow r;
  r.trace_id = {trace, 0};
  r.span_id = id;
  r.parent_span_id = parent;
  r.service_name = service;
  r.name = "op";
  r.kind = kind;
  r.start_ns = start;
  r.end_ns = end;
  r.status = status;
  return r;
}

ServiceEdge Edge(std::string client, std::string server, uint64_t calls, uint64_t errors,
                 int64_t p50, int64_t p95, int64_t p99) {
  return {std::move(client), std::move(server), calls, errors, p50, p95, p99};
}

TEST(NearestRankQuantileTest, Definition) {
  std::vector<int64_t> none;
  EXPECT_EQ(NearestRankQuantile(&none, 0.5), 0);
  std::vector<int64_t> one = {7};
  EXPECT_EQ(NearestRankQuantile(&one, 0.0), 7);
  EXPECT_EQ(NearestRankQuantile(&one, 0.99), 7);
  std::vector<int64_t> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  EXPECT_EQ(NearestRankQuantile(&v, 0.0), 1);
  EXPECT_EQ(NearestRankQuantile(&v, 0.5), 50);
  EXPECT_EQ(NearestRankQuantile(&v, 0.95), 95);
  EXPECT_EQ(NearestRankQuantile(&v, 0.99), 99);
  EXPECT_EQ(NearestRankQuantile(&v, 1.0), 100);
  EXPECT_EQ(NearestRankQuantile(&v, 7.0), 100);  // clamped
  std::vector<int64_t> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i * 10);
  EXPECT_EQ(NearestRankQuantile(&twenty, 0.95), 190);  // rank 19 exactly, not 20
  std::vector<int64_t> four = {4, 1, 3, 2};
  EXPECT_EQ(NearestRankQuantile(&four, 0.5), 2);
  EXPECT_EQ(NearestRankQuantile(&four, 0.51), 3);
}

TEST(ServiceGraphTest, Empty) {
  ServiceGraphBuilder b;
  b.Add({});
  std::vector<ServiceNode> nodes = {ServiceNode{"stale"}};
  EXPECT_THAT(b.Finish(&nodes), IsEmpty());
  EXPECT_THAT(nodes, IsEmpty());
}

TEST(ServiceGraphTest, EdgesBetweenServices) {
  // web (server, root) → web client span → api (server) → api internal → db client → postgres.
  const std::vector<SpanRow> rows = {
      Row(1, 1, 0, "web", SpanKind::kServer, 0, 100),
      Row(1, 2, 1, "web", SpanKind::kClient, 10, 90),
      Row(1, 3, 2, "api", SpanKind::kServer, 15, 85, SpanStatus::kError),
      Row(1, 4, 3, "api", SpanKind::kInternal, 20, 80),
      Row(1, 5, 4, "api", SpanKind::kClient, 30, 60),
      Row(1, 6, 5, "postgres", SpanKind::kServer, 32, 58),
      // A second trace with the same span ids: keyed by trace too.
      Row(2, 1, 0, "web", SpanKind::kServer, 0, 50),
      Row(2, 2, 1, "api", SpanKind::kServer, 5, 45),
  };
  ServiceGraphBuilder b;
  b.Add(rows);
  EXPECT_EQ(b.pending(), 0u);
  std::vector<ServiceNode> nodes;
  const std::vector<ServiceEdge> edges = b.Finish(&nodes);
  EXPECT_THAT(edges, ElementsAre(Edge("api", "postgres", 1, 0, 26, 26, 26),
                                 Edge("web", "api", 2, 1, 40, 70, 70)));
  EXPECT_THAT(nodes,
              ElementsAre(ServiceNode{"api", 4, 2, 1, 70}, ServiceNode{"postgres", 1, 1, 0, 26},
                          ServiceNode{"web", 3, 2, 0, 100}));
  EXPECT_EQ(b.unresolved_parents(), 0u);
}

TEST(ServiceGraphTest, ParentArrivingInALaterBatch) {
  ServiceGraphBuilder b;
  {
    std::string child_service = "checkout";
    const std::vector<SpanRow> batch = {
        Row(1, 20, 10, child_service, SpanKind::kServer, 10, 30, SpanStatus::kError),
        Row(1, 30, 99, child_service, SpanKind::kServer, 10, 30),  // parent never arrives
    };
    b.Add(batch);
    child_service.assign("XXXXXXXX");  // the builder keeps its own copy
  }
  EXPECT_EQ(b.pending(), 2u);
  const std::vector<SpanRow> batch2 = {Row(1, 10, 0, "frontend", SpanKind::kClient, 0, 40)};
  b.Add(batch2);
  std::vector<ServiceNode> nodes;
  EXPECT_THAT(b.Finish(&nodes), ElementsAre(Edge("frontend", "checkout", 1, 1, 20, 20, 20)));
  EXPECT_EQ(b.unresolved_parents(), 1u);
  EXPECT_THAT(nodes, ElementsAre(ServiceNode{"checkout", 2, 2, 1, 20},
                                 ServiceNode{"frontend", 1, 1, 0, 40}));
  // Finish leaves the builder empty.
  EXPECT_EQ(b.pending(), 0u);
  EXPECT_THAT(b.Finish(), IsEmpty());
}

TEST(ServiceGraphTest, QuantilesErrorsAndDuplicates) {
  ServiceGraphBuilder b;
  std::vector<SpanRow> rows = {Row(1, 1, 0, "a", SpanKind::kClient, 0, 1000)};
  for (int i = 1; i <= 100; ++i) {
    rows.push_back(Row(1, 100 + i, 1, "b", SpanKind::kServer, 0, i,
                       i % 10 == 0 ? SpanStatus::kError : SpanStatus::kOk));
  }
  // Seen again (a span stored twice): ignored, including the service it would name.
  rows.push_back(Row(1, 150, 1, "b", SpanKind::kServer, 0, 1000000));
  rows.push_back(Row(1, 1, 0, "ghost", SpanKind::kServer, 0, 5));
  // Same service as the parent: no edge.
  rows.push_back(Row(1, 300, 1, "a", SpanKind::kInternal, 0, 5));
  b.Add(rows);
  std::vector<ServiceNode> nodes;
  EXPECT_THAT(b.Finish(&nodes), ElementsAre(Edge("a", "b", 100, 10, 50, 95, 99)));
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0], (ServiceNode{"a", 2, 1, 0, 1000}));
  EXPECT_EQ(nodes[1], (ServiceNode{"b", 100, 100, 10, 95}));
}

TEST(ServiceGraphTest, EdgesSortedByClientThenServer) {
  ServiceGraphBuilder b;
  const std::vector<SpanRow> rows = {
      Row(1, 1, 0, "z", SpanKind::kServer, 0, 10), Row(1, 2, 1, "b", SpanKind::kServer, 0, 1),
      Row(1, 3, 1, "a", SpanKind::kServer, 0, 1),  Row(1, 4, 3, "z", SpanKind::kServer, 0, 1),
      Row(1, 5, 3, "c", SpanKind::kServer, 0, 1),
  };
  b.Add(rows);
  const std::vector<ServiceEdge> edges = b.Finish();
  ASSERT_EQ(edges.size(), 4u);
  EXPECT_EQ(edges[0].client + ">" + edges[0].server, "a>c");
  EXPECT_EQ(edges[1].client + ">" + edges[1].server, "a>z");
  EXPECT_EQ(edges[2].client + ">" + edges[2].server, "z>a");
  EXPECT_EQ(edges[3].client + ">" + edges[3].server, "z>b");
}

}  // namespace
}  // namespace vigil
