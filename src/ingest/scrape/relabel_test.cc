#include "ingest/scrape/relabel.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/scrape/relabel_md5.h"
#include "yaml-cpp/yaml.h"

namespace vigil {

void PrintTo(const Labels& labels, std::ostream* os) { *os << labels.ToString(); }

namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

std::vector<RelabelConfig> Rules(const std::string& yaml) {
  auto parsed = ParseRelabelConfigs(YAML::Load(yaml));
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *std::move(parsed) : std::vector<RelabelConfig>{};
}

std::string ConfigError(const std::string& yaml) {
  auto parsed = ParseRelabelConfigs(YAML::Load(yaml));
  EXPECT_FALSE(parsed.ok()) << yaml;
  return parsed.ok() ? "" : std::string(parsed.status().message());
}

const Labels kInput = {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}};

std::optional<Labels> Apply(const std::string& yaml, const Labels& in = kInput) {
  return Relabel(in, Rules(yaml));
}

std::string Hex(const std::array<uint8_t, 16>& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

TEST(Md5Test, Rfc1321VectorsAndBlockBoundaries) {
  EXPECT_EQ(Hex(Md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Hex(Md5("a")), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Hex(Md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Hex(Md5("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Hex(Md5("abcdefghijklmnopqrstuvwxyz")), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(Hex(Md5("1234567890123456789012345678901234567890123456789012345678901234567890"
                    "1234567890")),
            "57edf4a22be3c955ac49da2e2107b67a");
  EXPECT_EQ(Hex(Md5(std::string(55, 'x'))), "04364420e25c512fd958a70738aa8f72");
  EXPECT_EQ(Hex(Md5(std::string(56, 'x'))), "668a72d5ba17f08e62dabcafad6db14b");
  EXPECT_EQ(Hex(Md5(std::string(63, 'x'))), "7dc2ca208106a2f703567bdff99d8981");
  EXPECT_EQ(Hex(Md5(std::string(64, 'x'))), "c1bb4f81d892b2d57947682aeb252456");
  EXPECT_EQ(Hex(Md5(std::string(65, 'x'))), "1bc932052302d074bdec39795fe00cf6");
  EXPECT_EQ(Hex(Md5(std::string(120, 'x'))), "fb98667f98096de92620b64f46e1c5b5");
  EXPECT_EQ(Hex(Md5(std::string(128, 'x'))), "d69cb61a6ee87200676eb0d4b90edbcb");
}

TEST(RelabelReplaceTest, CaptureGroupsAndSeparator) {
  EXPECT_THAT(Apply("- source_labels: [a]\n  regex: f(.*)\n  target_label: d\n"
                    "  replacement: ch${1}-ch${1}\n"),
              Optional(Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "choo-choo"}}));
  EXPECT_THAT(Apply("- source_labels: [a, b]\n  regex: f(.*);(.*)r\n  target_label: a\n"
                    "  replacement: b${1}${2}m\n"),
              Optional(Labels{{"a", "boobam"}, {"b", "bar"}, {"c", "baz"}}));
  EXPECT_THAT(Apply("- source_labels: [a, c]\n  separator: '|'\n  target_label: joined\n"),
              Optional(Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"joined", "foo|baz"}}));
}

TEST(RelabelReplaceTest, NoMatchLeavesLabelsAlone) {
  EXPECT_THAT(Apply("- source_labels: [a]\n  regex: o\n  target_label: d\n"),
              Optional(kInput));  // anchored: "o" does not match "foo"
  EXPECT_THAT(Apply("- source_labels: [a]\n  regex: nomatch(.*)\n  target_label: a\n"
                    "  replacement: x\n"),
              Optional(kInput));
}

TEST(RelabelReplaceTest, EmptyResultDeletesTarget) {
  EXPECT_THAT(Apply("- source_labels: [a]\n  regex: foo\n  target_label: b\n  replacement: ''\n"),
              Optional(Labels{{"a", "foo"}, {"c", "baz"}}));
  // An absent source yields "", which the default regex matches: $1 is empty.
  EXPECT_THAT(Apply("- source_labels: [missing]\n  target_label: c\n"),
              Optional(Labels{{"a", "foo"}, {"b", "bar"}}));
  // Without source labels the replacement is set as a constant.
  EXPECT_THAT(Apply("- target_label: env\n  replacement: prod\n"),
              Optional(Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"env", "prod"}}));
}

