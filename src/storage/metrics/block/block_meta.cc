#include "storage/metrics/block/block_meta.h"

#include "common/json_writer.h"
#include "common/strings.h"
#include "simdjson.h"
#include "storage/metrics/block/block_id.h"

namespace vigil::block {
namespace {

absl::Status Bad(std::string_view what) {
  return absl::DataLossError(StrCat("meta.json: ", what));
}

template <typename T>
absl::Status GetInt(simdjson::dom::object obj, std::string_view key, T* out) {
  int64_t v;
  if (obj[key].get_int64().get(v) != simdjson::SUCCESS) {
    return Bad(StrCat("missing or non-integer \"", key, "\""));
  }
  if constexpr (std::is_unsigned_v<T>) {
    if (v < 0) return Bad(StrCat("negative \"", key, "\""));
  }
  *out = static_cast<T>(v);
  return absl::OkStatus();
}

absl::Status GetIds(simdjson::dom::object obj, std::string_view key,
                    std::vector<std::string>* out) {
  simdjson::dom::array arr;
  auto err = obj[key].get_array().get(arr);
  if (err == simdjson::NO_SUCH_FIELD) return absl::OkStatus();
  if (err != simdjson::SUCCESS) return Bad(StrCat("\"", key, "\" is not an array"));
  for (auto el : arr) {
    std::string_view s;
    if (el.get_string().get(s) != simdjson::SUCCESS || !IsValidBlockId(s)) {
      return Bad(StrCat("bad block id in \"", key, "\""));
    }
    out->emplace_back(s);
  }
  return absl::OkStatus();
}

}  // namespace

std::string EncodeBlockMeta(const BlockMeta& m) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("ulid", m.id);
  w.Key("minTime").Int(m.min_time);
  w.Key("maxTime").Int(m.max_time);
  w.Key("stats").BeginObject();
  w.Key("numSeries").Uint(m.stats.num_series);
  w.Key("numSamples").Uint(m.stats.num_samples);
  w.Key("numChunks").Uint(m.stats.num_chunks);
  w.EndObject();
  w.Key("compaction").BeginObject();
  w.Key("level").Int(m.compaction_level);
  w.Key("sources").BeginArray();
  for (const auto& s : m.sources) w.String(s);
  w.EndArray();
  w.Key("parents").BeginArray();
  for (const auto& s : m.parents) w.String(s);
  w.EndArray();
  w.EndObject();
  w.Key("version").Int(m.version);
  w.EndObject();
  out.push_back('\n');
  return out;
}

absl::StatusOr<BlockMeta> ParseBlockMeta(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return Bad("not valid JSON");
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return Bad("not an object");
  BlockMeta m;
  std::string_view id;
  if (obj["ulid"].get_string().get(id) != simdjson::SUCCESS || !IsValidBlockId(id)) {
    return Bad("missing or malformed \"ulid\"");
  }
  m.id = std::string(id);
  if (auto s = GetInt(obj, "minTime", &m.min_time); !s.ok()) return s;
  if (auto s = GetInt(obj, "maxTime", &m.max_time); !s.ok()) return s;
  if (auto s = GetInt(obj, "version", &m.version); !s.ok()) return s;
  if (m.version != kMetaVersion) return Bad(StrCat("unsupported version ", m.version));
  simdjson::dom::object stats;
  if (obj["stats"].get_object().get(stats) != simdjson::SUCCESS) return Bad("missing \"stats\"");
  if (auto s = GetInt(stats, "numSeries", &m.stats.num_series); !s.ok()) return s;
  if (auto s = GetInt(stats, "numSamples", &m.stats.num_samples); !s.ok()) return s;
  if (auto s = GetInt(stats, "numChunks", &m.stats.num_chunks); !s.ok()) return s;
  simdjson::dom::object comp;
  if (obj["compaction"].get_object().get(comp) != simdjson::SUCCESS) {
    return Bad("missing \"compaction\"");
  }
  if (auto s = GetInt(comp, "level", &m.compaction_level); !s.ok()) return s;
  if (m.compaction_level < 1) return Bad("compaction level below 1");
  if (auto s = GetIds(comp, "sources", &m.sources); !s.ok()) return s;
  if (auto s = GetIds(comp, "parents", &m.parents); !s.ok()) return s;
  if (m.stats.num_series > 0 && m.min_time >= m.max_time) {
    return Bad("minTime must be below maxTime");
  }
  return m;
}

}  // namespace vigil::block
