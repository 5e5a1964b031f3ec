// Fuzzes JsonObjectScan against two references: CheckJsonSyntax must agree on every input
// (result and error message), and where simdjson's DOM parser accepts an object, the listed
// members must hold the same keys and values once unescaped.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/json/json_object_scan.h"
#include "ingest/json/json_syntax.h"
#include "simdjson.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

std::string Text(std::string_view raw, bool escaped) {
  std::string out;
  if (!escaped) return std::string(raw);
  Check(vigil::UnescapeJsonString(raw, &out));
  return out;
}

// The members of `object` from index `*i` on match `element`'s fields, in order.
void Compare(const std::vector<vigil::JsonMember>& members, size_t* i, uint32_t depth,
             uint32_t expand_depth, simdjson::dom::object object) {
  for (auto [key, value] : object) {
    Check(*i < members.size());
    const vigil::JsonMember& m = members[*i];
    Check(m.depth == depth);
    Check(Text(m.key, m.key_escaped) == key);
    ++*i;
    switch (value.type()) {
      case simdjson::dom::element_type::STRING:
        Check(m.type == simdjson::ondemand::json_type::string);
        Check(Text(m.value, m.value_escaped) == std::string_view(value.get_string().value()));
        break;
      case simdjson::dom::element_type::OBJECT:
        Check(m.type == simdjson::ondemand::json_type::object);
        if (depth < expand_depth) {
          const size_t end = *i + m.descendants;
          Compare(members, i, depth + 1, expand_depth, value.get_object().value());
          Check(*i == end);
        } else {
          Check(m.descendants == 0);
        }
        break;
      case simdjson::dom::element_type::ARRAY:
        Check(m.type == simdjson::ondemand::json_type::array);
        break;
      case simdjson::dom::element_type::BOOL:
        Check(m.type == simdjson::ondemand::json_type::boolean);
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        Check(m.type == simdjson::ondemand::json_type::null);
        break;
      default:
        Check(m.type == simdjson::ondemand::json_type::number);
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigil::JsonObjectScan scan;
  static simdjson::dom::parser parser;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const uint32_t expand_depth = size > 0 ? data[size - 1] % 4 : 0;
  std::string scan_error, check_error;
  auto r = scan.Scan(in, expand_depth, &scan_error);
  bool ok = vigil::CheckJsonSyntax(in, &check_error);
  Check(ok == (r != vigil::JsonObjectScan::Result::kMalformed));
  if (!ok) {
    Check(scan_error == check_error);
    return 0;
  }
  if (r != vigil::JsonObjectScan::Result::kOk) return 0;
  for (const vigil::JsonMember& m : scan.members()) {
    Check(m.key.data() >= in.data() && m.key.data() + m.key.size() <= in.data() + in.size());
    Check(m.value.data() >= in.data() && m.value.data() + m.value.size() <= in.data() + in.size());
  }
  simdjson::padded_string padded(in);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return 0;
  simdjson::dom::object object;
  Check(doc.get_object().get(object) == simdjson::SUCCESS);
  size_t i = 0;
  Compare(scan.members(), &i, 0, expand_depth, object);
  Check(i == scan.members().size());
  return 0;
}