TEST(RelabelReplaceTest, TemplateExpansion) {
  const Labels in = {{"a", "some-name-value"}};
  EXPECT_THAT(Apply("- source_labels: [a]\n  regex: some-([^-]+)-([^,]+)\n"
                    "  target_label: ${1}\n  replacement: ${2}\n",
                    in),
              Optional(Labels{{"a", "some-name-value"}, {"name", "value"}}));
  // Go reads "$1x" as the group named "1x", which does not exist.
  EXPECT_THAT(Apply("- source_labels: [a]\n  target_label: d\n  replacement: $1x\n"),
              Optional(kInput));
  EXPECT_THAT(Apply("- source_labels: [a]\n  target_label: d\n  replacement: ${1}x\n"),
              Optional(Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "foox"}}));
  EXPECT_THAT(Apply("- source_labels: [a]\n  target_label: d\n  replacement: $$1 $ ${ ${1\n"),
              Optional(Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "$1 $ ${ ${1"}}));
  EXPECT_THAT(Apply("- source_labels: [a]\n  regex: (?P<first>f)(?P<rest>.*)\n"
                    "  target_label: d\n  replacement: ${rest}-$first-$2-$9-$01\n"),
              Optional(Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "oo-f-oo--"}}));
}

TEST(RelabelReplaceTest, InvalidExpandedTargetIsSkipped) {
  const Labels in = {{"a", "1abc"}};
  EXPECT_THAT(Apply("- source_labels: [a]\n  target_label: ${1}\n  replacement: v\n", in),
              Optional(in));
}

TEST(RelabelFilterTest, KeepAndDrop) {
  EXPECT_THAT(Apply("- source_labels: [a]\n  regex: f.*\n  action: keep\n"), Optional(kInput));
  EXPECT_EQ(Apply("- source_labels: [a]\n  regex: b.*\n  action: keep\n"), std::nullopt);
  EXPECT_EQ(Apply("- source_labels: [a]\n  regex: o\n  action: keep\n"), std::nullopt);
  EXPECT_EQ(Apply("- source_labels: [a]\n  regex: f.*\n  action: drop\n"), std::nullopt);
  EXPECT_THAT(Apply("- source_labels: [a, b]\n  regex: foo;bar\n  action: keep\n"),
              Optional(kInput));
  // A missing source label is the empty string.
  EXPECT_EQ(Apply("- source_labels: [missing]\n  regex: .+\n  action: keep\n"), std::nullopt);
}

TEST(RelabelFilterTest, KeepEqualAndDropEqual) {
  const Labels same = {{"a", "x"}, {"b", "x"}};
  const Labels differ = {{"a", "x"}, {"b", "y"}};
  const std::string keep = "- source_labels: [a]\n  target_label: b\n  action: keepequal\n";
  const std::string drop = "- source_labels: [a]\n  target_label: b\n  action: dropequal\n";
  EXPECT_THAT(Apply(keep, same), Optional(same));
  EXPECT_EQ(Apply(keep, differ), std::nullopt);
  EXPECT_EQ(Apply(drop, same), std::nullopt);
  EXPECT_THAT(Apply(drop, differ), Optional(differ));
}

TEST(RelabelHashModTest, MatchesPrometheusSharding) {
  // Expected values: md5 of the joined value, last 8 bytes big-endian, modulo the modulus.
  EXPECT_THAT(Apply("- source_labels: [a]\n  modulus: 1000\n  target_label: shard\n"
                    "  action: hashmod\n"),
              Optional(Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"shard", "696"}}));
  const Labels target = {{"__address__", "10.0.0.1:9100"}};
  EXPECT_THAT(Apply("- source_labels: [__address__]\n  modulus: 8\n  target_label: __tmp_hash\n"
                    "  action: hashmod\n",
                    target),
              Optional(Labels{{"__address__", "10.0.0.1:9100"}, {"__tmp_hash", "5"}}));
  EXPECT_THAT(Apply("- source_labels: [a, b]\n  separator: ';'\n  modulus: 3\n"
                    "  target_label: h\n  action: hashmod\n",
                    Labels{{"a", "a"}, {"b", "b"}}),
              Optional(Labels{{"a", "a"}, {"b", "b"}, {"h", "2"}}));
}

TEST(RelabelLabelNameTest, LabelMap) {
  const Labels in = {{"__meta_kubernetes_pod_label_app", "web"},
                     {"__meta_kubernetes_pod_label_tier", "front"},
                     {"app", "old"},
                     {"job", "k8s"}};
  EXPECT_THAT(Apply("- regex: __meta_kubernetes_pod_label_(.+)\n  action: labelmap\n", in),
              Optional(Labels{{"__meta_kubernetes_pod_label_app", "web"},
                              {"__meta_kubernetes_pod_label_tier", "front"},
                              {"app", "web"},
                              {"job", "k8s"},
                              {"tier", "front"}}));
  EXPECT_THAT(Apply("- regex: (j)(ob)\n  replacement: ${2}_${1}\n  action: labelmap\n", in),
              Optional(Labels{{"__meta_kubernetes_pod_label_app", "web"},
                              {"__meta_kubernetes_pod_label_tier", "front"},
                              {"app", "old"},
                              {"job", "k8s"},
                              {"ob_j", "k8s"}}));
}

