#include "storage/metrics/block/block_dir.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "common/strings.h"
#include "storage/metrics/block/block_id.h"
#include "common/file_util.h"

namespace vigil::block {
namespace fs = std::filesystem;

namespace {
absl::Status FsError(const char* what, const std::string& path, const std::error_code& ec) {
  return absl::InternalError(StrCat(what, " ", path, ": ", ec.message()));
}
}  // namespace

absl::StatusOr<std::vector<std::string>> ListBlockIds(const std::string& parent_dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  if (!fs::exists(parent_dir, ec)) return ids;
  for (fs::directory_iterator it(parent_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code dec;
    if (IsValidBlockId(name) && it->is_directory(dec)) ids.push_back(std::move(name));
  }
  if (ec) return FsError("list", parent_dir, ec);
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::Status DeleteBlock(const std::string& parent_dir, const std::string& id) {
  if (!IsValidBlockId(id)) return absl::InvalidArgumentError(StrCat("invalid block id ", QuoteString(id)));
  std::string dir = parent_dir + "/" + id;
  std::string doomed = dir + ".tmp-delete";
  std::error_code ec;
  fs::remove_all(doomed, ec);
  fs::rename(dir, doomed, ec);
  if (ec) return FsError("rename", dir, ec);
  if (auto s = SyncDir(parent_dir); !s.ok()) return s;
  fs::remove_all(doomed, ec);
  if (ec) return FsError("remove", doomed, ec);
  return absl::OkStatus();
}

absl::Status RemoveStaleTmpDirs(const std::string& parent_dir) {
  std::error_code ec;
  if (!fs::exists(parent_dir, ec)) return absl::OkStatus();
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(parent_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    auto base = [&](std::string_view suffix) {
      return name.size() == kBlockIdLength + suffix.size() && name.ends_with(suffix) &&
             IsValidBlockId(std::string_view(name).substr(0, kBlockIdLength));
    };
    if (base(".tmp") || base(".tmp-delete")) stale.push_back(it->path());
  }
  if (ec) return FsError("list", parent_dir, ec);
  for (const auto& p : stale) {
    fs::remove_all(p, ec);
    if (ec) return FsError("remove", p.string(), ec);
  }
  return absl::OkStatus();
}

}  // namespace vigil::block
