// The `unpack` stage (declared in json_parser.h).
#include <utility>
#include <vector>

#include "query/logql/pipeline/json_parser.h"
#include "query/logql/pipeline/json_scratch.h"

namespace vigil::logql::pipeline {
namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view kPackedEntryKey = "_entry";

}  // namespace

bool UnpackParser::Process(LineState& state) const {
  const std::string_view line = state.line();
  if (line.empty()) return true;
  if (line[0] != '{') {
    state.SetError(kJsonParserErr, "expecting json object, but it is not");
    return true;
  }
  JsonScratch& js = state.json_scratch();
  od::document doc;
  simdjson::error_code err = js.Iterate(line, &doc);
  od::object root;
  if (!err) err = doc.get_object().get(root);
  // Labels are applied only once the whole object is read and an `_entry` was found, so
  // names and values are kept in the arena meanwhile (views into it would move as it grows).
  js.arena.clear();
  std::vector<size_t>& pending = js.offsets;  // name offset, name size, value offset, size
  pending.clear();
  std::string_view entry;
  bool packed = false;
  if (!err) {
    for (auto field_result : root) {
      od::field field;
      if ((err = std::move(field_result).get(field))) break;
      std::string_view key;
      if ((err = field.unescaped_key().get(key))) break;
      od::value v = field.value();
      od::json_type type;
      if ((err = v.type().get(type))) break;
      if (type != od::json_type::string) continue;
      std::string_view s;
      if ((err = v.get_string().get(s))) break;
      if (key == kPackedEntryKey) {
        entry = s;  // stays valid in the parser's string buffer until the next line
        packed = true;
        continue;
      }
      const std::string_view name = state.ExtractedLabelName(key);
      if (name.empty()) continue;
      const std::string_view value = JsonScratch::ReplaceRuneErrors(s, &js.value);
      pending.insert(pending.end(),
                     {js.arena.size(), name.size(), js.arena.size() + name.size(), value.size()});
      js.arena.append(name);
      js.arena.append(value);
    }
  }
  if (err) {
    state.SetError(kJsonParserErr, JsonErrorDetails(err));
    return true;
  }
  if (!packed) return true;
  const std::string_view arena = js.arena;
  for (size_t i = 0; i + 3 < pending.size(); i += 4) {
    state.Set(arena.substr(pending[i], pending[i + 1]),
              arena.substr(pending[i + 2], pending[i + 3]));
  }
  state.SetLine(entry);
  return true;
}

}  // namespace vigil::logql::pipeline