TEST(RelabelLabelNameTest, LabelDropAndLabelKeep) {
  const Labels in = {{"__name__", "up"}, {"instance", "h:1"}, {"job", "node"}, {"tmp_x", "1"}};
  EXPECT_THAT(Apply("- regex: tmp_.*\n  action: labeldrop\n", in),
              Optional(Labels{{"__name__", "up"}, {"instance", "h:1"}, {"job", "node"}}));
  EXPECT_THAT(Apply("- regex: __name__|job\n  action: labelkeep\n", in),
              Optional(Labels{{"__name__", "up"}, {"job", "node"}}));
  // Anchored: "job" alone does not match "tmp_job"-like names partially.
  EXPECT_THAT(Apply("- regex: ob\n  action: labeldrop\n", in), Optional(in));
}

TEST(RelabelCaseTest, LowercaseAndUppercase) {
  const Labels in = {{"a", "MiXeD-Case_1"}, {"b", "x"}};
  EXPECT_THAT(Apply("- source_labels: [a]\n  target_label: lower\n  action: lowercase\n", in),
              Optional(Labels{{"a", "MiXeD-Case_1"}, {"b", "x"}, {"lower", "mixed-case_1"}}));
  EXPECT_THAT(Apply("- source_labels: [a, b]\n  target_label: a\n  action: uppercase\n", in),
              Optional(Labels{{"a", "MIXED-CASE_1;X"}, {"b", "x"}}));
}

TEST(RelabelTest, RulesSeeEarlierResultsAndViewsMatchLabels) {
  const std::string yaml =
      "- source_labels: [a]\n  target_label: copy\n"
      "- source_labels: [copy]\n  regex: (.)(.*)\n  target_label: first\n  replacement: $1\n"
      "- regex: a\n  action: labeldrop\n"
      "- source_labels: [first]\n  regex: f\n  action: keep\n";
  auto rules = Rules(yaml);
  ASSERT_EQ(rules.size(), 4u);
  const Labels want = {{"b", "bar"}, {"c", "baz"}, {"copy", "foo"}, {"first", "f"}};
  EXPECT_THAT(Relabel(kInput, rules), Optional(want));
  std::vector<LabelView> views;
  for (const auto& l : kInput) views.push_back({l.name, l.value});
  EXPECT_THAT(Relabel(std::span<const LabelView>(views), rules), Optional(want));
  EXPECT_THAT(Relabel(kInput, {}), Optional(kInput));
}

TEST(RelabelTest, HandBuiltConfigDefaults) {
  RelabelConfig c;
  c.source_labels = {"a"};
  c.target_label = "x";
  EXPECT_THAT(Relabel(kInput, std::span<const RelabelConfig>(&c, 1)),
              Optional(Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"x", "foo"}}));
  c.action = RelabelAction::kHashMod;  // modulus 0 is refused by parsing; here it is a no-op
  EXPECT_THAT(Relabel(kInput, std::span<const RelabelConfig>(&c, 1)), Optional(kInput));
  c.regex = nullptr;
  c.action = RelabelAction::kKeep;
  EXPECT_THAT(Relabel(kInput, std::span<const RelabelConfig>(&c, 1)), Optional(kInput));
}

TEST(RelabelConfigTest, DefaultsAndCaseInsensitiveAction) {
  auto rules = Rules("- source_labels: [a]\n  target_label: x\n- action: Keep\n  regex: null\n");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].action, RelabelAction::kReplace);
  EXPECT_EQ(rules[0].separator, ";");
  EXPECT_EQ(rules[0].replacement, "$1");
  EXPECT_EQ(rules[0].regex, DefaultRelabelRegex());
  EXPECT_EQ(rules[1].action, RelabelAction::kKeep);
  EXPECT_EQ(rules[1].regex->pattern(), "^(?:)$");  // a null regex matches only ""
  EXPECT_TRUE(ParseRelabelConfigs(YAML::Node()).ok());
  EXPECT_TRUE(ParseRelabelConfigs(YAML::Load("~"))->empty());
  RelabelAction a;
  EXPECT_TRUE(ParseRelabelAction("LabelMap", &a));
  EXPECT_EQ(RelabelActionName(a), "labelmap");
}

