#include "query/logql/pipeline/go_template.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "query/logql/pipeline/go_time.h"
#include "query/logql/pipeline/test_util.h"

namespace vigil::logql::pipeline {
namespace {

using testing::TestLine;

// Runs `tmpl` against a line with labels app=api, level=error, status=503, path=/a/b,
// msg="Hello World", empty="", dur=1.5s, size=2KB and timestamp 2023-11-14T22:13:20.123456789Z.
std::string Render(std::string_view tmpl, std::string_view line = "the line") {
  absl::StatusOr<GoTemplate> t = GoTemplate::Compile(tmpl);
  EXPECT_TRUE(t.ok()) << tmpl << ": " << t.status();
  if (!t.ok()) return "<compile error>";
  TestLine l(line, Labels{{"app", "api"}});
  LineState& s = l.state();
  s.Set("level", "error");
  s.Set("status", "503");
  s.Set("path", "/a/b");
  s.Set("msg", "Hello World");
  s.Set("empty", "");
  s.Set("dur", "1.5s");
  s.Set("size", "2KB");
  std::string out;
  absl::Status st = t->Execute(s, &out);
  if (!st.ok()) return "ERR: " + std::string(st.message());
  return out;
}

std::string CompileError(std::string_view tmpl) {
  absl::StatusOr<GoTemplate> t = GoTemplate::Compile(tmpl);
  return t.ok() ? "compiled" : std::string(t.status().message());
}

TEST(GoTemplateTest, FieldsAndText) {
  EXPECT_EQ(Render("{{.level}}"), "error");
  EXPECT_EQ(Render("{{ .level }} on {{ .app }}"), "error on api");
  EXPECT_EQ(Render("[{{.missing}}]"), "[]");  // missingkey=zero
  EXPECT_EQ(Render("plain text"), "plain text");
  EXPECT_EQ(Render(""), "");
  EXPECT_EQ(Render("{{$.level}}"), "error");
  EXPECT_EQ(Render(R"({{"a\tb\u00e9"}}|{{`raw\n`}}|{{42}}|{{1.5}}|{{true}}|{{'x'}})"),
            "a\tb\xC3\xA9|raw\\n|42|1.5|true|120");
  EXPECT_EQ(GoTemplate::Compile("{{ .level }}")->simple_field(), "level");
  EXPECT_EQ(GoTemplate::Compile("x{{ .level }}")->simple_field(), "");
}

TEST(GoTemplateTest, TrimMarkersAndComments) {
  EXPECT_EQ(Render("a  {{- .level -}}  b"), "aerrorb");
  EXPECT_EQ(Render("a {{/* a comment */}}b"), "a b");
  EXPECT_EQ(Render("a {{- /* trimmed */ -}} b"), "ab");
  EXPECT_EQ(Render("{{-3}}"), "-3");  // a negative number, not a trim marker
}

TEST(GoTemplateTest, PipelinesAndCalls) {
  EXPECT_EQ(Render("{{ .level | ToUpper }}"), "ERROR");
  EXPECT_EQ(Render("{{ ToLower .msg }}"), "hello world");
  EXPECT_EQ(Render(R"({{ .path | replace "/" "_" | trunc 3 | upper }})"), "_A_");
  EXPECT_EQ(
      Render(R"({{ default "none" .empty }}|{{ .empty | default "dflt" }}|{{ default "x" .app }})"),
      "none|dflt|api");
  EXPECT_EQ(
      Render(
          R"({{ printf "%s=%d %5.2f|%-4s|%04d|%x|%q|%v" .app 42 3.14159 "ab" 7 255 "q" true }})"),
      "api=42  3.14|ab  |0007|ff|\"q\"|true");
  EXPECT_EQ(Render("{{ printf \"%d\" .app }}"), "%!d(string=api)");
  EXPECT_EQ(Render("{{ printf \"%s %s\" .app }}"), "api %!s(MISSING)");
  EXPECT_EQ(Render("{{ printf \"%s\" .app 1 }}"), "api%!(EXTRA int=1)");
  EXPECT_EQ(Render("{{ print .app 1 2 \"x\" }}|{{ println .app 1 }}"), "api1 2x|api 1\n");
  EXPECT_EQ(Render("{{ (ToUpper .app) }}-{{ len .msg }}"), "API-11");
  EXPECT_EQ(Render("{{ __line__ | upper }}", "hello"), "HELLO");
}

TEST(GoTemplateTest, Conditionals) {
  EXPECT_EQ(Render("{{ if .level }}yes{{ else }}no{{ end }}"), "yes");
  EXPECT_EQ(Render("{{ if .empty }}yes{{ else }}no{{ end }}"), "no");
  EXPECT_EQ(
      Render(R"({{ if eq .level "error" }}E{{ else if eq .level "warn" }}W{{ else }}?{{ end }})"),
      "E");
  EXPECT_EQ(Render(R"({{ if eq .level "info" "error" }}multi{{ end }})"), "multi");
  EXPECT_EQ(Render(R"({{ if and (contains "he" "hello") (contains "llo" "hello") }}both{{ end }})"),
            "both");
  EXPECT_EQ(Render(R"({{ if or .empty .app }}{{ or .empty .app }}{{ end }})"), "api");
  EXPECT_EQ(Render(R"({{ if not .empty }}not-empty{{ end }})"), "not-empty");
  EXPECT_EQ(Render(R"({{ if gt (int .status) 499 }}5xx{{ end }})"), "5xx");
  EXPECT_EQ(Render(R"({{ if lt .app "b" }}lt{{ end }})"), "lt");
  EXPECT_EQ(
      Render(
          R"({{ with .app }}[{{ . }}]{{ else }}none{{ end }}|{{ with .empty }}x{{ else }}none{{ end }})"),
      "[api]|none");
  EXPECT_EQ(
      Render(R"({{ if hasPrefix "/a" .path }}p{{ end }}{{ if hasSuffix "/b" .path }}s{{ end }})"),
      "ps");
}

TEST(GoTemplateTest, StringFunctions) {
  EXPECT_EQ(Render(R"({{ title "hello wide world" }})"), "Hello Wide World");
  EXPECT_EQ(Render(R"({{ substr 0 5 .msg }}|{{ substr 6 -1 .msg }}|{{ substr 3 1 .msg }})"),
            "Hello|World|");
  EXPECT_EQ(Render(R"({{ trunc -5 .msg }})"), "World");
  EXPECT_EQ(Render(R"({{ trim "  x  " }}|{{ TrimSpace "\t y " }}|{{ Trim "xxhixx" "x" }})"),
            "x|y|hi");
  EXPECT_EQ(
      Render(
          R"({{ trimPrefix "/a" .path }}|{{ TrimPrefix .path "/a" }}|{{ trimSuffix "/b" .path }})"),
      "/b|/b|/a");
  EXPECT_EQ(Render(R"({{ Replace "aaa" "a" "b" 2 }}|{{ repeat 3 "ab" }}|{{ indent 2 "a\nb" }})"),
            "bba|ababab|  a\n  b");
  EXPECT_EQ(Render(R"x({{ regexReplaceAll "(\\w+)@(\\w+)" "joe@example bob@test" "${2}:$1" }})x"),
            "example:joe test:bob");
  EXPECT_EQ(Render(R"({{ regexReplaceAllLiteral "a+" "baaac" "$1" }}|{{ count "a" "banana" }})"),
            "b$1c|3");
  EXPECT_EQ(Render(R"({{ regexReplaceAll "x*" "abc" "-" }})"), "-a-b-c-");
  EXPECT_EQ(Render(R"({{ urlencode "a b&c" }}|{{ urldecode "a+b%26c" }})"), "a+b%26c|a b&c");
  EXPECT_EQ(Render(R"({{ b64enc "hello" }}|{{ b64dec "aGVsbG8=" }})"), "aGVsbG8=|hello");
  EXPECT_EQ(Render(R"({{ alignLeft 5 "ab" }}|{{ alignRight 5 "ab" }}|{{ alignLeft 1 "ab" }})"),
            "ab   |   ab|a");
  EXPECT_EQ(Render(R"({{ .path | trimAll "/" }})"), "a/b");
}

TEST(GoTemplateTest, Arithmetic) {
  EXPECT_EQ(Render("{{ add 1 2 3 }}|{{ sub 10 4 }}|{{ mul 2 3 4 }}|{{ div 7 2 }}|{{ mod 7 3 }}"),
            "6|6|24|3|1");
  EXPECT_EQ(Render("{{ add .status 1 }}|{{ div .status 100 }}"), "504|5");  // strings convert
  EXPECT_EQ(Render("{{ addf 0.1 0.2 }}|{{ mulf 1.1 3 }}|{{ divf 1 4 }}|{{ subf 1 0.9 }}"),
            "0.3|3.3|0.25|0.1");
  EXPECT_EQ(Render("{{ max 1 5 3 }}|{{ min 4 2 }}|{{ maxf 1.5 2.5 }}|{{ minf 1.5 0.5 }}"),
            "5|2|2.5|0.5");
  EXPECT_EQ(Render("{{ ceil 1.2 }}|{{ floor 1.8 }}|{{ round 3.14159 2 }}|{{ round 2.5 0 }}"),
            "2|1|3.14|3");
  EXPECT_EQ(
      Render("{{ int \"42.000\" }}|{{ int \"0x1f\" }}|{{ int \"abc\" }}|{{ float64 \"1.5\" }}"),
      "42|31|0|1.5");
  EXPECT_EQ(Render("{{ bytes .size }}|{{ duration .dur }}|{{ duration_seconds \"250ms\" }}"),
            "2000|1.5|0.25");
  EXPECT_EQ(Render("{{ 1234567.0 }}|{{ 100000.0 }}|{{ 0.00001 }}"), "1.234567e+06|100000|1e-05");
}

TEST(GoTemplateTest, TimeFunctions) {
  EXPECT_EQ(Render("{{ __timestamp__ }}"), "2023-11-14 22:13:20.123456789 +0000 UTC");
  EXPECT_EQ(Render(R"({{ __timestamp__ | date "2006-01-02T15:04:05.000Z07:00" }})"),
            "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(Render(R"({{ __timestamp__ | unixEpoch }}|{{ __timestamp__ | unixEpochMillis }})"),
            "1700000000|1700000000123");
  EXPECT_EQ(Render(R"({{ unixEpoch (toDate "2006-01-02" "2021-11-02") }})"), "1635811200");
  EXPECT_EQ(Render(R"({{ toDate "2006-01-02" "garbage" | unixEpoch }})"), "-62135596800");
  EXPECT_EQ(Render(R"({{ unixToTime "1679577215" | date "Jan 2, 2006 3:04PM" }})"),
            "Mar 23, 2023 1:13PM");
  EXPECT_EQ(
      Render(
          R"({{ toDateInZone "2006-01-02 15:04" "Europe/Paris" "2024-07-01 12:00" | unixEpoch }})"),
      "1719828000");
  EXPECT_EQ(Render(R"({{ date "2006" 0 }})"), "1970");
}

TEST(GoTemplateTest, RuntimeErrors) {
  EXPECT_EQ(Render("{{ div 1 0 }}"),
            "ERR: template: line: executing \"line\" at <div 1 0>: error calling div: runtime "
            "error: integer divide by zero");
  EXPECT_NE(Render("{{ ToUpper 1 }}").find("wrong type for value; expected string; got int"),
            std::string::npos);
  EXPECT_NE(Render("{{ .app.sub }}").find("can't evaluate field sub in type string"),
            std::string::npos);
  EXPECT_NE(Render(R"({{ urldecode "%zz" }})").find("invalid URL escape"), std::string::npos);
  EXPECT_NE(Render(R"({{ eq .app 1 }})").find("incompatible types for comparison"),
            std::string::npos);
  EXPECT_NE(Render(R"({{ repeat 100000000 "abcdefgh" }})").find("exceeds"), std::string::npos);
  EXPECT_NE(Render(R"({{ regexReplaceAll .app "x" "y" }})"), "ERR");  // dynamic regex compiles
  EXPECT_NE(Render(R"x({{ count (print "(" .app) "x" }})x").find("error parsing regexp"),
            std::string::npos);
}

TEST(GoTemplateTest, CompileErrors) {
  EXPECT_EQ(CompileError("{{ nope .a }}"), "template: line:1: function \"nope\" not defined");
  EXPECT_EQ(CompileError("{{ .a"), "template: line:1: unclosed action");
  EXPECT_EQ(CompileError("{{ if .a }}x"), "template: line:1: unexpected EOF");
  EXPECT_EQ(CompileError("x\n{{ end }}"), "template: line:2: unexpected {{end}}");
  EXPECT_EQ(CompileError("{{ ToUpper }}"),
            "template: line:1: wrong number of args for ToUpper: want 1 got 0");
  EXPECT_EQ(CompileError("{{ .a .b }}"), "template: line:1: can't give argument to non-function");
  EXPECT_EQ(CompileError("{{ .a | .b }}"),
            "template: line:1: non executable command in pipeline stage 2");
  EXPECT_EQ(CompileError("{{ $x := 1 }}"), "template: line:1: variables are not supported: $x");
  EXPECT_EQ(CompileError("{{ range .a }}{{ end }}"),
            "template: line:1: {{range}} is not supported");
  EXPECT_EQ(CompileError(R"x({{ regexReplaceAll "(" .a "" }})x").substr(0, 40),
            "template: line:1: error parsing regexp: ");
  EXPECT_EQ(CompileError("{{ \"unterminated }}"), "template: line:1: unclosed action");
  EXPECT_EQ(CompileError("{{ (ToUpper .a }}"), "template: line:1: unclosed left paren");
  EXPECT_EQ(CompileError("{{/* open"), "template: line:1: unclosed comment");
  EXPECT_EQ(CompileError("{{ }}"), "template: line:1: missing value for command");
  EXPECT_EQ(CompileError("{{ 1x }}"), "template: line:1: bad number syntax: 1x");
}

TEST(GoTimeTest, FormatAndParseRoundTrip) {
  const absl::Time t =
      absl::FromCivil(absl::CivilSecond(2024, 2, 29, 7, 5, 9), absl::UTCTimeZone()) +
      absl::Milliseconds(42);
  std::string out;
  FormatGoTime(t, absl::UTCTimeZone(), "Monday, January 2 2006 03:04:05.000 PM MST -07:00 002 _2",
               &out);
  EXPECT_EQ(out, "Thursday, February 29 2024 07:05:09.042 AM UTC +00:00 060 29");
  out.clear();
  FormatGoTime(t, absl::FixedTimeZone(-5 * 3600 - 30 * 60), "15:04 Z07:00 -0700 .999999", &out);
  EXPECT_EQ(out, "01:35 -05:30 -0530 .042");
  absl::Time parsed;
  std::string err;
  ASSERT_TRUE(ParseGoTime("2006-01-02T15:04:05.999Z07:00", "2024-02-29T07:05:09.042Z",
                          absl::UTCTimeZone(), &parsed, &err))
      << err;
  EXPECT_EQ(parsed, t);
  ASSERT_TRUE(ParseGoTime("02/Jan/2006:15:04:05 -0700", "29/Feb/2024:02:05:09 -0500",
                          absl::UTCTimeZone(), &parsed, &err))
      << err;
  EXPECT_EQ(parsed, t - absl::Milliseconds(42));
  EXPECT_FALSE(ParseGoTime("2006-01-02", "2023-02-30", absl::UTCTimeZone(), &parsed, &err));
  EXPECT_FALSE(ParseGoTime("2006-01-02", "2023-1-02", absl::UTCTimeZone(), &parsed, &err));
  EXPECT_NE(err.find("cannot parse"), std::string::npos);
  EXPECT_FALSE(ParseGoTime("2006", "2023 extra", absl::UTCTimeZone(), &parsed, &err));
}

}  // namespace
}  // namespace vigil::logql::pipeline
