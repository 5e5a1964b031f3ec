#include "common/regex_template.h"

#include <cctype>
#include <cstdint>

namespace vigil {
namespace {

// Go accepts any Unicode letter or digit in a name; bytes of multi-byte UTF-8 count as such.
bool IsTemplateNameByte(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

}  // namespace

void ExpandRegexTemplate(std::string_view tmpl, const RE2& re,
                           std::span<const re2::StringPiece> groups, std::string* out) {
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out->append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {  // "$$" is a literal dollar
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    // A reference: a name of letters, digits and '_', optionally inside braces.
    bool brace = !tmpl.empty() && tmpl[0] == '{';
    size_t i = brace ? 1 : 0;
    size_t name_start = i;
    while (i < tmpl.size() && IsTemplateNameByte(static_cast<unsigned char>(tmpl[i]))) ++i;
    std::string_view name = tmpl.substr(name_start, i - name_start);
    if (name.empty() || (brace && (i >= tmpl.size() || tmpl[i] != '}'))) {
      out->push_back('$');  // malformed: the dollar is plain text
      continue;
    }
    tmpl.remove_prefix(brace ? i + 1 : i);

    // All digits (no leading zero, below 1e8) is a group number; anything else a name.
    int64_t num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;
    if (num < 0) {
      const auto& named = re.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      if (it == named.end()) continue;
      num = it->second;
    }
    if (num < static_cast<int64_t>(groups.size()) && groups[num].data() != nullptr) {
      out->append(groups[num].data(), groups[num].size());
    }
  }
  out->append(tmpl);
}

}  // namespace vigil