TEST(RelabelConfigTest, ErrorsNameTheLine) {
  EXPECT_EQ(ConfigError("- source_labels: [a]\n  target_label: x\n  action: foo\n"),
            "line 3: unknown relabel action \"foo\"");
  EXPECT_EQ(ConfigError("- action: keep\n  regexp: x\n"),
            "line 2: unknown field \"regexp\" in relabel config");
  EXPECT_EQ(ConfigError("- action: keep\n  regex: x\n  regex: y\n"),
            "line 3: duplicate key \"regex\" in relabel config");
  EXPECT_EQ(ConfigError("- action: keep\n- source_labels: [a]\n"),
            "line 2: relabel configuration for replace action requires 'target_label' value");
  EXPECT_THAT(ConfigError("- action: keep\n  regex: 'a(b'\n"),
              HasSubstr("line 2: invalid regex \"a(b\": missing )"));
  EXPECT_EQ(ConfigError("- action: hashmod\n  target_label: h\n  source_labels: [a]\n"),
            "line 1: relabel configuration for hashmod requires non-zero modulus");
  EXPECT_EQ(ConfigError("- action: hashmod\n  modulus: abc\n"),
            "line 2: \"modulus\" must be a non-negative integer, got \"abc\"");
  EXPECT_EQ(ConfigError("- action: hashmod\n  modulus: -1\n"),
            "line 2: \"modulus\" must be a non-negative integer, got \"-1\"");
  EXPECT_EQ(ConfigError("- action:\n"), "line 1: relabel action cannot be empty");
  EXPECT_EQ(ConfigError("- source_labels: [a, 'b-c']\n  target_label: x\n"),
            "line 1: \"b-c\" is not a valid label name in \"source_labels\"");
  EXPECT_EQ(ConfigError("- source_labels: a\n  target_label: x\n"),
            "line 1: \"source_labels\" must be a list of label names");
  EXPECT_EQ(ConfigError("x: 1\n"), "line 1: relabel configs must be a list of rules");
  EXPECT_EQ(ConfigError("- keep\n"), "line 1: a relabel rule must be a map");
  EXPECT_EQ(ConfigError("- target_label: [x]\n"), "line 1: \"target_label\" must be a string");
}

TEST(RelabelConfigTest, PrometheusActionRestrictions) {
  EXPECT_EQ(ConfigError("- target_label: 1abc\n"),
            "line 1: \"1abc\" is invalid 'target_label' for replace action");
  EXPECT_EQ(ConfigError("- target_label: $1-x\n"),
            "line 1: \"$1-x\" is invalid 'target_label' for replace action");
  EXPECT_EQ(Rules("- target_label: ${1}_x\n").size(), 1u);
  EXPECT_EQ(ConfigError("- action: lowercase\n  target_label: x\n  replacement: y\n"),
            "line 1: 'replacement' can not be set for lowercase action");
  EXPECT_EQ(ConfigError("- action: uppercase\n  target_label: 'a b'\n"),
            "line 1: \"a b\" is invalid 'target_label' for uppercase action");
  EXPECT_EQ(ConfigError("- action: labelmap\n  replacement: 'a-$1'\n"),
            "line 1: \"a-$1\" is invalid 'replacement' for labelmap action");
  EXPECT_EQ(ConfigError("- action: hashmod\n  modulus: 2\n  target_label: 'x y'\n"),
            "line 1: \"x y\" is invalid 'target_label' for hashmod action");
  EXPECT_EQ(ConfigError("- action: keepequal\n  target_label: x\n  regex: (.*)\n"),
            "line 1: keepequal action requires only 'source_labels' and 'target_label', and "
            "no other fields");
  EXPECT_EQ(ConfigError("- action: dropequal\n  target_label: x\n  separator: ','\n"),
            "line 1: dropequal action requires only 'source_labels' and 'target_label', and "
            "no other fields");
  EXPECT_EQ(ConfigError("- action: labeldrop\n  regex: x\n  source_labels: [a]\n"),
            "line 1: labeldrop action requires only 'regex', and no other fields");
  EXPECT_EQ(ConfigError("- action: labelkeep\n  regex: x\n  target_label: y\n"),
            "line 1: labelkeep action requires only 'regex', and no other fields");
  EXPECT_EQ(ConfigError("- action: keepequal\n"),
            "line 1: relabel configuration for keepequal action requires 'target_label' value");
  EXPECT_EQ(ConfigError("- action: keep\n- ~\n"), "line 2: empty or null relabel rule");
}

}  // namespace
}  // namespace vigil
